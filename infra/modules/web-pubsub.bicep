// Azure Web PubSub with the hub the room and floor displays connect to: one instance or several, the
// app spreading the displays over them by their room's or floor's group. Identity only: access keys
// are disabled, so the app signs client tokens through the service's REST API with its identity.

@description('Name of the first instance; the others are named NAME-1, NAME-2, …')
param name string
param location string
param tags object = {}

@description('Hub the displays connect to, on every instance (app setting WEBPUBSUB_HUB).')
param hubName string

@allowed(['Free_F1', 'Standard_S1', 'Premium_P1'])
@description('Free_F1 allows 20 concurrent connections (a trial); use Standard_S1 for real displays.')
param skuName string = 'Standard_S1'

@minValue(1)
@description('How many instances the displays are spread over.')
param instances int = 1

// One instance takes 1 to 10 units, then 20, 30, … 100: main.bicep keeps each at 10 or fewer.
@minValue(1)
@maxValue(10)
@description('Units of each instance; a unit holds 1,000 concurrent connections.')
param capacity int = 1

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' = [
  for i in range(0, instances): {
    // The first keeps the name a single instance always had, so its displays stay where they are.
    name: i == 0 ? name : '${name}-${i}'
    location: location
    tags: tags
    sku: {
      name: skuName
      capacity: capacity
    }
    properties: {
      disableLocalAuth: true
      disableAadAuth: false
      publicNetworkAccess: 'Enabled'
      tls: {
        clientCertEnabled: false
      }
    }
  }
]

resource hub 'Microsoft.SignalRService/webPubSub/hubs@2024-03-01' = [
  for i in range(0, instances): {
    parent: webPubSub[i]
    name: hubName
    properties: {
      // Displays connect with a token the app signs, never anonymously.
      anonymousConnectPolicy: 'deny'
      eventHandlers: []
    }
  }
]

output names array = [for i in range(0, instances): webPubSub[i].name]
output endpoints array = [for i in range(0, instances): 'https://${webPubSub[i].properties.hostName}']
output hubName string = hubName

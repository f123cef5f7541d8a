// Azure Web PubSub with the hub the room and floor displays connect to. Identity only: access keys
// are disabled, so the app signs client tokens through the service's REST API with its identity.

param name string
param location string
param tags object = {}

@description('Hub the displays connect to (app setting WEBPUBSUB_HUB).')
param hubName string

@allowed(['Free_F1', 'Standard_S1', 'Premium_P1'])
@description('Free_F1 allows 20 concurrent connections (a trial); use Standard_S1 for real displays.')
param skuName string = 'Standard_S1'

@minValue(1)
param capacity int = 1

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' = {
  name: name
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

resource hub 'Microsoft.SignalRService/webPubSub/hubs@2024-03-01' = {
  parent: webPubSub
  name: hubName
  properties: {
    // Displays connect with a token the app signs, never anonymously.
    anonymousConnectPolicy: 'deny'
    eventHandlers: []
  }
}

output name string = webPubSub.name
output resourceId string = webPubSub.id
output endpoint string = 'https://${webPubSub.properties.hostName}'
output hubName string = hub.name

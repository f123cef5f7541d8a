// Data-plane roles for the app's managed identity and, when given, for the person deploying (who
// runs the postprovision hook and may run the app locally against these resources).

@description('Principal id (object id) of the app\'s user-assigned managed identity.')
param identityPrincipalId string

@description('Object id of the deploying user or service principal; empty to skip.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

param storageAccountName string
param serviceBusNamespaceName string
@description('The Web PubSub instances the displays are spread over.')
param webPubSubNames array
param keyVaultName string
param applicationInsightsName string

// Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  serviceBusDataOwner: '090c5cfd-751d-490a-894a-3ce6f1109419'
  webPubSubServiceOwner: '12cf5a90-567b-43ae-8102-96cf46c7d9b4'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' existing = {
  name: serviceBusNamespaceName
}

resource webPubSub 'Microsoft.SignalRService/webPubSub@2024-03-01' existing = [
  for webPubSubName in webPubSubNames: {
    name: webPubSubName
  }
]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// The app: host storage and the deployment package (blob), its state (tables).
resource appStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in [roles.storageBlobDataOwner, roles.storageTableDataContributor]: {
    name: guid(storage.id, identityPrincipalId, role)
    scope: storage
    properties: {
      principalId: identityPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

// The app: send work to its queues and receive it in the queue triggers.
resource appServiceBus 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in [roles.serviceBusDataSender, roles.serviceBusDataReceiver]: {
    name: guid(serviceBus.id, identityPrincipalId, role)
    scope: serviceBus
    properties: {
      principalId: identityPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

// The app: publish schedules and sign display client tokens, on every instance.
resource appWebPubSub 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for i in range(0, length(webPubSubNames)): {
    name: guid(webPubSub[i].id, identityPrincipalId, roles.webPubSubServiceOwner)
    scope: webPubSub[i]
    properties: {
      principalId: identityPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.webPubSubServiceOwner)
    }
  }
]

// The app: resolve Key Vault references in its app settings. Read only.
resource appKeyVault 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identityPrincipalId, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

// The app: send telemetry with Entra ID auth (local auth is off on Application Insights).
resource appTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identityPrincipalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

// The deployer: set secrets (postprovision hook, admin), and run the app locally against Azure.
resource deployerKeyVault 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(vault.id, principalId, roles.keyVaultSecretsOfficer)
  scope: vault
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsOfficer)
  }
}

resource deployerTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(storage.id, principalId, roles.storageTableDataContributor)
  scope: storage
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

// Owner, not sender/receiver: an admin may inspect and replay dead-lettered messages.
resource deployerServiceBus 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(principalId)) {
  name: guid(serviceBus.id, principalId, roles.serviceBusDataOwner)
  scope: serviceBus
  properties: {
    principalId: principalId
    principalType: principalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataOwner)
  }
}

resource deployerWebPubSub 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for i in range(0, length(webPubSubNames)): if (!empty(principalId)) {
    name: guid(webPubSub[i].id, principalId, roles.webPubSubServiceOwner)
    scope: webPubSub[i]
    properties: {
      principalId: principalId
      principalType: principalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.webPubSubServiceOwner)
    }
  }
]

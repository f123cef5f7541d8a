// Service Bus namespace and the app's queues. Identity only: local (SAS) auth is disabled, so no
// connection string or key exists to leak.

@description('Namespace name.')
param name string
param location string
param tags object = {}

@description('Queues with their delivery settings: name, lockDuration, maxDeliveryCount, defaultMessageTimeToLive.')
param queues array

resource namespace 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: name
  location: location
  tags: tags
  // Standard: Basic has no transactions, topics or auto-forwarding, which dead-letter replay and
  // later features may need; the price difference is small.
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queue 'Microsoft.ServiceBus/namespaces/queues@2022-10-01-preview' = [
  for q in queues: {
    parent: namespace
    name: q.name
    properties: {
      lockDuration: q.lockDuration
      maxDeliveryCount: q.maxDeliveryCount
      defaultMessageTimeToLive: q.defaultMessageTimeToLive
      deadLetteringOnMessageExpiration: true
      // Off on purpose: a retry re-enqueues the same message id (functions/lib/queue.ts), which
      // duplicate detection would silently drop. Consumers are idempotent per message id instead.
      requiresDuplicateDetection: false
      requiresSession: false
      enablePartitioning: false
      maxSizeInMegabytes: 1024
    }
  }
]

output name string = namespace.name
output resourceId string = namespace.id
// https://NAME.servicebus.windows.net:443/ -> NAME.servicebus.windows.net (any cloud's suffix).
output fullyQualifiedNamespace string = replace(split(namespace.properties.serviceBusEndpoint, '/')[2], ':443', '')

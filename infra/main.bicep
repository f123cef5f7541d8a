// ONES for Microsoft 365: everything one deployment needs, for `azd up`.
//
// Function App (Flex Consumption, Node) with a user-assigned managed identity; Storage (tables and the
// deployment package, shared keys off); Service Bus with the app's queues; Web PubSub with the
// displays hub; Key Vault (RBAC) for secrets; Application Insights on Log Analytics. No resource is
// reached with a key: the identity holds data-plane roles, and no output carries a key or a
// connection string. test/unit/infra/bicep-consistency.test.ts keeps this file in step with the
// app's config schema, queues and hub; docs/deploy.md is the admin's guide.

targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names and tags every resource.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer the Flex Consumption plan and Web PubSub; docs/deploy.md shows how to list those regions.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the person (or service principal) deploying: gets Key Vault secrets officer and data roles to run the app locally. Empty to skip.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

@description('Public origin of the app when it has a custom domain; empty for the Function App\'s own host name.')
param appBaseUrl string = ''

@description('Domain of Function App host names: azurewebsites.net, or chinacloudsites.cn in Azure operated by 21Vianet.')
param appServiceDomain string = environment().name == 'AzureChinaCloud' ? 'chinacloudsites.cn' : 'azurewebsites.net'

@description('Node.js version of the Functions runtime (ONES_NODE_VERSION).')
@allowed(['20', '22'])
param nodeVersion string = '22'

@description('Most instances the Flex Consumption plan may scale out to (ONES_MAXIMUM_INSTANCE_COUNT); Flex accepts 40 to 1000.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each instance in MB (ONES_INSTANCE_MEMORY_MB).')
@allowed([2048, 4096])
param instanceMemoryMB int = 2048

@description('Prefix of every table name (TABLE_PREFIX).')
param tablePrefix string = 'ones'

@allowed(['global', 'china'])
@description('Microsoft 365 service operator (M365_CLOUD): Microsoft global, or 21Vianet in China.')
param m365Cloud string = 'global'

// The integration until an admin saves it in ONES, so the first admin can sign in (docs/deploy.md §2).
@description('Tenant (directory) id of the Microsoft 365 organisation (M365_TENANT_ID).')
param m365TenantId string = ''
@description('Client (application) id of the ONES app registration (M365_CLIENT_ID).')
param m365ClientId string = ''
@allowed(['', 'application', 'delegated', 'delegated-resource-only', 'application-resource-only'])
@description('Integration mode (M365_INTEGRATION_MODE).')
param m365IntegrationMode string = ''
@description('Object id of the Entra group whose members are ONES admins (M365_ADMIN_GROUP_ID).')
param m365AdminGroupId string = ''
@description('When the client secret in Key Vault expires, ISO date such as 2027-03-20 (M365_CLIENT_SECRET_EXPIRES_AT); drives the expiry warnings.')
param m365ClientSecretExpiresAt string = ''
@description('Comma-separated addresses of the admins who get the secret expiry warnings (M365_ADMIN_EMAILS).')
param m365AdminEmails string = ''

@allowed(['none', 'sendgrid', 'smtp'])
param mailChannel string = 'none'
param mailFromName string = 'ONES'
param smtpHost string = ''
param smtpPort string = '587'
@allowed(['starttls', 'tls', 'none'])
param smtpSecurity string = 'starttls'
param smtpUser string = ''

// Timer schedules (six-field NCRONTAB). Timers bound to `%SETTING%` need the setting present in Azure,
// or the host cannot index the function.
@description('When the secret-expiry timer runs (SECRET_EXPIRY_SCHEDULE).')
param secretExpirySchedule string = '0 0 7 * * *'
@description('When the rooms-sync timer runs (ROOMS_SYNC_SCHEDULE).')
param roomsSyncSchedule string = '0 0 * * * *'
@description('When the directory-sync timer runs (DIRECTORY_SYNC_SCHEDULE).')
param directorySyncSchedule string = '0 */15 * * * *'
@description('When the housekeeping timer purges expired rows (HOUSEKEEPING_SCHEDULE).')
param housekeepingSchedule string = '0 30 3 * * *'
@description('When the display-health timer checks for silent displays (DISPLAY_HEALTH_SCHEDULE).')
param displayHealthSchedule string = '0 */5 * * * *'
@description('When the auto-release timer gives back rooms nobody checked in to (AUTO_RELEASE_SCHEDULE).')
param autoReleaseSchedule string = '0 * * * * *'
@description('Minutes without a heartbeat before the admins hear a display is offline (DISPLAY_SILENT_MINUTES).')
param displaySilentMinutes string = '10'
@description('Minutes an unclaimed Outlook add-in hold keeps its room (HOLD_MINUTES).')
param holdMinutes string = '10'
@description('When the holds-expire timer frees lapsed add-in holds (HOLDS_EXPIRE_SCHEDULE).')
param holdsExpireSchedule string = '0 * * * * *'
@description('IANA time zone of rooms whose zone Graph does not tell (ROOMS_DEFAULT_TIME_ZONE).')
param roomsDefaultTimeZone string = 'UTC'
@description('When the subscriptions-renew timer runs (SUBSCRIPTIONS_RENEW_SCHEDULE).')
param subscriptionsRenewSchedule string = '0 */30 * * * *'
@description('Lifetime of each room-calendar subscription in minutes, 45 to 10070 (SUBSCRIPTION_LIFETIME_MINUTES).')
param subscriptionLifetimeMinutes string = '4200'
@description('Days ahead that room calendars are read (CALENDAR_SYNC_DAYS).')
param calendarSyncDays string = '180'
@description('When the calendar-reconcile timer runs (CALENDAR_RECONCILE_SCHEDULE).')
param calendarReconcileSchedule string = '0 */15 * * * *'
@description('Days ahead the reconcile compares, 1 to 60 (CALENDAR_RECONCILE_DAYS).')
param calendarReconcileDays string = '14'
@description('When the calendar-poll timer reads room calendars in the delegated modes; its period is the poll interval (CALENDAR_POLL_SCHEDULE).')
param calendarPollSchedule string = '0 */1 * * * *'

@description('Web PubSub tier (ONES_WEBPUBSUB_SKU): Free_F1 allows 20 connections, for a trial.')
@allowed(['Free_F1', 'Standard_S1', 'Premium_P1'])
param webPubSubSku string = 'Standard_S1'

@description('Room and floor displays planned (ONES_WEBPUBSUB_DISPLAYS): Web PubSub is sized for them at 80% of its connections, over as many instances of at most 10 units as needed.')
@minValue(1)
param webPubSubDisplays int = 800

@description('Purge protection on the Key Vault (ONES_KEY_VAULT_PURGE_PROTECTION); once on, it cannot be turned off.')
param keyVaultPurgeProtection bool = true

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
var storageAccountName = '${abbrs.storageStorageAccounts}${resourceToken}'
var deploymentContainerName = 'app-package'
var resolvedAppBaseUrl = !empty(appBaseUrl) ? appBaseUrl : 'https://${functionAppName}.${appServiceDomain}'
// Storage endpoints from the cloud's own suffix (core.windows.net, core.chinacloudapi.cn, …).
var blobEndpoint = 'https://${storageAccountName}.blob.${environment().suffixes.storage}'
var queueEndpoint = 'https://${storageAccountName}.queue.${environment().suffixes.storage}'
var tablesEndpoint = 'https://${storageAccountName}.table.${environment().suffixes.storage}'

// The hub the displays connect to; the app's WEBPUBSUB_HUB default.
var webPubSubHub = 'displays'
// Web PubSub sizing. A unit holds 1,000 connections, planned at no more than 80% (800 displays). One
// instance takes 1 to 10 units, then only 20, 30, … 100, so past 8,000 displays they are spread over
// instances of at most 10 units each (10,000 displays: 2 × 7 units, not 1 × 20). Free_F1: one unit.
var webPubSubUnitsNeeded = webPubSubSku == 'Free_F1' ? 1 : (webPubSubDisplays + 799) / 800
var webPubSubInstances = (webPubSubUnitsNeeded + 9) / 10
var webPubSubUnitsPerInstance = (webPubSubUnitsNeeded + webPubSubInstances - 1) / webPubSubInstances

// Every queue the app uses (shared/app/ports/work-queue.ts), with its delivery settings, which equal
// the app's queueSettings there (checked by test/unit/infra/bicep-consistency.test.ts). The app
// retries transient failures itself with backoff (functions/lib/queue.ts); maxDeliveryCount only
// catches a consumer that cannot even record a failure, and expired messages are dead-lettered.
var serviceBusQueues = [
  {
    // Booking writes to Graph: a Graph call or two per message.
    name: 'booking-commands'
    lockDuration: 'PT1M'
    maxDeliveryCount: 10
    defaultMessageTimeToLive: 'P1D'
  }
  {
    // Reads a room calendar window and reconciles: the slowest consumer (the host renews the lock).
    name: 'calendar-changes'
    lockDuration: 'PT1M'
    maxDeliveryCount: 10
    defaultMessageTimeToLive: 'P1D'
  }
  {
    // One message per e-mail; a mail provider outage may last a while, so keep mail longer.
    name: 'mail'
    lockDuration: 'PT1M'
    maxDeliveryCount: 10
    defaultMessageTimeToLive: 'P3D'
  }
  {
    // An admin's "run now" of a sync (POST /api/admin/sync/{kind}); one run lasts minutes, so the
    // longest lock Service Bus allows (the host renews it while the run goes on).
    name: 'sync-run'
    lockDuration: 'PT5M'
    maxDeliveryCount: 10
    defaultMessageTimeToLive: 'P1D'
  }
]

// Key Vault secrets the app settings reference. None is created with a value by this template:
// `generated` ones are created by infra/hooks/postprovision (random, kept across deployments),
// `admin` ones are set by the admin (docs/deploy.md, "Secrets"). A reference to a secret that
// does not exist yet stays unresolved until it is set.
var keyVaultSecrets = [
  { name: 'm365-client-secret', setBy: 'admin' }
  { name: 'sendgrid-api-key', setBy: 'admin' }
  { name: 'smtp-password', setBy: 'admin' }
  { name: 'session-key', setBy: 'generated' }
  { name: 'token-encryption-key', setBy: 'generated' }
]

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}${resourceToken}'
    location: location
    tags: tags
  }
}

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.11.1' = {
  name: 'log-analytics'
  scope: rg
  params: {
    name: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    location: location
    tags: tags
    dataRetention: 30
  }
}

module monitoring 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'application-insights'
  scope: rg
  params: {
    name: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: logAnalytics.outputs.resourceId
    disableLocalAuth: true
  }
}

module storage 'br/public:avm/res/storage/storage-account:0.8.3' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: tags
    kind: 'StorageV2'
    skuName: 'Standard_LRS'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [{ name: deploymentContainerName }]
    }
    // No tables here: the app creates each table on first use, under TABLE_PREFIX.
  }
}

module serviceBus 'modules/service-bus.bicep' = {
  name: 'service-bus'
  scope: rg
  params: {
    name: '${abbrs.serviceBusNamespaces}${resourceToken}'
    location: location
    tags: tags
    queues: serviceBusQueues
  }
}

module webPubSub 'modules/web-pubsub.bicep' = {
  name: 'web-pubsub'
  scope: rg
  params: {
    name: '${abbrs.signalRServiceWebPubSub}${resourceToken}'
    location: location
    tags: tags
    hubName: webPubSubHub
    skuName: webPubSubSku
    instances: webPubSubInstances
    capacity: webPubSubUnitsPerInstance
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  scope: rg
  params: {
    name: '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    enablePurgeProtection: keyVaultPurgeProtection
  }
}

module roleAssignments 'modules/role-assignments.bicep' = {
  name: 'role-assignments'
  scope: rg
  params: {
    identityPrincipalId: identity.outputs.principalId
    principalId: principalId
    principalType: principalType
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
    webPubSubNames: webPubSub.outputs.names
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.name
  }
}

// Every key of the app's config schema (shared/config) is here, or listed in
// infra/optional-settings.json with the reason it is not. Secrets are Key Vault references
// (versionless, so a new secret version is picked up without a deployment).
var appSettings = {
  // Functions host: its storage and telemetry, through the identity. Service URIs rather than
  // __accountName, which only the global cloud resolves.
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tablesEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'

  // Core (shared/config/sections/core.ts).
  APP_BASE_URL: resolvedAppBaseUrl
  TABLES_ENDPOINT: tablesEndpoint
  TABLE_PREFIX: tablePrefix
  SERVICEBUS__fullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
  SERVICEBUS__credential: 'managedidentity'
  SERVICEBUS__clientId: identity.outputs.clientId
  AZURE_CLIENT_ID: identity.outputs.clientId

  // Realtime (shared/config/sections/realtime.ts).
  // Every instance, comma-separated: the app spreads the displays over them.
  WEBPUBSUB_ENDPOINT: join(webPubSub.outputs.endpoints, ',')
  WEBPUBSUB_HUB: webPubSubHub

  // Microsoft 365 (shared/config/sections/m365.ts) and the sign-in keys.
  M365_CLOUD: m365Cloud
  M365_TENANT_ID: m365TenantId
  M365_CLIENT_ID: m365ClientId
  M365_INTEGRATION_MODE: m365IntegrationMode
  M365_ADMIN_GROUP_ID: m365AdminGroupId
  M365_CLIENT_SECRET_EXPIRES_AT: m365ClientSecretExpiresAt
  M365_ADMIN_EMAILS: m365AdminEmails
  M365_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/m365-client-secret/)'
  SESSION_KEY: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/session-key/)'
  TOKEN_ENCRYPTION_KEY: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/token-encryption-key/)'

  // Mail (shared/config/sections/mail.ts).
  MAIL_CHANNEL: mailChannel
  MAIL_FROM_NAME: mailFromName
  SENDGRID_API_KEY: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/sendgrid-api-key/)'
  SMTP_HOST: smtpHost
  SMTP_PORT: smtpPort
  SMTP_SECURITY: smtpSecurity
  SMTP_USER: smtpUser
  SMTP_PASSWORD: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/smtp-password/)'
  SECRET_EXPIRY_SCHEDULE: secretExpirySchedule

  // Room, user and group sync (shared/config/sections/sync.ts).
  ROOMS_SYNC_SCHEDULE: roomsSyncSchedule
  DIRECTORY_SYNC_SCHEDULE: directorySyncSchedule
  ROOMS_DEFAULT_TIME_ZONE: roomsDefaultTimeZone

  // Outlook to ONES: room-calendar subscriptions and reads (shared/config/sections/calendar.ts).
  SUBSCRIPTIONS_RENEW_SCHEDULE: subscriptionsRenewSchedule
  SUBSCRIPTION_LIFETIME_MINUTES: subscriptionLifetimeMinutes
  CALENDAR_SYNC_DAYS: calendarSyncDays
  CALENDAR_RECONCILE_SCHEDULE: calendarReconcileSchedule
  CALENDAR_RECONCILE_DAYS: calendarReconcileDays
  CALENDAR_POLL_SCHEDULE: calendarPollSchedule

  // Housekeeping (shared/config/sections/housekeeping.ts).
  HOUSEKEEPING_SCHEDULE: housekeepingSchedule

  // Room and floor displays (shared/config/sections/displays.ts).
  DISPLAY_HEALTH_SCHEDULE: displayHealthSchedule
  AUTO_RELEASE_SCHEDULE: autoReleaseSchedule
  DISPLAY_SILENT_MINUTES: displaySilentMinutes

  // Outlook add-in holds (shared/config/sections/holds.ts).
  HOLD_MINUTES: holdMinutes
  HOLDS_EXPIRE_SCHEDULE: holdsExpireSchedule
}

module plan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'plan'
  scope: rg
  params: {
    name: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    reserved: true
  }
}

module functionApp 'br/public:avm/res/web/site:0.15.1' = {
  name: 'function-app'
  scope: rg
  params: {
    kind: 'functionapp,linux'
    name: functionAppName
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    serverFarmResourceId: plan.outputs.resourceId
    httpsOnly: true
    managedIdentities: {
      systemAssigned: false
      userAssignedResourceIds: [identity.outputs.resourceId]
    }
    // Key Vault references resolve with the user-assigned identity, not a system-assigned one.
    keyVaultAccessIdentityResourceId: identity.outputs.resourceId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}/${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.outputs.resourceId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
    siteConfig: {
      alwaysOn: false
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    appSettingsKeyValuePairs: appSettings
  }
  dependsOn: [
    roleAssignments
  ]
}

// Outputs are named as app settings, so `azd env get-values` can fill a local settings file that
// reaches these resources with your own sign-in. No key or connection string is output.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionAppName
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output SERVICE_API_NAME string = functionAppName
output SERVICE_API_URI string = resolvedAppBaseUrl
output TABLES_ENDPOINT string = tablesEndpoint
output TABLE_PREFIX string = tablePrefix
output SERVICEBUS__fullyQualifiedNamespace string = serviceBus.outputs.fullyQualifiedNamespace
output WEBPUBSUB_ENDPOINT string = join(webPubSub.outputs.endpoints, ',')
output WEBPUBSUB_HUB string = webPubSubHub
output M365_CLOUD string = m365Cloud

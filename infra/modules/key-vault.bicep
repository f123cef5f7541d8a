// Key Vault in RBAC mode for the app's secrets. The template creates no secret values: values never
// pass through deployment history. The postprovision hook generates the encryption keys and the
// admin sets the rest (docs/deploy.md, "Secrets").

param name string
param location string
param tags object = {}

@description('Purge protection cannot be turned off again; it keeps a deleted vault (and its keys) recoverable for 90 days.')
param enablePurgeProtection bool = true

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

output name string = vault.name
output resourceId string = vault.id
// Ends with a slash: https://NAME.vault.azure.net/
output uri string = vault.properties.vaultUri

// Key Vault in RBAC mode holding the JWT signing secret. The app reads it through a Key Vault
// reference resolved with its managed identity (Key Vault Secrets User, rbac.bicep); the value is
// never in an app setting, a template or a parameter file.

@description('Key Vault name (3-24 characters).')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the vault.')
param tags object

@description('Days a deleted vault or secret can be recovered (7-90).')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int = 7

@description('Purge protection: a deleted vault cannot be purged before its retention ends. Cannot be turned off again; azd down --purge cannot remove such a vault.')
param enablePurgeProtection bool = false

@description('Write the jwt-secret secret (false when an earlier provision already wrote it, so tokens stay valid).')
param writeJwtSecret bool = true

@secure()
@description('Value of the jwt-secret secret.')
param jwtSecret string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    // The API refuses an explicit false: leave the property out unless it is turned on.
    enablePurgeProtection: enablePurgeProtection ? true : null
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource jwtSecretResource 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (writeJwtSecret) {
  parent: vault
  name: 'jwt-secret'
  properties: {
    value: jwtSecret
    contentType: 'HMAC key for access and bot tokens'
  }
}

output name string = vault.name
// Versionless, with the trailing slash: the app follows the newest version after a rotation.
output jwtSecretUri string = '${vault.properties.vaultUri}secrets/jwt-secret/'

// One `azd up`: a keyless, least-privilege deployment of the file-sharing service on Azure
// Functions Flex Consumption. Resources are plain declarations in ./modules, no registry modules.
// Written for Bicep CLI 0.33 or later; checked offline by tests/infra (pycep-parser), so keep to
// syntax it reads and parenthesise `?:` conditions and mixed arithmetic (it ignores precedence).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer Flex Consumption: az functionapp list-flexconsumption-locations.')
param location string

@description('Object id of the deploying user or pipeline (azd passes AZURE_PRINCIPAL_ID): gets data access for troubleshooting and may rotate the JWT secret. Empty: none.')
param principalId string = ''

@description('Kind of principal principalId is: User, or ServicePrincipal for a pipeline.')
@allowed(['User', 'ServicePrincipal'])
param principalType string = 'User'

@description('Origin of the web page that uploads and downloads blobs directly (CORS). Empty: the function app\'s own https origin.')
param webOrigin string = ''

@description('Memory of each function app instance in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Most instances the function app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Storage account SKU.')
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_RAGRS'])
param storageSkuName string = 'Standard_LRS'

@description('Days a deleted container can be restored. Single blobs have no soft delete: a deleted file is gone for good.')
@minValue(1)
@maxValue(365)
param containerSoftDeleteDays int = 7

@description('MAX_UPLOAD_BYTES: largest file accepted (100 MiB).')
@minValue(1)
param maxUploadBytes int = 104857600

@description('DEFAULT_TTL_SECONDS: lifetime of a file when the upload names none (7 days).')
@minValue(1)
param defaultTtlSeconds int = 604800

@description('MAX_TTL_SECONDS: longest lifetime a file may ask for (30 days); the lifecycle rule deletes file blobs a day later.')
@minValue(1)
param maxTtlSeconds int = 2592000

@description('CLEANUP_SCHEDULE: NCRONTAB schedule of the cleanup timer, in UTC.')
param cleanupSchedule string = '0 */5 * * * *'

@description('ACCESS_TOKEN_TTL_SECONDS: lifetime of a user access token (1 day).')
@minValue(1)
param accessTokenTtlSeconds int = 86400

@description('BOT_TOKEN_TTL_SECONDS: lifetime of a bot token (180 days).')
@minValue(1)
param botTokenTtlSeconds int = 15552000

@description('UPLOAD_RATE_LIMIT_PER_MINUTE: uploads per client per minute.')
@minValue(1)
param uploadRateLimitPerMinute int = 2

@description('AUTH_RATE_LIMIT_PER_MINUTE: login attempts per client per minute.')
@minValue(1)
param authRateLimitPerMinute int = 10

@description('WRONG_PASSWORD_LIMIT: wrong link passwords per client per window (a link: 3x).')
@minValue(1)
param wrongPasswordLimit int = 10

@description('BUFFER_HISTORY: items kept in each account\'s cloud-buffer history.')
@minValue(1)
param bufferHistory int = 10

@description('BUFFER_TTL_SECONDS: lifetime of a cloud-buffer item (2 hours); at most maxTtlSeconds.')
@minValue(1)
param bufferTtlSeconds int = 7200

@description('MAX_FILES_PER_USER: private files an account keeps before its oldest are deleted; 0 for no limit.')
@minValue(0)
param maxFilesPerUser int = 0

@description('MAX_DIRECT_UPLOAD_BYTES: largest file a client may upload straight to storage (50 GiB).')
@minValue(1)
param maxDirectUploadBytes int = 53687091200

@description('UPLOAD_SAS_TTL_SECONDS: lifetime of a direct upload\'s SAS (15 minutes), renewed by the client; at most maxUploadSeconds.')
@minValue(1)
@maxValue(604800)
param uploadSasTtlSeconds int = 900

@description('MAX_UPLOAD_SECONDS: longest a direct upload stays writable, renewals included (1 day); at most 7 days.')
@minValue(1)
@maxValue(604800)
param maxUploadSeconds int = 86400

@description('STORAGE_TIMEOUT_SECONDS: one storage operation, retries included, answers 503 after this long.')
@minValue(1)
@maxValue(60)
param storageTimeoutSeconds int = 10

@description('CORS_ALLOWED_ORIGINS: comma-separated origins of browser apps that may call the API (exact, e.g. https://app.example). Empty: none. Sets the function app\'s CORS too.')
param corsAllowedOrigins string = ''

@description('WEBHOOK_TIMEOUT_SECONDS: how long a webhook receiver has to answer one delivery (at most 60).')
@minValue(1)
@maxValue(60)
param webhookTimeoutSeconds int = 10

@description('WEBHOOK_DISABLE_AFTER_FAILURES: events in a row that fail every retry before a webhook is disabled.')
@minValue(1)
param webhookDisableAfterFailures int = 5

@description('Scan uploads with Microsoft Defender for Storage (extra cost); the app then serves only files scanned clean.')
param enableMalwareScanning bool = false

@description('Days a deleted Key Vault or secret can be recovered.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionDays int = 7

@description('Key Vault purge protection (recommended in production; it cannot be turned off again and blocks azd down --purge).')
param keyVaultPurgeProtection bool = false

@secure()
@description('HMAC key signing the app\'s tokens, stored as Key Vault secret jwt-secret. Default: 64 random hex digits generated at deployment.')
param jwtSecret string = replace('${newGuid()}${newGuid()}', '-', '')

@description('Vault an earlier provision of this environment wrote jwt-secret to (azd feeds the JWT_SECRET_VAULT_NAME output back). When it is this deployment\'s vault the secret is left as it is, so tokens survive re-provisioning.')
param jwtSecretVaultName string = ''

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var functionAppName = 'func-api-${resourceToken}'
var keyVaultName = 'kv-${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    skuName: storageSkuName
    deploymentContainerName: 'app-package'
    maxTtlSeconds: maxTtlSeconds
    enableMalwareScanning: enableMalwareScanning
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    name: keyVaultName
    location: location
    tags: tags
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionDays
    enablePurgeProtection: keyVaultPurgeProtection
    writeJwtSecret: jwtSecretVaultName != keyVaultName
    jwtSecret: jwtSecret
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    identityPrincipalId: identity.outputs.principalId
    principalId: principalId
    principalType: principalType
  }
}

module app 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    name: functionAppName
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultName: keyVault.outputs.name
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    maxUploadBytes: maxUploadBytes
    defaultTtlSeconds: defaultTtlSeconds
    maxTtlSeconds: maxTtlSeconds
    cleanupSchedule: cleanupSchedule
    accessTokenTtlSeconds: accessTokenTtlSeconds
    botTokenTtlSeconds: botTokenTtlSeconds
    uploadRateLimitPerMinute: uploadRateLimitPerMinute
    authRateLimitPerMinute: authRateLimitPerMinute
    wrongPasswordLimit: wrongPasswordLimit
    bufferHistory: bufferHistory
    bufferTtlSeconds: bufferTtlSeconds
    maxFilesPerUser: maxFilesPerUser
    maxDirectUploadBytes: maxDirectUploadBytes
    uploadSasTtlSeconds: uploadSasTtlSeconds
    storageTimeoutSeconds: storageTimeoutSeconds
    corsAllowedOrigins: corsAllowedOrigins
    maxUploadSeconds: maxUploadSeconds
    enableMalwareScanning: enableMalwareScanning
    webhookTimeoutSeconds: webhookTimeoutSeconds
    webhookDisableAfterFailures: webhookDisableAfterFailures
  }
  // The roles must exist before the host starts and resolves the Key Vault reference.
  dependsOn: [
    rbac
  ]
}

module blobService 'modules/blob-service.bicep' = {
  name: 'blob-service'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    allowedOrigins: [
      (empty(webOrigin)) ? app.outputs.uri : webOrigin
    ]
    containerSoftDeleteDays: containerSoftDeleteDays
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output API_BASE_URL string = app.outputs.uri
output JWT_SECRET_VAULT_NAME string = keyVault.outputs.name

// The Flex Consumption plan and the function app (Linux, Python 3.11), running as the
// user-assigned identity. App settings hold endpoints, client ids and a Key Vault reference:
// no key, no connection string with a key, no secret value.
// Flex Consumption takes its runtime and deployment from functionAppConfig: never set
// FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE or
// WEBSITE_TIME_ZONE here (timers run in UTC).

@description('Function app name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region.')
param location string

@description('Tags applied to the plan and the app.')
param tags object

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (DefaultAzureCredential and the host pick it by client id).')
param identityClientId string

@description('Blob endpoint of the storage account, with its trailing slash.')
param blobEndpoint string

@description('Queue endpoint of the storage account, with its trailing slash.')
param queueEndpoint string

@description('Table endpoint of the storage account, with its trailing slash.')
param tableEndpoint string

@description('Container holding the deployment package.')
param deploymentContainerName string

@description('Application Insights component for telemetry.')
param applicationInsightsName string

@description('Key Vault holding jwt-secret.')
param keyVaultName string

@description('Memory of each instance in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('MAX_UPLOAD_BYTES: largest file accepted.')
param maxUploadBytes int

@description('DEFAULT_TTL_SECONDS: lifetime of a file when the upload names none.')
param defaultTtlSeconds int

@description('MAX_TTL_SECONDS: longest lifetime a file may ask for.')
param maxTtlSeconds int

@description('CLEANUP_SCHEDULE: NCRONTAB schedule of the cleanup timer (UTC).')
param cleanupSchedule string

@description('ACCESS_TOKEN_TTL_SECONDS: lifetime of a user access token.')
param accessTokenTtlSeconds int

@description('BOT_TOKEN_TTL_SECONDS: lifetime of a bot token.')
param botTokenTtlSeconds int

@description('UPLOAD_RATE_LIMIT_PER_MINUTE: uploads per client per minute.')
param uploadRateLimitPerMinute int

@description('AUTH_RATE_LIMIT_PER_MINUTE: login attempts per client per minute.')
param authRateLimitPerMinute int

@description('WRONG_PASSWORD_LIMIT: wrong link passwords per client per window (a link: 3x).')
param wrongPasswordLimit int

@description('BUFFER_HISTORY: items kept in each account\'s cloud-buffer history.')
param bufferHistory int

@description('BUFFER_TTL_SECONDS: lifetime of a cloud-buffer item.')
param bufferTtlSeconds int

@description('MAX_FILES_PER_USER: private files an account keeps; 0 for no limit.')
param maxFilesPerUser int

@description('MAX_DIRECT_UPLOAD_BYTES: largest file a client may upload straight to storage.')
param maxDirectUploadBytes int

@description('UPLOAD_SAS_TTL_SECONDS: lifetime of a direct upload\'s SAS, renewed by the client.')
param uploadSasTtlSeconds int

@description('STORAGE_TIMEOUT_SECONDS: deadline of one storage operation, retries included.')
param storageTimeoutSeconds int

@description('CORS_ALLOWED_ORIGINS: comma-separated origins of browser apps that may call the API; empty: none.')
param corsAllowedOrigins string

@description('MAX_UPLOAD_SECONDS: longest a direct upload stays writable, renewals included.')
param maxUploadSeconds int

@description('MALWARE_SCANNING: Defender for Storage scans uploads; the app waits for a clean result.')
param enableMalwareScanning bool

@description('WEBHOOK_TIMEOUT_SECONDS: how long a webhook receiver has to answer one delivery.')
param webhookTimeoutSeconds int

@description('WEBHOOK_DISABLE_AFTER_FAILURES: events in a row failing every retry before a webhook is disabled.')
param webhookDisableAfterFailures int

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      // The platform answers preflights and allows these origins (any method and header); the
      // app reads the same list as CORS_ALLOWED_ORIGINS.
      cors: {
        allowedOrigins: (empty(corsAllowedOrigins)) ? [] : map(split(corsAllowedOrigins, ','), origin => trim(origin))
        supportCredentials: false
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
  }
}

// Deployments authenticate with Entra ID; basic-auth publishing stays off.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// A separate resource so PUBLIC_BASE_URL can use the app's own default host name.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Functions host: storage through the managed identity, telemetry through Entra ID.
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: blobEndpoint
    AzureWebJobsStorage__queueServiceUri: queueEndpoint
    AzureWebJobsStorage__tableServiceUri: tableEndpoint
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    PYTHON_ENABLE_INIT_INDEXING: '1'
    // The web page is served at the site root; the host's default home page must not hide it.
    AzureWebJobsDisableHomepage: 'true'
    // The app (shared/config.py).
    AZURE_CLIENT_ID: identityClientId
    STORAGE_BLOB_ENDPOINT: blobEndpoint
    STORAGE_TABLE_ENDPOINT: tableEndpoint
    STORAGE_QUEUE_ENDPOINT: queueEndpoint
    PUBLIC_BASE_URL: 'https://${site.properties.defaultHostName}'
    MAX_UPLOAD_BYTES: string(maxUploadBytes)
    DEFAULT_TTL_SECONDS: string(defaultTtlSeconds)
    MAX_TTL_SECONDS: string(maxTtlSeconds)
    CLEANUP_SCHEDULE: cleanupSchedule
    ACCESS_TOKEN_TTL_SECONDS: string(accessTokenTtlSeconds)
    BOT_TOKEN_TTL_SECONDS: string(botTokenTtlSeconds)
    UPLOAD_RATE_LIMIT_PER_MINUTE: string(uploadRateLimitPerMinute)
    AUTH_RATE_LIMIT_PER_MINUTE: string(authRateLimitPerMinute)
    WRONG_PASSWORD_LIMIT: string(wrongPasswordLimit)
    RATE_LIMIT_WINDOW_SECONDS: '60'
    MALWARE_SCANNING: enableMalwareScanning ? 'true' : 'false'
    BUFFER_HISTORY: string(bufferHistory)
    BUFFER_TTL_SECONDS: string(bufferTtlSeconds)
    MAX_FILES_PER_USER: string(maxFilesPerUser)
    MAX_DIRECT_UPLOAD_BYTES: string(maxDirectUploadBytes)
    UPLOAD_SAS_TTL_SECONDS: string(uploadSasTtlSeconds)
    STORAGE_TIMEOUT_SECONDS: string(storageTimeoutSeconds)
    CORS_ALLOWED_ORIGINS: corsAllowedOrigins
    MAX_UPLOAD_SECONDS: string(maxUploadSeconds)
    // Webhook receivers are untrusted: never the private network, the platform or metadata.
    WEBHOOK_ALLOW_PRIVATE_DESTINATIONS: 'false'
    WEBHOOK_TIMEOUT_SECONDS: string(webhookTimeoutSeconds)
    WEBHOOK_DISABLE_AFTER_FAILURES: string(webhookDisableAfterFailures)
    // Versionless reference with the trailing slash: a new secret version is picked up on refresh.
    JWT_SECRET: '@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/jwt-secret/)'
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output uri string = 'https://${site.properties.defaultHostName}'

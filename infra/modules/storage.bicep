// The one storage account: the app's blobs, tables and queues, the Functions host's state and
// the deployment package. Shared keys are off, so every caller authenticates with Entra ID.
// Blob service properties (soft delete, CORS) live in blob-service.bicep, deployed after the app.

@description('Storage account name (3-24 lowercase letters and digits).')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the account.')
param tags object

@description('Storage account SKU.')
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_RAGRS'])
param skuName string = 'Standard_LRS'

@description('Container Flex Consumption reads the deployment package from.')
param deploymentContainerName string

@description('Longest time a file may live (MAX_TTL_SECONDS); the lifecycle rule deletes file blobs a day after it.')
@minValue(1)
param maxTtlSeconds int

@description('Turn on Microsoft Defender for Storage malware scanning on upload (billed per account and per GB scanned).')
param enableMalwareScanning bool = false

@description('Monthly cap of scanned data in GB when malware scanning is on.')
@minValue(1)
param malwareScanningCapGBPerMonth int = 5000

// Tables the app uses; it also creates them on first use. Later features append here.
var tableNames = [
  'files'
  'expiry'
  'users'
  'tokens'
  'groups'
  'invites'
  'memberships'
  'ownerfiles'
  'ratelimits'
  'buffer'
  'filecounts'
  'uploads'
  'webhooks'
  'deliveries'
  'shares'
  'reverseshares'
]

// Queues the app uses: webhook events wait in `webhooks` for the queue-triggered delivery
// function; after host.json's maxDequeueCount failures the host moves one to `webhooks-poison`.
var queueNames = [
  'webhooks'
  'webhooks-poison'
]

// Whole days in the longest TTL, rounded up, plus one: the lifecycle backstop under the cleanup timer.
var lifecycleDeleteAfterDays = ((maxTtlSeconds + 86399) / 86400) + 1

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      services: {
        blob: {
          enabled: true
        }
        table: {
          enabled: true
        }
        queue: {
          enabled: true
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

// The app's blobs: file bytes under f/<file_url>, upload buffers under b/.
resource fileContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'fileshare'
  properties: {
    publicAccess: 'None'
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for tableName in tableNames: {
    parent: tableService
    name: tableName
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

// Backstop under the cleanup timer: file and buffer blobs are deleted a day after the longest
// allowed expiry (the platform runs lifecycle rules about once a day, so allow up to a day more),
// with the snapshot a direct upload keeps of its published bytes (a base blob with snapshots
// would otherwise not be deleted).
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-expired-file-blobs'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                'fileshare/f/'
                'fileshare/b/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: lifecycleDeleteAfterDays
                }
              }
              snapshot: {
                delete: {
                  daysAfterCreationGreaterThan: lifecycleDeleteAfterDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

// Scan results land as blob index tags the app reads before serving a file.
resource malwareScanning 'Microsoft.Security/defenderForStorageSettings@2022-12-01-preview' = if (enableMalwareScanning) {
  name: 'current'
  scope: storage
  properties: {
    isEnabled: true
    overrideSubscriptionLevelSettings: true
    malwareScanning: {
      onUpload: {
        isEnabled: true
        capGBPerMonth: malwareScanningCapGBPerMonth
      }
    }
    sensitiveDataDiscovery: {
      isEnabled: false
    }
  }
}

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
output fileContainerName string = fileContainer.name
output deploymentContainerName string = deploymentContainer.name
output tableNames array = tableNames
output queueNames array = queueNames

// Blob service properties: what deleted data leaves behind, and the CORS rule that lets the web
// page PUT blocks and GET blobs directly with a SAS. Deployed after the function app because the
// default allowed origin is the app's own https host name, known only once the app exists.
//
// A deleted, expired or used-up file must be gone for good (SECURITY.md), also for anyone with
// storage access: no blob soft delete, no versions, no change feed or point-in-time restore, all
// of which would keep its bytes restorable. Only a whole deleted container can be restored, for
// containerSoftDeleteDays: an operator's mistake, not a user's delete.

@description('Name of the storage account (created by storage.bicep).')
param storageAccountName string

@description('Browser origins allowed to call Blob Storage directly, e.g. https://app.example.org.')
param allowedOrigins array

@description('Days a deleted container (never a single blob) can be restored.')
@minValue(1)
@maxValue(365)
param containerSoftDeleteDays int

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: false
    }
    isVersioningEnabled: false
    changeFeed: {
      enabled: false
    }
    restorePolicy: {
      enabled: false
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: containerSoftDeleteDays
    }
    cors: {
      corsRules: [
        {
          allowedOrigins: allowedOrigins
          allowedMethods: [
            'PUT'
            'GET'
            'HEAD'
            'OPTIONS'
          ]
          allowedHeaders: [
            'x-ms-*'
            'content-type'
            'content-length'
            'content-md5'
            'content-disposition'
            'range'
            'if-match'
            'if-none-match'
          ]
          exposedHeaders: [
            'x-ms-*'
            'content-type'
            'content-length'
            'content-range'
            'content-disposition'
            'content-md5'
            'accept-ranges'
            'etag'
            'last-modified'
          ]
          maxAgeInSeconds: 3600
        }
      ]
    }
  }
}

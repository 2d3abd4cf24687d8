// Blob service properties: soft delete, and the CORS rule that lets the web page PUT blocks and
// GET blobs directly with a SAS. Deployed after the function app because the default allowed
// origin is the app's own https host name, known only once the app exists.

@description('Name of the storage account (created by storage.bicep).')
param storageAccountName string

@description('Browser origins allowed to call Blob Storage directly, e.g. https://app.example.org.')
param allowedOrigins array

@description('Days a deleted blob or container can be restored.')
@minValue(1)
@maxValue(365)
param softDeleteDays int

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
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

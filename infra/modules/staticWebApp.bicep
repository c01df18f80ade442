metadata description = 'The portal: an Azure Static Web App (Free) serving the built single-page app. azd deploys portal/dist to it (the `portal` service in azure.yaml); the app signs users in with Entra itself (MSAL), so the platform\'s own authentication is not used.'

@description('Name of the static web app.')
param name string

@description('Azure region of the static web app\'s control plane (the content is served globally). Static Web Apps is offered in a few regions only.')
@allowed([
  'centralus'
  'eastus2'
  'westus2'
  'westeurope'
  'eastasia'
])
param location string

@description('Tags for every resource.')
param tags object

resource portal 'Microsoft.Web/staticSites@2024-11-01' = {
  name: name
  location: location
  // azd finds the deployment target of the `portal` service by this tag.
  tags: union(tags, { 'azd-service-name': 'portal' })
  sku: {
    name: 'Free'
    tier: 'Free'
  }
  properties: {
    // Deployed by azd (the SWA deployment API), not built from a linked repository.
    provider: 'Custom'
    stagingEnvironmentPolicy: 'Disabled'
    allowConfigFileUpdates: true
  }
}

output name string = portal.name
@description('The portal\'s origin, https://<name>.<id>.azurestaticapps.net: the SPA redirect URI and the API\'s one CORS origin.')
output origin string = 'https://${portal.properties.defaultHostname}'

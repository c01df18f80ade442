#!/usr/bin/env bash
# Creates (or updates, idempotently) the multi-tenant Entra JIT app registration in the provider's
# home tenant with the Azure CLI, which Bicep cannot do without the Graph extension:
#   - sign-in audience AzureADMultipleOrgs, identifier URI api://<appId>, v2 access tokens;
#   - app roles Jit.Admin and Jit.Approver, delegated scope access_as_user, with the Azure CLI
#     pre-authorised on it (so `az account get-access-token --scope api://<appId>/access_as_user`
#     works with no consent prompt);
#   - groupMembershipClaims SecurityGroup: callers' tokens carry `groups`, which group rules match;
#   - Microsoft Graph application permissions (least privilege, per operation: docs/deploy.md);
#   - its service principal in the home tenant;
#   - with --home-mail-send: Graph's Mail.Send granted in the home tenant only, for email
#     notifications from JIT_NOTIFY_MAIL_FROM. Not in requiredResourceAccess: customer tenants
#     consent to that list, and Mail.Send there would let the app send as any of their mailboxes.
#   - with --home-gdap: Graph's DelegatedAdminRelationship.Read.All granted in the home tenant only,
#     where the MSP's GDAP relationships are read (GET /api/customers, gdapGroup targets:
#     docs/gdap.md). A customer tenant has no use for it, so it is not in the list they consent to.
#   - with --identity-principal-id (after `azd provision`): the federated identity credential that
#     lets the Function App's user-assigned managed identity act as this app, with no secret.
#   - with --portal-url (after `azd provision`, JIT_PORTAL_URL by default; repeatable for a custom
#     domain): the portal's SPA redirect URIs (<url>/, the application's spa.redirectUris, exactly
#     these), where Entra may send a sign-in's code and whose origin may redeem it (code + PKCE).
# Prints the client id and the customer-tenant steps (admin-consent URL, directory role).
#
# Usage:
#   infra/scripts/create-app-registration.sh [--name "Entra JIT"] [--identity-principal-id <guid>]
#       [--consent-redirect-uri https://entra.microsoft.com/] [--consent-home-tenant] [--home-mail-send] [--home-gdap]
#       [--portal-url https://<portal host> ...]
# Needs: az (logged in to the home tenant as someone who may create app registrations; granting
# admin consent needs Privileged Role Administrator or Global Administrator).
set -euo pipefail

name="Entra JIT"
identity_principal_id="${JIT_MANAGED_IDENTITY_PRINCIPAL_ID:-}"
consent_redirect_uri="https://entra.microsoft.com/"
consent_home_tenant=0
home_mail_send=0
home_gdap=0
portal_urls=()
[[ -n "${JIT_PORTAL_URL:-}" ]] && portal_urls+=("$JIT_PORTAL_URL")
portal_urls_given=0
fic_name="entra-jit-managed-identity"
graph_app_id="00000003-0000-0000-c000-000000000000"
azure_cli_app_id="04b07795-8ddb-461a-bbee-02f9e1bf7b46"
# Application permissions, one per line with what needs it (docs/deploy.md, step 2, says more).
# Passwords are set through the user's passwordProfile (User.ReadWrite.All): Graph's password
# reset method does not support application permissions. For any user, an app-only password
# change also needs a directory role, and enabling/disabling a user who holds a privileged role
# needs a higher one: Privileged Authentication Administrator (assigned per tenant, below) covers both.
graph_permissions=(
  User.ReadWrite.All                      # create, enable, disable the JIT account; set its password
  RoleManagement.ReadWrite.Directory      # add/remove directory roles; members of role-assignable groups
  GroupMember.ReadWrite.All               # add/remove group memberships
  Domain.Read.All                         # the JIT domain is verified and managed
  Directory.Read.All                      # memberOf (entitlements, groups overage), role definitions, drift scan
  UserAuthenticationMethod.ReadWrite.All  # create and delete Temporary Access Passes; remove methods at revocation
  Policy.Read.AuthenticationMethod        # read the Temporary Access Pass policy (enabled, lifetimes)
  AuditLog.Read.All                       # customer reports: the JIT account's sign-ins (auditLogs/signIns, Entra ID P1)
)

while [[ $# -gt 0 ]]; do
  case "$1" in
    --name) name="$2"; shift 2 ;;
    --identity-principal-id) identity_principal_id="$2"; shift 2 ;;
    --consent-redirect-uri) consent_redirect_uri="$2"; shift 2 ;;
    --consent-home-tenant) consent_home_tenant=1; shift ;;
    --home-mail-send) home_mail_send=1; shift ;;
    --home-gdap) home_gdap=1; shift ;;
    --portal-url)
      # The first --portal-url replaces JIT_PORTAL_URL from the environment; more add to it.
      [[ "$portal_urls_given" == 1 ]] || portal_urls=()
      portal_urls_given=1; portal_urls+=("$2"); shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

log() { printf '==> %s\n' "$*" >&2; }

# SPA redirect URIs: https only (Entra allows http for localhost alone), the origin plus "/", as the
# portal sends (MSAL redirectUri = window.location.origin + "/").
spa_redirect_uris=""
for url in ${portal_urls[@]+"${portal_urls[@]}"}; do
  if [[ ! "$url" =~ ^https://[A-Za-z0-9.-]+(:[0-9]+)?/?$ && ! "$url" =~ ^http://(localhost|127\.0\.0\.1)(:[0-9]+)?/?$ ]]; then
    echo "--portal-url must be the portal's origin, https://<host>[:port] (http only for localhost): $url" >&2
    exit 2
  fi
  spa_redirect_uris+="${spa_redirect_uris:+,}\"${url%/}/\""
done
new_uuid() {
  if command -v uuidgen >/dev/null 2>&1; then uuidgen | tr '[:upper:]' '[:lower:]'
  elif [[ -r /proc/sys/kernel/random/uuid ]]; then cat /proc/sys/kernel/random/uuid
  else python3 -c 'import uuid; print(uuid.uuid4())'
  fi
}

command -v az >/dev/null 2>&1 || { echo "the Azure CLI (az) is required" >&2; exit 1; }
tenant_id="$(az account show --query tenantId -o tsv)"
log "home tenant $tenant_id"

app_id="$(az ad app list --display-name "$name" --query "[0].appId" -o tsv)"
if [[ -z "$app_id" ]]; then
  log "creating app registration \"$name\""
  app_id="$(az ad app create --display-name "$name" --sign-in-audience AzureADMultipleOrgs --query appId -o tsv)"
else
  log "updating app registration \"$name\" ($app_id)"
fi
object_id="$(az ad app show --id "$app_id" --query id -o tsv)"

# Keep the ids of roles and the scope that already exist: Graph refuses to change them in place.
existing_id() { az ad app show --id "$app_id" --query "$1" -o tsv; }
admin_role_id="$(existing_id "appRoles[?value=='Jit.Admin'].id | [0]")"; admin_role_id="${admin_role_id:-$(new_uuid)}"
approver_role_id="$(existing_id "appRoles[?value=='Jit.Approver'].id | [0]")"; approver_role_id="${approver_role_id:-$(new_uuid)}"
scope_id="$(existing_id "api.oauth2PermissionScopes[?value=='access_as_user'].id | [0]")"; scope_id="${scope_id:-$(new_uuid)}"

resource_access=""
for permission in "${graph_permissions[@]}"; do
  role_id="$(az ad sp show --id "$graph_app_id" --query "appRoles[?value=='$permission'].id | [0]" -o tsv)"
  [[ -n "$role_id" ]] || { echo "Microsoft Graph has no application permission $permission" >&2; exit 1; }
  resource_access+="${resource_access:+,}{\"id\":\"$role_id\",\"type\":\"Role\"}"
done

# Without a portal URL the SPA redirect URIs stay as they are (the first run comes before provisioning).
spa_json=""
if [[ -n "$spa_redirect_uris" ]]; then
  log "SPA redirect URIs (the portal): $spa_redirect_uris"
  spa_json=$'\n  "spa": { "redirectUris": ['"$spa_redirect_uris"'] },'
fi

body="$(mktemp)"
trap 'rm -f "$body"' EXIT
cat >"$body" <<JSON
{
  "identifierUris": ["api://$app_id"],
  "signInAudience": "AzureADMultipleOrgs",
  "groupMembershipClaims": "SecurityGroup",
  "web": { "redirectUris": ["$consent_redirect_uri"] },$spa_json
  "api": {
    "requestedAccessTokenVersion": 2,
    "oauth2PermissionScopes": [{
      "id": "$scope_id", "value": "access_as_user", "type": "User", "isEnabled": true,
      "adminConsentDisplayName": "Use Entra JIT as the signed-in user",
      "adminConsentDescription": "Lets a portal call the Entra JIT API on behalf of the signed-in user.",
      "userConsentDisplayName": "Use Entra JIT as you",
      "userConsentDescription": "Lets the portal call Entra JIT on your behalf."
    }]
  },
  "appRoles": [
    { "id": "$admin_role_id", "value": "Jit.Admin", "displayName": "JIT administrator", "isEnabled": true,
      "allowedMemberTypes": ["User"], "description": "Configures tenants, targets and rules; reads the audit log." },
    { "id": "$approver_role_id", "value": "Jit.Approver", "displayName": "JIT approver", "isEnabled": true,
      "allowedMemberTypes": ["User"], "description": "Approves or denies other people's access requests." }
  ],
  "requiredResourceAccess": [{ "resourceAppId": "$graph_app_id", "resourceAccess": [$resource_access] }]
}
JSON
log "setting identifier URI, scope, app roles, group claims and Graph permissions"
az rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications/$object_id" \
  --headers "Content-Type=application/json" --body "@$body" >/dev/null

# A second PATCH: a client can be pre-authorised only on a scope that already exists.
log "pre-authorising the Azure CLI ($azure_cli_app_id) on access_as_user"
cat >"$body" <<JSON
{ "api": { "preAuthorizedApplications": [{ "appId": "$azure_cli_app_id", "delegatedPermissionIds": ["$scope_id"] }] } }
JSON
az rest --method PATCH --uri "https://graph.microsoft.com/v1.0/applications/$object_id" \
  --headers "Content-Type=application/json" --body "@$body" >/dev/null

if [[ -z "$(az ad sp list --filter "appId eq '$app_id'" --query "[0].id" -o tsv)" ]]; then
  log "creating the service principal in the home tenant"
  az ad sp create --id "$app_id" >/dev/null
fi

if [[ "$consent_home_tenant" == 1 ]]; then
  log "granting admin consent in the home tenant"
  az ad app permission admin-consent --id "$app_id"
fi

# An app role assignment on the home tenant's service principal (needs Privileged Role
# Administrator): a Graph application permission granted in the home tenant only, idempotently.
grant_in_home_tenant() {
  local permission="$1" sp_id graph_sp_id role_id granted
  sp_id="$(az ad sp show --id "$app_id" --query id -o tsv)"
  graph_sp_id="$(az ad sp show --id "$graph_app_id" --query id -o tsv)"
  role_id="$(az ad sp show --id "$graph_app_id" --query "appRoles[?value=='$permission'].id | [0]" -o tsv)"
  [[ -n "$role_id" ]] || { echo "Microsoft Graph has no application permission $permission" >&2; exit 1; }
  granted="$(az rest --method GET --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$sp_id/appRoleAssignments" --query "value[?appRoleId=='$role_id'].id | [0]" -o tsv)"
  if [[ -z "$granted" ]]; then
    cat >"$body" <<JSON
{ "principalId": "$sp_id", "resourceId": "$graph_sp_id", "appRoleId": "$role_id" }
JSON
    az rest --method POST --uri "https://graph.microsoft.com/v1.0/servicePrincipals/$sp_id/appRoleAssignments" \
      --headers "Content-Type=application/json" --body "@$body" >/dev/null
  fi
}

if [[ "$home_mail_send" == 1 ]]; then
  # Email only ever leaves from the provider's own tenant. Restrict it to the one mailbox with
  # Exchange Online RBAC for Applications (docs/deploy.md, "Email notifications").
  log "granting Microsoft Graph Mail.Send in the home tenant only (email notifications)"
  grant_in_home_tenant Mail.Send
fi

if [[ "$home_gdap" == 1 ]]; then
  # learn.microsoft.com/graph/api/tenantrelationship-list-delegatedadminrelationships ("Permissions"):
  # application permission DelegatedAdminRelationship.Read.All, read in the partner's own tenant.
  log "granting Microsoft Graph DelegatedAdminRelationship.Read.All in the home tenant only (GDAP customers)"
  grant_in_home_tenant DelegatedAdminRelationship.Read.All
fi

if [[ -n "$identity_principal_id" ]]; then
  log "trusting the managed identity $identity_principal_id (federated identity credential $fic_name)"
  cat >"$body" <<JSON
{
  "name": "$fic_name",
  "issuer": "https://login.microsoftonline.com/$tenant_id/v2.0",
  "subject": "$identity_principal_id",
  "audiences": ["api://AzureADTokenExchange"],
  "description": "The Entra JIT Function App's user-assigned managed identity"
}
JSON
  fic_id="$(az ad app federated-credential list --id "$app_id" --query "[?name=='$fic_name'].id | [0]" -o tsv)"
  if [[ -n "$fic_id" ]]; then
    az ad app federated-credential update --id "$app_id" --federated-credential-id "$fic_id" --parameters "@$body" >/dev/null
  else
    az ad app federated-credential create --id "$app_id" --parameters "@$body" >/dev/null
  fi
else
  log "no --identity-principal-id: run again after 'azd provision' to add the federated identity credential"
fi
if [[ -z "$spa_redirect_uris" ]]; then
  log "no --portal-url: run again after 'azd provision' with --portal-url \$(azd env get-value JIT_PORTAL_URL) so the portal can sign in"
fi

cat <<TEXT

Entra JIT app registration: $app_id (home tenant $tenant_id)

  azd env set JIT_API_CLIENT_ID $app_id

In each customer tenant, a Global Administrator (or Privileged Role Administrator) of that tenant:
  1. grants admin consent to the Graph application permissions:
       https://login.microsoftonline.com/<customer-tenant-id>/adminconsent?client_id=$app_id&redirect_uri=$consent_redirect_uri
  2. gives the new service principal the Privileged Authentication Administrator role
     (directory-wide: app-only password changes and enabling/disabling accounts that hold
     admin roles need it), e.g. with the Azure CLI signed in to that tenant:
       sp=\$(az ad sp show --id $app_id --query id -o tsv)
       az rest --method POST --uri https://graph.microsoft.com/v1.0/roleManagement/directory/roleAssignments \\
         --body "{\"principalId\":\"\$sp\",\"roleDefinitionId\":\"7be44c8a-adaf-4e2a-84d6-ab2649e08a13\",\"directoryScopeId\":\"/\"}"
Then connect the tenant through the API (docs/deploy.md, step 7), with a token from:
  az account get-access-token --tenant $tenant_id --scope api://$app_id/access_as_user --query accessToken -o tsv
TEXT

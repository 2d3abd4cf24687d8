"""Offline checks of infra/: what the Bicep templates create and how they are secured.

No Bicep CLI runs here: pycep-parser reads every file, and these tests assert the resources, the
security properties, the role assignments and the app settings the deployed app depends on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.config import LOCAL_ONLY_SETTINGS, setting_names
from shared.storage.names import QUEUES, TABLES
from tests.infra import bicep
from tests.infra.bicep import MAIN_BICEP, render

FUNCTION_APP = bicep.module_file("functionapp")
STORAGE = bicep.module_file("storage")
BLOB_SERVICE = bicep.module_file("blob-service")
KEY_VAULT = bicep.module_file("keyvault")
RBAC = bicep.module_file("rbac")
IDENTITY = bicep.module_file("identity")

# Settings the app itself reads in production: every field of shared/config.py's Settings.
APP_SETTINGS = setting_names() - LOCAL_ONLY_SETTINGS
# Settings the Functions host and the Python worker read.
HOST_SETTINGS = frozenset(
    {
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        "AzureWebJobsStorage__blobServiceUri",
        "AzureWebJobsStorage__queueServiceUri",
        "AzureWebJobsStorage__tableServiceUri",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "PYTHON_ENABLE_INIT_INDEXING",
        "AzureWebJobsDisableHomepage",
    }
)
# Unsupported on Flex Consumption, or a key-based connection.
FORBIDDEN_SETTINGS = frozenset(
    {
        "FUNCTIONS_WORKER_RUNTIME",
        "FUNCTIONS_EXTENSION_VERSION",
        "WEBSITE_RUN_FROM_PACKAGE",
        "WEBSITE_TIME_ZONE",
        "TZ",
        "AzureWebJobsStorage",
        "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
        "WEBSITE_CONTENTSHARE",
        "APPINSIGHTS_INSTRUMENTATIONKEY",
        "STORAGE_CONNECTION_STRING",
    }
)
# Setting -> (main.bicep parameter, its default).
NUMERIC_SETTINGS = {
    "MAX_UPLOAD_BYTES": ("maxUploadBytes", 104_857_600),
    "DEFAULT_TTL_SECONDS": ("defaultTtlSeconds", 604_800),
    "MAX_TTL_SECONDS": ("maxTtlSeconds", 2_592_000),
    "ACCESS_TOKEN_TTL_SECONDS": ("accessTokenTtlSeconds", 86_400),
    "BOT_TOKEN_TTL_SECONDS": ("botTokenTtlSeconds", 15_552_000),
    "UPLOAD_RATE_LIMIT_PER_MINUTE": ("uploadRateLimitPerMinute", 2),
    "AUTH_RATE_LIMIT_PER_MINUTE": ("authRateLimitPerMinute", 10),
    "WRONG_PASSWORD_LIMIT": ("wrongPasswordLimit", 10),
    "BUFFER_HISTORY": ("bufferHistory", 10),
    "BUFFER_TTL_SECONDS": ("bufferTtlSeconds", 7_200),
    "MAX_FILES_PER_USER": ("maxFilesPerUser", 0),
    "MAX_DIRECT_UPLOAD_BYTES": ("maxDirectUploadBytes", 53_687_091_200),
    "UPLOAD_SAS_TTL_SECONDS": ("uploadSasTtlSeconds", 900),
    "MAX_UPLOAD_SECONDS": ("maxUploadSeconds", 86_400),
    "STORAGE_TIMEOUT_SECONDS": ("storageTimeoutSeconds", 10),
    "WEBHOOK_TIMEOUT_SECONDS": ("webhookTimeoutSeconds", 10),
    "WEBHOOK_DISABLE_AFTER_FAILURES": ("webhookDisableAfterFailures", 5),
}
SECRET_MARKERS = (
    "AccountKey=",
    "SharedAccessSignature",
    "sig=",
    "InstrumentationKey=",
    "listKeys(",
    "list_keys(",
    "listAccountSas",
    "listServiceSas",
    "primaryKey",
    "secondaryKey",
)

BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
TABLE_DATA_CONTRIBUTOR = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"
QUEUE_DATA_CONTRIBUTOR = "974c5e8b-45b9-4653-ba55-5f855dd0fb88"
QUEUE_MESSAGE_PROCESSOR = "8a0f0c08-91a1-4084-bc3d-661d67233fed"
METRICS_PUBLISHER = "3913510d-42f4-4e42-8a64-420c390055eb"
SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"

STORAGE_ACCOUNT = "Microsoft.Storage/storageAccounts"
APP_INSIGHTS = "Microsoft.Insights/components"
VAULT = "Microsoft.KeyVault/vaults"
ROLE_ASSIGNMENT = "Microsoft.Authorization/roleAssignments"
ROLE_DEFINITION_ID = re.compile(
    r"subscription_resource_id\(Microsoft\.Authorization/roleDefinitions, ([0-9a-f-]{36})\)"
)

# (scope resource type, role) the app's identity holds, and nothing more.
IDENTITY_ROLES = {
    (STORAGE_ACCOUNT, BLOB_DATA_OWNER),
    (STORAGE_ACCOUNT, TABLE_DATA_CONTRIBUTOR),
    (STORAGE_ACCOUNT, QUEUE_DATA_CONTRIBUTOR),
    (STORAGE_ACCOUNT, QUEUE_MESSAGE_PROCESSOR),
    (APP_INSIGHTS, METRICS_PUBLISHER),
    (VAULT, SECRETS_USER),
}
# The optional deploying principal: data access for troubleshooting, and rotating jwt-secret.
DEPLOYER_ROLES = {
    (STORAGE_ACCOUNT, BLOB_DATA_CONTRIBUTOR),
    (STORAGE_ACCOUNT, TABLE_DATA_CONTRIBUTOR),
    (VAULT, SECRETS_OFFICER),
}

REQUIRED_TABLES = {
    "files",
    "expiry",
    "users",
    "tokens",
    "groups",
    "invites",
    "memberships",
    "ownerfiles",
    "ratelimits",
    "buffer",
    "filecounts",
    "uploads",
    "webhooks",
    "deliveries",
}


def app_settings() -> dict[str, Any]:
    """Every app setting any template sets on the site, by name."""
    settings: dict[str, Any] = {}
    for res in bicep.declared("Microsoft.Web/sites/config"):
        if res.body["name"] == "appsettings":
            settings.update(res.properties)
    for site in bicep.declared("Microsoft.Web/sites"):
        for item in site.properties.get("siteConfig", {}).get("appSettings", []):
            settings[item["name"]] = item["value"]
    return settings


def main_param_default(name: str) -> Any:
    return bicep.parameters(MAIN_BICEP)[name]["default"]


def passed_to(module: Path, param: str) -> str:
    """What main.bicep passes to a module parameter, rendered."""
    return render(bicep.module_calling(module).params[param])


# --- Files, modules and wiring -------------------------------------------------------------


@pytest.mark.parametrize("path", bicep.bicep_files(), ids=lambda p: p.name)
def test_parse_bicep_file_succeeds(path: Path) -> None:
    tree = bicep.parse(path)

    assert tree.get("resources") or tree.get("modules"), f"{path.name} declares nothing"


def test_infra_holds_main_and_every_module() -> None:
    names = {p.relative_to(bicep.INFRA_DIR).as_posix() for p in bicep.bicep_files()}

    assert names == {
        "main.bicep",
        "modules/blob-service.bicep",
        "modules/functionapp.bicep",
        "modules/identity.bicep",
        "modules/keyvault.bicep",
        "modules/monitoring.bicep",
        "modules/rbac.bicep",
        "modules/storage.bicep",
    }
    assert not list(bicep.INFRA_DIR.rglob("*.bicepparam")), "pycep cannot read .bicepparam"


def test_main_deploys_every_module_into_the_resource_group() -> None:
    calls = bicep.modules(MAIN_BICEP)
    targets = {call.target for call in calls}

    assert targets == {p.resolve() for p in bicep.MODULES_DIR.glob("*.bicep")}
    assert all(call.body["scope"] == "rg" for call in calls)
    assert bicep.parse(MAIN_BICEP)["globals"]["scope"]["value"] == "subscription"
    assert bicep.resource(MAIN_BICEP, "rg").type == "Microsoft.Resources/resourceGroups"


def test_module_calls_pass_only_declared_params_and_all_required_ones() -> None:
    for path in bicep.bicep_files():
        for call in bicep.modules(path):
            declared = bicep.parameters(call.target)
            required = {name for name, p in declared.items() if "default" not in p}
            passed = set(call.params)

            assert passed <= set(declared), f"{call.symbol}: unknown {passed - set(declared)}"
            assert required <= passed, f"{call.symbol}: missing {required - passed}"


def test_parent_scope_and_depends_on_name_declared_symbols() -> None:
    for path in bicep.bicep_files():
        tree = bicep.parse(path)
        symbols = set(tree.get("resources", {})) | set(tree.get("modules", {}))
        bodies = [r.body for r in bicep.resources(path)] + [m.body for m in bicep.modules(path)]
        for body in bodies:
            refs = [body.get("parent"), *body.get("dependsOn", [])]
            if isinstance(body.get("scope"), str):
                refs.append(body["scope"])

            unknown = {ref for ref in refs if ref is not None} - symbols
            assert not unknown, f"{path.name}: unknown {unknown}"


def _is_conditional(node: Any) -> bool:
    return isinstance(node, dict) and node.get("operator", {}).get("type") == "conditional"


def test_no_conditional_is_swallowed_by_another_operator() -> None:
    """pycep reads `!a ? b : c` as `!(a ? b : c)`: conditions must be parenthesised."""
    for path in bicep.bicep_files():
        for node in bicep.walk(bicep.parse(path)):
            if not isinstance(node, dict) or "operator" not in node:
                continue
            operator = node["operator"]
            if operator["type"] in {"conditional", "property_accessor"}:
                continue
            swallowed = [op for op in operator["operands"].values() if _is_conditional(op)]
            assert not swallowed, f"{path.name}: parenthesise the condition in {render(node)}"


# --- Function app on Flex Consumption ------------------------------------------------------


def test_plan_is_flex_consumption_on_linux() -> None:
    plan = bicep.only("Microsoft.Web/serverfarms")

    assert plan.body["sku"] == {"name": "FC1", "tier": "FlexConsumption"}
    assert plan.properties["reserved"] is True


def test_site_is_https_only_linux_function_app_tagged_for_azd() -> None:
    site = bicep.only("Microsoft.Web/sites")
    tags = render(site.body["tags"])

    assert site.body["kind"] == "functionapp,linux"
    assert render(site.properties["serverFarmId"]) == "plan.id"
    assert site.properties["httpsOnly"] is True
    assert site.properties["siteConfig"]["minTlsVersion"] == "1.2"
    assert site.properties["siteConfig"]["ftpsState"] == "Disabled"
    assert "azd-service-name: api" in tags


def test_site_runs_as_the_user_assigned_identity() -> None:
    site = bicep.only("Microsoft.Web/sites")
    identity = site.body["identity"]

    assert identity["type"] == "UserAssigned"
    assert [bicep.unquote(k) for k in identity["userAssignedIdentities"]] == ["${identityId}"]
    assert site.properties["keyVaultReferenceIdentity"] == "identityId"
    assert passed_to(FUNCTION_APP, "identityId") == "identity.outputs.id"
    assert passed_to(FUNCTION_APP, "identityClientId") == "identity.outputs.clientId"
    assert render(bicep.outputs(IDENTITY)["clientId"]["value"]) == "identity.properties.clientId"


def test_function_app_config_deploys_from_blob_with_identity_and_python_311() -> None:
    config = bicep.only("Microsoft.Web/sites").properties["functionAppConfig"]
    storage = config["deployment"]["storage"]

    assert storage["type"] == "blobContainer"
    assert storage["value"] == "${blobEndpoint}${deploymentContainerName}"
    assert storage["authentication"] == {
        "type": "UserAssignedIdentity",
        "userAssignedIdentityResourceId": "identityId",
    }
    assert config["runtime"] == {"name": "python", "version": "3.11"}
    assert config["scaleAndConcurrency"] == {
        "instanceMemoryMB": "instanceMemoryMB",
        "maximumInstanceCount": "maximumInstanceCount",
    }
    assert passed_to(FUNCTION_APP, "instanceMemoryMB") == "instanceMemoryMB"
    assert passed_to(FUNCTION_APP, "maximumInstanceCount") == "maximumInstanceCount"
    assert main_param_default("instanceMemoryMB") == 2048
    assert main_param_default("maximumInstanceCount") == 100


def test_basic_auth_publishing_is_off() -> None:
    policies = bicep.declared("Microsoft.Web/sites/basicPublishingCredentialsPolicies")

    assert {p.body["name"]: p.properties["allow"] for p in policies} == {
        "ftp": False,
        "scm": False,
    }


# --- App settings --------------------------------------------------------------------------


def test_app_settings_are_exactly_what_app_and_host_read() -> None:
    names = set(app_settings())

    assert names >= APP_SETTINGS, f"missing {APP_SETTINGS - names}"
    assert names >= HOST_SETTINGS, f"missing {HOST_SETTINGS - names}"
    assert not names - APP_SETTINGS - HOST_SETTINGS, "unexpected settings"


def test_app_settings_omit_flex_unsupported_and_key_based_names() -> None:
    names = set(app_settings())

    assert not names & FORBIDDEN_SETTINGS


def test_app_settings_connect_storage_and_telemetry_with_the_identity() -> None:
    settings = {name: render(value) for name, value in app_settings().items()}

    assert settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert settings["AzureWebJobsStorage__clientId"] == "identityClientId"
    assert settings["AZURE_CLIENT_ID"] == "identityClientId"
    assert settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] == (
        "ClientId=${identityClientId};Authorization=AAD"
    )
    assert settings["AzureWebJobsStorage__blobServiceUri"] == "blobEndpoint"
    assert settings["STORAGE_BLOB_ENDPOINT"] == "blobEndpoint"
    assert settings["AzureWebJobsStorage__queueServiceUri"] == "queueEndpoint"
    assert settings["AzureWebJobsStorage__tableServiceUri"] == "tableEndpoint"
    assert settings["STORAGE_TABLE_ENDPOINT"] == "tableEndpoint"
    assert settings["STORAGE_QUEUE_ENDPOINT"] == "queueEndpoint"
    for endpoint in ("blobEndpoint", "queueEndpoint", "tableEndpoint"):
        assert passed_to(FUNCTION_APP, endpoint) == f"storage.outputs.{endpoint}"
        assert render(bicep.outputs(STORAGE)[endpoint]["value"]) == (
            f"storage.properties.primaryEndpoints.{endpoint.removesuffix('Endpoint')}"
        )
    assert settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] == (
        "applicationInsights.properties.ConnectionString"
    )
    assert settings["PYTHON_ENABLE_INIT_INDEXING"] == "1"


def test_public_base_url_is_the_app_https_host_name() -> None:
    settings = app_settings()

    assert settings["PUBLIC_BASE_URL"] == "https://${site.properties.defaultHostName}"
    assert render(bicep.outputs(FUNCTION_APP)["uri"]["value"]) == (
        "https://${site.properties.defaultHostName}"
    )


@pytest.mark.parametrize(("setting", "param_and_default"), NUMERIC_SETTINGS.items())
def test_numeric_setting_comes_from_a_main_parameter_with_its_default(
    setting: str, param_and_default: tuple[str, int]
) -> None:
    param, default = param_and_default

    assert render(app_settings()[setting]) == f"string({param})"
    assert passed_to(FUNCTION_APP, param) == param
    assert bicep.parameters(MAIN_BICEP)[param]["type"] == "int"
    assert main_param_default(param) == default


def test_cors_allowed_origins_set_the_app_setting_and_the_platform_cors_alike() -> None:
    cors = bicep.only("Microsoft.Web/sites").properties["siteConfig"]["cors"]

    assert render(app_settings()["CORS_ALLOWED_ORIGINS"]) == "corsAllowedOrigins"
    assert "split(corsAllowedOrigins, ,)" in render(cors["allowedOrigins"])
    assert "empty(corsAllowedOrigins)" in render(cors["allowedOrigins"])
    assert cors["supportCredentials"] is False
    assert passed_to(FUNCTION_APP, "corsAllowedOrigins") == "corsAllowedOrigins"
    assert main_param_default("corsAllowedOrigins") == ""


def test_cleanup_schedule_defaults_to_every_five_minutes() -> None:
    assert render(app_settings()["CLEANUP_SCHEDULE"]) == "cleanupSchedule"
    assert passed_to(FUNCTION_APP, "cleanupSchedule") == "cleanupSchedule"
    assert main_param_default("cleanupSchedule") == "0 */5 * * * *"


def test_jwt_secret_setting_is_a_key_vault_reference() -> None:
    value = app_settings()["JWT_SECRET"]

    assert value == "@Microsoft.KeyVault(SecretUri=${vault.properties.vaultUri}secrets/jwt-secret/)"
    assert bicep.resource(FUNCTION_APP, "vault").type == VAULT
    assert passed_to(FUNCTION_APP, "keyVaultName") == "keyVault.outputs.name"


def test_no_app_setting_value_looks_like_a_secret() -> None:
    for name, value in app_settings().items():
        text = render(value)

        assert not any(marker.lower() in text.lower() for marker in SECRET_MARKERS), name
        literal = re.sub(r"\$\{[^}]*\}", "", text)
        assert not re.search(r"[A-Za-z0-9+/=_-]{32,}", literal), f"{name} holds a long literal"


def test_no_template_reads_or_outputs_a_key() -> None:
    for path in bicep.bicep_files():
        text = path.read_text()
        for marker in SECRET_MARKERS:
            assert marker not in text, f"{path.name} contains {marker}"
        for name, output in bicep.outputs(path).items():
            assert "secure" not in bicep.decorator_types(output), f"{path.name}: {name}"
            assert "jwtSecret" not in render(output["value"]), f"{path.name}: {name}"


# --- Storage -------------------------------------------------------------------------------


def test_storage_account_is_keyless_private_and_tls12() -> None:
    account = bicep.only(STORAGE_ACCOUNT)
    props = account.properties

    assert props["allowSharedKeyAccess"] is False
    assert props["allowBlobPublicAccess"] is False
    assert props["minimumTlsVersion"] == "TLS1_2"
    assert props["supportsHttpsTrafficOnly"] is True
    assert props["defaultToOAuthAuthentication"] is True
    assert account.body["kind"] == "StorageV2"
    assert len(bicep.declared(STORAGE_ACCOUNT)) == 1


def test_containers_hold_app_blobs_and_deployment_package_privately() -> None:
    containers = {
        c.body["name"]: c for c in bicep.declared(f"{STORAGE_ACCOUNT}/blobServices/containers")
    }

    assert set(containers) == {"fileshare", "deploymentContainerName"}
    assert all(c.properties["publicAccess"] == "None" for c in containers.values())
    assert passed_to(STORAGE, "deploymentContainerName") == "app-package"
    assert passed_to(FUNCTION_APP, "deploymentContainerName") == (
        "storage.outputs.deploymentContainerName"
    )


def test_tables_come_from_one_array_variable() -> None:
    table_names = bicep.variables(STORAGE)["tableNames"]
    tables = bicep.only(f"{STORAGE_ACCOUNT}/tableServices/tables")

    assert set(table_names) >= REQUIRED_TABLES
    assert len(table_names) == len(set(table_names))
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9]{2,62}", name) for name in table_names)
    assert tables.loop == {
        "type": "array",
        "detail": {"item_name": "tableName", "array_name": "tableNames"},
    }
    assert tables.body["name"] == "tableName"


def test_tables_include_every_table_the_app_names() -> None:
    assert set(bicep.variables(STORAGE)["tableNames"]) >= set(TABLES)


def test_queues_are_the_apps_and_their_poison_queue() -> None:
    queue_names = bicep.variables(STORAGE)["queueNames"]
    queues = bicep.only(f"{STORAGE_ACCOUNT}/queueServices/queues")

    assert queue_names == list(QUEUES)
    assert "webhooks-poison" in queue_names
    assert queues.loop == {
        "type": "array",
        "detail": {"item_name": "queueName", "array_name": "queueNames"},
    }
    assert queues.body["name"] == "queueName"
    assert render(queues.body["parent"]) == "queueService"
    assert bicep.only(f"{STORAGE_ACCOUNT}/queueServices").body["name"] == "default"


def test_webhooks_never_reach_private_destinations_in_azure() -> None:
    assert app_settings()["WEBHOOK_ALLOW_PRIVATE_DESTINATIONS"] == "false"


def test_deleted_or_overwritten_blobs_cannot_be_restored() -> None:
    # SECURITY.md: a deleted or used-up file is gone for good, also for anyone with storage access.
    props = bicep.only(f"{STORAGE_ACCOUNT}/blobServices").properties

    assert props["deleteRetentionPolicy"] == {"enabled": False}
    assert props["isVersioningEnabled"] is False
    assert props["changeFeed"] == {"enabled": False}
    assert props["restorePolicy"] == {"enabled": False}
    assert "blobSoftDeleteDays" not in bicep.parameters(MAIN_BICEP)


def test_only_a_whole_deleted_container_can_be_restored_for_some_days() -> None:
    props = bicep.only(f"{STORAGE_ACCOUNT}/blobServices").properties

    assert props["containerDeleteRetentionPolicy"] == {
        "enabled": True,
        "days": "containerSoftDeleteDays",
    }
    assert passed_to(BLOB_SERVICE, "containerSoftDeleteDays") == "containerSoftDeleteDays"
    assert main_param_default("containerSoftDeleteDays") == 7


def test_blob_cors_lets_the_web_page_put_blocks_and_get_blobs() -> None:
    (rule,) = bicep.only(f"{STORAGE_ACCOUNT}/blobServices").properties["cors"]["corsRules"]
    allowed_headers = {h.lower() for h in rule["allowedHeaders"]}
    exposed_headers = {h.lower() for h in rule["exposedHeaders"]}

    assert sorted(rule["allowedMethods"]) == ["GET", "HEAD", "OPTIONS", "PUT"]
    assert {"x-ms-*", "content-type", "content-length"} <= allowed_headers
    assert {"x-ms-*", "content-type", "content-length", "content-range"} <= exposed_headers
    assert "*" not in allowed_headers | exposed_headers
    assert rule["maxAgeInSeconds"] == 3600
    assert rule["allowedOrigins"] == "allowedOrigins"
    assert passed_to(BLOB_SERVICE, "allowedOrigins") == (
        "[(empty(webOrigin)) ? app.outputs.uri : webOrigin]"
    )
    assert main_param_default("webOrigin") == ""


def test_lifecycle_rule_deletes_file_and_buffer_blobs_a_day_after_max_ttl() -> None:
    policy = bicep.only(f"{STORAGE_ACCOUNT}/managementPolicies")
    (rule,) = policy.properties["policy"]["rules"]
    definition = rule["definition"]
    days = definition["actions"]["baseBlob"]["delete"]["daysAfterModificationGreaterThan"]
    snapshot_days = definition["actions"]["snapshot"]["delete"]["daysAfterCreationGreaterThan"]
    names = bicep.variables(STORAGE)

    assert policy.body["name"] == "default"
    assert rule["enabled"] is True
    assert set(definition["filters"]["prefixMatch"]) == {"fileshare/f/", "fileshare/b/"}
    assert definition["filters"]["blobTypes"] == ["blockBlob"]
    assert bicep.evaluate_int(days, {**names, "maxTtlSeconds": 2_592_000}) == 31
    assert bicep.evaluate_int(days, {**names, "maxTtlSeconds": 2_592_001}) == 32
    assert bicep.evaluate_int(days, {**names, "maxTtlSeconds": 3_600}) == 2
    assert snapshot_days == days  # a direct upload's snapshot goes with its blob
    assert passed_to(STORAGE, "maxTtlSeconds") == "maxTtlSeconds"


def test_malware_scanning_is_optional_and_off_by_default() -> None:
    scanning = bicep.only("Microsoft.Security/defenderForStorageSettings")

    assert scanning.condition == "enableMalwareScanning"
    assert scanning.body["name"] == "current"
    assert scanning.body["scope"] == "storage"
    assert scanning.properties["malwareScanning"]["onUpload"]["isEnabled"] is True
    assert main_param_default("enableMalwareScanning") is False
    assert passed_to(STORAGE, "enableMalwareScanning") == "enableMalwareScanning"
    assert passed_to(FUNCTION_APP, "enableMalwareScanning") == "enableMalwareScanning"
    assert app_settings()["MALWARE_SCANNING"] == {
        "operator": {
            "type": "conditional",
            "operands": {
                "condition": "enableMalwareScanning",
                "true_value": "true",
                "false_value": "false",
            },
        }
    }


# --- Identity and roles --------------------------------------------------------------------


def test_one_user_assigned_identity_exists() -> None:
    bicep.only("Microsoft.ManagedIdentity/userAssignedIdentities")

    assert passed_to(RBAC, "identityPrincipalId") == "identity.outputs.principalId"
    assert render(bicep.outputs(IDENTITY)["principalId"]["value"]) == (
        "identity.properties.principalId"
    )


def _role_grants() -> list[tuple[bicep.Resource, str, str, str]]:
    """(assignment, principal, scope type, role id) for every role assignment."""
    grants = []
    for assignment in bicep.declared(ROLE_ASSIGNMENT):
        names = bicep.variables(assignment.file)
        scope = bicep.resource(assignment.file, assignment.body["scope"])
        role = render(assignment.properties["roleDefinitionId"], names)
        match = ROLE_DEFINITION_ID.fullmatch(role)
        assert match, f"{assignment.symbol}: roleDefinitionId {role}"
        principal = render(assignment.properties["principalId"])
        grants.append((assignment, principal, scope.type, match.group(1)))
    return grants


def test_identity_holds_exactly_the_roles_it_needs() -> None:
    held = {(scope, role) for _, who, scope, role in _role_grants() if who == "identityPrincipalId"}

    assert held == IDENTITY_ROLES


def test_identity_role_assignments_are_service_principal_and_unconditional() -> None:
    for assignment, who, _, _ in _role_grants():
        if who == "identityPrincipalId":
            assert assignment.properties["principalType"] == "ServicePrincipal"
            assert assignment.condition is None


def test_deployer_roles_exist_only_when_principal_id_is_set() -> None:
    grants = [g for g in _role_grants() if g[1] != "identityPrincipalId"]

    assert {(scope, role) for _, _, scope, role in grants} == DEPLOYER_ROLES
    for assignment, who, _, _ in grants:
        assert who == "principalId"
        assert render(assignment.condition) == "not(empty(principalId))"
        assert assignment.properties["principalType"] == "principalType"
    assert bicep.parameters(RBAC)["principalId"]["default"] == ""
    assert main_param_default("principalType") == "User"
    assert passed_to(RBAC, "principalId") == "principalId"


def test_role_assignment_names_are_guid_of_scope_principal_and_role() -> None:
    for assignment, who, _, role in _role_grants():
        names = bicep.variables(assignment.file)
        name = render(assignment.body["name"], names)

        assert name == f"guid({assignment.body['scope']}.id, {who}, {role})", assignment.symbol


def test_storage_roles_are_at_account_scope() -> None:
    for assignment, _, scope_type, _ in _role_grants():
        scope = bicep.resource(assignment.file, assignment.body["scope"])
        if scope_type == STORAGE_ACCOUNT:
            assert scope.existing
            assert scope.body["name"] == "storageAccountName"
    assert passed_to(RBAC, "storageAccountName") == "storage.outputs.name"
    assert passed_to(RBAC, "applicationInsightsName") == (
        "monitoring.outputs.applicationInsightsName"
    )
    assert passed_to(RBAC, "keyVaultName") == "keyVault.outputs.name"


def test_app_waits_for_its_roles() -> None:
    assert bicep.module_calling(FUNCTION_APP).body["dependsOn"] == ["rbac"]


# --- Monitoring ----------------------------------------------------------------------------


def test_monitoring_disables_local_auth() -> None:
    insights = bicep.only(APP_INSIGHTS)
    workspace = bicep.only("Microsoft.OperationalInsights/workspaces")

    assert insights.properties["DisableLocalAuth"] is True
    assert render(insights.properties["WorkspaceResourceId"]) == "logAnalytics.id"
    assert workspace.properties["features"]["disableLocalAuth"] is True


# --- Key Vault and the JWT secret ----------------------------------------------------------


def test_key_vault_uses_rbac_and_soft_delete() -> None:
    props = bicep.only(VAULT).properties

    assert props["enableRbacAuthorization"] is True
    assert "accessPolicies" not in props
    assert props["enableSoftDelete"] is True
    assert props["softDeleteRetentionInDays"] == "softDeleteRetentionInDays"
    assert render(props["enablePurgeProtection"]) == "(enablePurgeProtection) ? true : null"
    assert passed_to(KEY_VAULT, "enablePurgeProtection") == "keyVaultPurgeProtection"
    assert passed_to(KEY_VAULT, "softDeleteRetentionInDays") == "keyVaultSoftDeleteRetentionDays"


def test_jwt_secret_comes_from_a_secure_parameter_generated_at_deployment() -> None:
    secret = bicep.only(f"{VAULT}/secrets")
    main_param = bicep.parameters(MAIN_BICEP)["jwtSecret"]

    assert secret.body["name"] == "jwt-secret"
    assert secret.properties["value"] == "jwtSecret"
    assert "secure" in bicep.decorator_types(bicep.parameters(KEY_VAULT)["jwtSecret"])
    assert "secure" in bicep.decorator_types(main_param)
    assert render(main_param["default"]).count("newGuid()") >= 2
    assert passed_to(KEY_VAULT, "jwtSecret") == "jwtSecret"


def test_jwt_secret_is_written_once_per_vault() -> None:
    secret = bicep.only(f"{VAULT}/secrets")
    outputs = bicep.outputs(MAIN_BICEP)
    parameter_file = json.loads(bicep.PARAMETERS_JSON.read_text())["parameters"]

    assert secret.condition == "writeJwtSecret"
    assert passed_to(KEY_VAULT, "writeJwtSecret") == "not_equals(jwtSecretVaultName, keyVaultName)"
    assert render(outputs["JWT_SECRET_VAULT_NAME"]["value"]) == "keyVault.outputs.name"
    assert parameter_file["jwtSecretVaultName"] == {"value": "${JWT_SECRET_VAULT_NAME}"}


# --- main.bicep outputs and parameters -----------------------------------------------------


def test_main_outputs_what_azd_and_operators_need() -> None:
    outputs = {name: render(out["value"]) for name, out in bicep.outputs(MAIN_BICEP).items()}

    assert outputs["API_BASE_URL"] == "app.outputs.uri"
    assert outputs["AZURE_FUNCTION_APP_NAME"] == "app.outputs.name"
    assert outputs["AZURE_STORAGE_ACCOUNT_NAME"] == "storage.outputs.name"
    assert outputs["AZURE_LOCATION"] == "location"
    assert outputs["AZURE_TENANT_ID"] == "tenant().tenantId"


def test_parameter_file_uses_azd_environment_and_no_secret() -> None:
    text = bicep.PARAMETERS_JSON.read_text()
    values = {name: p["value"] for name, p in json.loads(text)["parameters"].items()}
    main_params = bicep.parameters(MAIN_BICEP)
    required = {name for name, p in main_params.items() if "default" not in p}

    assert set(values) <= set(main_params)
    assert required <= set(values)
    assert values["environmentName"] == "${AZURE_ENV_NAME}"
    assert values["location"] == "${AZURE_LOCATION}"
    assert values["principalId"] == "${AZURE_PRINCIPAL_ID}"
    assert "jwtSecret" not in values
    assert not any("secure" in bicep.decorator_types(main_params[name]) for name in values)


# --- azure.yaml ----------------------------------------------------------------------------


def test_azure_yaml_deploys_service_api_as_python_function_from_infra() -> None:
    config = yaml.safe_load(bicep.AZURE_YAML.read_text())

    assert config["infra"]["path"] == "infra"
    assert config["infra"].get("provider", "bicep") == "bicep"
    assert config["services"] == {"api": {"project": ".", "language": "python", "host": "function"}}


def test_azure_yaml_forgets_the_jwt_vault_after_down() -> None:
    hook = yaml.safe_load(bicep.AZURE_YAML.read_text())["hooks"]["postdown"]

    for shell in ("posix", "windows"):
        assert hook[shell]["run"] == "azd env set JWT_SECRET_VAULT_NAME none"

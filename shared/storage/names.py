"""Every container, table and blob prefix the app uses, in one place (infra/ mirrors them)."""

from __future__ import annotations

CONTAINER = "fileshare"
FILE_BLOB_PREFIX = "f/"
BUFFER_BLOB_PREFIX = "b/"

FILES_TABLE = "files"
EXPIRY_TABLE = "expiry"
USERS_TABLE = "users"
TOKENS_TABLE = "tokens"
GROUPS_TABLE = "groups"
INVITES_TABLE = "invites"
MEMBERSHIPS_TABLE = "memberships"
OWNER_FILES_TABLE = "ownerfiles"
RATE_LIMITS_TABLE = "ratelimits"
UPLOADS_TABLE = "uploads"
BUFFER_TABLE = "buffer"
FILE_COUNTS_TABLE = "filecounts"
WEBHOOKS_TABLE = "webhooks"
DELIVERIES_TABLE = "deliveries"
SHARES_TABLE = "shares"
REVERSE_SHARES_TABLE = "reverseshares"

TABLES = (
    FILES_TABLE,
    EXPIRY_TABLE,
    USERS_TABLE,
    TOKENS_TABLE,
    GROUPS_TABLE,
    INVITES_TABLE,
    MEMBERSHIPS_TABLE,
    OWNER_FILES_TABLE,
    RATE_LIMITS_TABLE,
    UPLOADS_TABLE,
    BUFFER_TABLE,
    FILE_COUNTS_TABLE,
    WEBHOOKS_TABLE,
    DELIVERIES_TABLE,
    SHARES_TABLE,
    REVERSE_SHARES_TABLE,
)

# Webhook events wait here for the queue-triggered delivery function; after host.json's
# maxDequeueCount failed attempts the Functions host moves a message to "<queue>-poison".
WEBHOOK_QUEUE = "webhooks"
WEBHOOK_POISON_QUEUE = f"{WEBHOOK_QUEUE}-poison"
QUEUES = (WEBHOOK_QUEUE, WEBHOOK_POISON_QUEUE)


# The blob index tag Defender for Storage writes after scanning an upload, and its bad verdict.
SCAN_RESULT_TAG = "Malware Scanning scan result"
MALICIOUS = "Malicious"


def file_blob_name(file_url: str) -> str:
    return f"{FILE_BLOB_PREFIX}{file_url}"


def buffer_blob_name(item_id: str) -> str:
    return f"{BUFFER_BLOB_PREFIX}{item_id}"

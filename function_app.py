"""The Functions app: every endpoint group is a blueprint in functions/."""

import azure.functions as func

from functions import (
    account_files,
    auth,
    buffer,
    cleanup,
    delete,
    direct_uploads,
    docs,
    download,
    fallback,
    groups,
    health,
    metadata,
    notifications,
    qr,
    reverse_shares,
    share_downloads,
    shares,
    unlock,
    upload,
    web,
    webhooks,
)
from shared.config import require_settings
from shared.ops.observability import configure_telemetry

# A malformed setting stops start-up here, with one line naming it, rather than failing requests.
require_settings()
# Application Insights only when its connection string is set (imported lazily otherwise).
configure_telemetry()

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

app.register_functions(upload.bp)
app.register_functions(direct_uploads.bp)
app.register_functions(download.bp)
app.register_functions(unlock.bp)
app.register_functions(delete.bp)
app.register_functions(metadata.bp)
app.register_functions(auth.bp)
app.register_functions(account_files.bp)
app.register_functions(groups.bp)
app.register_functions(buffer.bp)
app.register_functions(webhooks.bp)
app.register_functions(shares.bp)
app.register_functions(share_downloads.bp)
app.register_functions(reverse_shares.bp)
app.register_functions(qr.bp)
app.register_functions(web.bp)
app.register_functions(docs.bp)
app.register_functions(health.bp)
app.register_functions(cleanup.bp)
app.register_functions(notifications.bp)
# Last: whatever no other function answers (an unknown path or method) gets the JSON error.
app.register_functions(fallback.bp)

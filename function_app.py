"""The Functions app: every endpoint group is a blueprint in functions/."""

import azure.functions as func

from functions import account_files, auth, cleanup, delete, download, groups, metadata, upload

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

app.register_functions(upload.bp)
app.register_functions(download.bp)
app.register_functions(delete.bp)
app.register_functions(metadata.bp)
app.register_functions(auth.bp)
app.register_functions(account_files.bp)
app.register_functions(groups.bp)
app.register_functions(cleanup.bp)

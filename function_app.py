"""The Functions app: every endpoint group is a blueprint in functions/."""

import azure.functions as func

from functions import cleanup, delete, download, metadata, upload

app = func.FunctionApp(http_auth_level=func.AuthLevel.ANONYMOUS)

app.register_functions(upload.bp)
app.register_functions(download.bp)
app.register_functions(delete.bp)
app.register_functions(metadata.bp)
app.register_functions(cleanup.bp)

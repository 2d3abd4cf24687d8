"""`fileshare`: the command-line client. Not deployed (.funcignore); talks to the API over HTTP."""

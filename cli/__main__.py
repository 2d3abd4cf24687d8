"""`python -m cli`, the same as the `fileshare` console script."""

from cli.main import run

run()

"""The fileshare command-line client."""

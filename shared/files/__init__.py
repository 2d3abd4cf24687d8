"""File sharing: receiving, publishing, serving, limiting and removing one file."""

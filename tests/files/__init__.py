"""Uploading, serving, limiting and deleting files."""

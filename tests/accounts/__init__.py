"""Accounts, tokens, groups and their file listings."""

"""Accounts, tokens, groups and invites, and the listings of their files."""

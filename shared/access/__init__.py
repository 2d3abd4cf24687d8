"""Passwords on links: hashing, HTTP Basic credentials, unlock tokens (files and shares)."""

"""Attacks on the running service."""

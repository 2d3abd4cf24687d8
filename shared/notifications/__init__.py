"""Notifications: signed webhooks for events on an account's files, delivered from a queue."""

"""Every JSON body of the API, declared once as a pydantic model (one module per endpoint group).

Request models validate what handlers read (`RequestBody.parse`); response models shape what they
answer; functions/_openapi.py derives the API description from both, so the two cannot drift.
"""

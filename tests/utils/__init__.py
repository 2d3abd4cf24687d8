"""Factories and helpers shared by the tests (fixtures live in conftest.py)."""

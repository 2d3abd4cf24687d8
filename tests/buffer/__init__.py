"""The cloud buffer."""

"""The cloud buffer: each account's latest text or file, for any device."""

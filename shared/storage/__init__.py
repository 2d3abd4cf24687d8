"""Blob and Table Storage behind small modules; Azure SDK errors never leave this package."""

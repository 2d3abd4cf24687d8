"""HTTP protocol helpers: content negotiation, ranges, entity tags, multipart, request values."""

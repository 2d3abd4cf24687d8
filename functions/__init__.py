"""HTTP and timer edges: parse the request, call shared/, shape the response."""

"""The file-sharing domain and its storage: plain Python, no Azure Functions types."""

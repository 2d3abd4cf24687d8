"""The service's own pages, assets, QR codes and API description."""

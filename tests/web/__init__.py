"""The web page, QR codes and the API description."""

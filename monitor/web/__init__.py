"""The web interface and API."""

"""Turning fetched bytes into clean feed entries."""

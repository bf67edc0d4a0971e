"""Fetching sources over HTTP, politely and within limits."""

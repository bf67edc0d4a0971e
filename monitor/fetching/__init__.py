"""Fetching sources over HTTP, politely and within limits.

`Fetcher(settings.fetch)` is an async context manager; `await fetcher.fetch(url, etag=, last_modified=)`
returns a `FetchResult` or raises `monitor.errors.FetchError` with a short message for the user.
"""

from monitor.fetching.client import Fetcher
from monitor.fetching.failures import parse_retry_after
from monitor.fetching.result import FetchResult

__all__ = ["FetchResult", "Fetcher", "parse_retry_after"]

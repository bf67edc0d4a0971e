"""What one fetch returns to the pipeline: the final URL, the body and the caching validators."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class FetchResult:
    """A successful fetch (2xx with a body, or 304 Not Modified with `body` None)."""

    url: str
    status: int
    body: bytes | None
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    permanent_redirect: str | None = None
    retry_after: timedelta | None = None
    cache_max_age: timedelta | None = None
    headers: dict[str, str] = field(default_factory=dict)

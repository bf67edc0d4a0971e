"""Tables, migrations and the services that read and write them (names imported on
first use).

Services take a `Session` from `Database.session()` and never commit: the caller owns the transaction.
"""

from typing import TYPE_CHECKING

from monitor.lazy import lazy_exports

_EXPORTS = {
    "StoredArticle": "articles",
    "store_entries": "articles",
    "Database": "database",
    "open_database": "database",
    "ClaimedDelivery": "deliveries",
    "claim_due_deliveries": "deliveries",
    "delivery_counts": "deliveries",
    "mark_attempt_failed": "deliveries",
    "mark_sent": "deliveries",
    "HitRecord": "hits",
    "list_hits": "hits",
    "record_hits": "hits",
    "due_sources": "sources",
    "record_fetch_failure": "sources",
    "record_fetch_success": "sources",
    "record_not_modified": "sources",
    "sync_sources": "sources",
    "Article": "tables",
    "Delivery": "tables",
    "DeliveryStatus": "tables",
    "Hit": "tables",
    "Source": "tables",
}
__all__ = [
    "Article",
    "ClaimedDelivery",
    "Database",
    "Delivery",
    "DeliveryStatus",
    "Hit",
    "HitRecord",
    "Source",
    "StoredArticle",
    "claim_due_deliveries",
    "delivery_counts",
    "due_sources",
    "list_hits",
    "mark_attempt_failed",
    "mark_sent",
    "open_database",
    "record_fetch_failure",
    "record_fetch_success",
    "record_hits",
    "record_not_modified",
    "store_entries",
    "sync_sources",
]
__getattr__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from monitor.storage.articles import StoredArticle, store_entries
    from monitor.storage.database import Database, open_database
    from monitor.storage.deliveries import (
        ClaimedDelivery,
        claim_due_deliveries,
        delivery_counts,
        mark_attempt_failed,
        mark_sent,
    )
    from monitor.storage.hits import HitRecord, list_hits, record_hits
    from monitor.storage.sources import (
        due_sources,
        record_fetch_failure,
        record_fetch_success,
        record_not_modified,
        sync_sources,
    )
    from monitor.storage.tables import Article, Delivery, DeliveryStatus, Hit, Source

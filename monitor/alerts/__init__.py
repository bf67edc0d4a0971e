"""Alert messages and their delivery through Apprise, via the outbox (names imported on first use)."""

from typing import TYPE_CHECKING

from monitor.lazy import lazy_exports

_EXPORTS = {
    "AlertMessage": "messages",
    "DispatchSummary": "dispatcher",
    "Dispatcher": "dispatcher",
    "dispatch_pending": "dispatcher",
    "format_alert": "messages",
    "mask_url": "redaction",
    "redact": "redaction",
}
__all__ = [
    "AlertMessage",
    "DispatchSummary",
    "Dispatcher",
    "dispatch_pending",
    "format_alert",
    "mask_url",
    "redact",
]
__getattr__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from monitor.alerts.dispatcher import Dispatcher, DispatchSummary, dispatch_pending
    from monitor.alerts.messages import AlertMessage, format_alert
    from monitor.alerts.redaction import mask_url, redact

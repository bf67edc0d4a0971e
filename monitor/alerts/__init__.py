"""Alert messages and their delivery through Apprise, via the outbox."""

from monitor.alerts.dispatcher import Dispatcher, DispatchSummary, dispatch_pending
from monitor.alerts.messages import AlertMessage, format_alert
from monitor.alerts.redaction import mask_url, redact

__all__ = [
    "AlertMessage",
    "DispatchSummary",
    "Dispatcher",
    "dispatch_pending",
    "format_alert",
    "mask_url",
    "redact",
]

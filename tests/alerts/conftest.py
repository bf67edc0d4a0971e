"""The local receivers the alert tests send to, and the storage tests' database (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.storage.conftest import database
from tests.support.smtp_server import smtp_server
from tests.support.webhook_receiver import webhook_receiver

__all__ = ["database", "smtp_server", "webhook_receiver"]

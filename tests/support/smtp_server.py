"""A real local SMTP server (aiosmtpd, in a thread) that keeps the mails Apprise sends to `mailto://` URLs.

with SmtpServer() as smtp:                   # or the `smtp_server` pytest fixture
    url = smtp.apprise_url(to="analyst@example.org")
    ...
    (mail,) = smtp.wait_for(1)
    mail.message["Subject"], mail.text
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import pytest
from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class ReceivedMail:
    """One mail accepted by the server."""

    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def text(self) -> str:
        """The plain-text body (or the HTML one if there is no plain part)."""
        part = self.message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""


class _Collector:
    """The aiosmtpd handler: keeps each mail and wakes the waiting test."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.mails: list[ReceivedMail] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.condition:
            self.mails.append(ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), message))
            self.condition.notify_all()
        return "250 Message accepted"


class _BoundController(Controller):
    """aiosmtpd's Controller serving on a socket bound beforehand, so that port 0 (any free port) works."""

    def __init__(self, handler: _Collector, sock: socket.socket) -> None:
        self._socket = sock
        super().__init__(handler, hostname="127.0.0.1", port=sock.getsockname()[1])

    def _create_server(self) -> Awaitable[Any]:
        return self.loop.create_server(self._factory_invoker, sock=self._socket)


class SmtpServer:
    """An SMTP server on 127.0.0.1 accepting every mail, without TLS or authentication."""

    def __init__(self) -> None:
        self._collector = _Collector()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port: int = sock.getsockname()[1]
        self._controller = _BoundController(self._collector, sock)

    def apprise_url(self, to: str = "analyst@example.org", sender: str = "monitor@example.org") -> str:
        """A `mailto://` URL sending through this server in plain SMTP."""
        query = urlencode({"from": sender, "to": to, "mode": "insecure"})
        return f"mailto://127.0.0.1:{self.port}?{query}"

    @property
    def mails(self) -> list[ReceivedMail]:
        with self._collector.condition:
            return list(self._collector.mails)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        """Wait until `count` mails arrived and return them; AssertionError after `timeout` seconds."""
        with self._collector.condition:
            done = self._collector.condition.wait_for(lambda: len(self._collector.mails) >= count, timeout)
        if not done:
            raise AssertionError(f"expected {count} mails, got {len(self.mails)}")
        return self.mails

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A running SmtpServer, stopped after the test."""
    with SmtpServer() as server:
        yield server

"""Who is asking and may they: login sessions, API tokens, roles, CSRF, login rate limits, secure headers.

A session is a signed cookie (itsdangerous) holding the user's id, their session epoch (a password change
logs every older session out) and the session's CSRF token; HttpOnly, SameSite=Lax, Secure behind HTTPS.
A change made with a session cookie must carry that CSRF token (form field `csrf_token` or header
`X-CSRF-Token`); a bearer token (the API) needs none, since a browser never sends one by itself.
The login form, posted before any session exists, carries a signed token that must equal the one in a
short-lived cookie (double submit): a hostile site can neither read nor set it, so it cannot log a
victim into the attacker's account.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from threading import Lock
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from monitor import clock
from monitor.storage.database import Database
from monitor.storage.users import (
    Account,
    Role,
    TokenKind,
    account_by_id,
    account_for_token,
    note_token_use,
    token_use_is_stale,
)

SESSION_COOKIE = "monitor_session"
LOGIN_COOKIE = "monitor_login"
LOGIN_FORM_LIFETIME = timedelta(hours=1)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
ADDRESS_FACTOR = 4
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # never tells an outside site (a feed's secret URL, a hit) where from
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class AuthError(Exception):
    """Not logged in (401, or the login page) or not allowed (403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Caller:
    """The person behind a request and how they proved it."""

    account: Account
    csrf: str | None
    """The session's CSRF token; None for a bearer token."""

    @property
    def name(self) -> str:
        return self.account.name

    def may(self, role: Role) -> bool:
        return self.account.may(role)


class Sessions:
    """Signs and reads session cookies."""

    def __init__(self, secret: str, lifetime: timedelta, secure: bool) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="monitor-session")
        self._login = URLSafeTimedSerializer(secret, salt="monitor-login-form")
        self.lifetime = lifetime
        self.secure = secure

    def cookie_for(self, account: Account) -> tuple[str, str]:
        """A new session's cookie value and its CSRF token."""
        csrf = secrets.token_urlsafe(24)
        return self._serializer.dumps({"u": account.id, "e": account.session_epoch, "c": csrf}), csrf

    def login_token(self) -> str:
        """A fresh token for the login form and its cookie, signed so that no one else can mint one."""
        return self._login.dumps(secrets.token_urlsafe(24))

    def login_token_valid(self, cookie: str | None, sent: str | None) -> bool:
        """The login form's token equals its cookie's, and that is one of ours, not older than an hour."""
        if not cookie or not sent or not secrets.compare_digest(cookie, sent):
            return False
        try:
            self._login.loads(cookie, max_age=int(LOGIN_FORM_LIFETIME.total_seconds()))
        except BadSignature:
            return False
        return True

    def set_login_cookie(self, response: Any, token: str) -> None:
        response.set_cookie(
            LOGIN_COOKIE,
            token,
            max_age=int(LOGIN_FORM_LIFETIME.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=self.secure,
            path="/login",
        )

    def read(self, value: str) -> dict[str, Any] | None:
        try:
            data = self._serializer.loads(value, max_age=int(self.lifetime.total_seconds()))
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None

    def set_cookie(self, response: Any, value: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            value,
            max_age=int(self.lifetime.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=self.secure,
            path="/",
        )


def identify(request: Request, database: Database, sessions: Sessions) -> Caller | None:
    """The caller of a request: a bearer token first, else the session cookie; None for nobody."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = token_account(database, header[7:].strip(), TokenKind.api)
        if found is None:
            raise AuthError(401, "invalid or revoked API token")
        return Caller(found, None)
    value = request.cookies.get(SESSION_COOKIE)
    data = sessions.read(value) if value else None
    if not data:
        return None
    with database.read_session() as session:
        account = account_by_id(session, int(data.get("u", 0)))
    if account is None or account.session_epoch != data.get("e"):
        return None
    return Caller(account, str(data.get("c", "")))


def token_account(database: Database, token: str, kind: TokenKind) -> Account | None:
    """The account of a bearer or feed token (None when unknown or revoked); its use noted once a minute."""
    with database.read_session() as session:
        found = account_for_token(session, token, kind)
    if found is None:
        return None
    now = clock.now()
    if token_use_is_stale(found[1], now):
        with database.session() as session:
            note_token_use(session, found[1].id, now=now)
            session.commit()
    return found[0]


async def check_csrf(request: Request, caller: Caller) -> None:
    """A change made with a session must carry the session's CSRF token; 403 otherwise."""
    if request.method not in UNSAFE_METHODS or caller.csrf is None:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not secrets.compare_digest(sent, caller.csrf):
        raise AuthError(403, "missing or wrong CSRF token: reload the page and try again")


class LoginThrottle:
    """At most `attempts` failed logins per account, and four times as many per client address (people
    behind one address share it), within `window`."""

    def __init__(self, attempts: int, window: timedelta = timedelta(minutes=15)) -> None:
        self.attempts = attempts
        self.window = window.total_seconds()
        self._failures: dict[str, deque[float]] = {}
        self._lock = Lock()

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            return any(len(self._recent(key)) >= self._limit(key) for key in keys)

    def _limit(self, key: str) -> int:
        return self.attempts * (ADDRESS_FACTOR if key.startswith("address:") else 1)

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._recent(key).append(time.monotonic())

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and time.monotonic() - failures[0] > self.window:
            failures.popleft()
        return failures

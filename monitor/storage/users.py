"""Accounts of the desk: people with a role, Argon2 password hashes, API and feed tokens, the setup link.

Roles: `viewer` reads, `analyst` also triages and writes notes, `admin` also manages sources, channels and
users. Tokens are random (32 bytes) and stored as their SHA-256: a leaked database gives no usable token.
A password change raises the user's session epoch, which logs out the sessions signed before it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from monitor.errors import DeskError, NotFound
from monitor.storage.tables import ApiToken, DeskSecret, DeskUser, SetupToken
from monitor.storage.upsert import insert_if_absent

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1_000
MAX_NAME_CHARS = 100
TOKEN_PREFIX = {"api": "mon_", "feed": "feed_", "setup": "setup_"}
_hasher = PasswordHasher()
_UNUSED_HASH = _hasher.hash("no such user: the same work as a real check")


class Role(StrEnum):
    """What a person may do: each role may do everything the roles before it may."""

    viewer = "viewer"
    analyst = "analyst"
    admin = "admin"

    def allows(self, needed: Role) -> bool:
        order = list(Role)
        return order.index(self) >= order.index(needed)


class TokenKind(StrEnum):
    api = "api"
    feed = "feed"


@dataclass(frozen=True)
class Account:
    """A user as the desk sees it: no password hash."""

    id: int
    name: str
    role: Role
    session_epoch: int
    created_at: datetime

    @classmethod
    def of(cls, row: DeskUser) -> Account:
        assert row.id is not None
        return cls(row.id, row.name, Role(row.role), row.session_epoch, row.created_at)

    def may(self, needed: Role) -> bool:
        return self.role.allows(needed)


@dataclass(frozen=True)
class TokenInfo:
    """A token without its secret: what `monitor users token --list` and the API show."""

    id: int
    user: str
    kind: str
    label: str
    filters: dict[str, Any]
    created_at: datetime
    last_used_at: datetime | None


def check_name(name: str) -> str:
    """A user name: 1–100 characters, no spaces or control characters."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS or any(c.isspace() or not c.isprintable() for c in name):
        raise DeskError("a user name is 1 to 100 characters without spaces")
    return name


def check_password(password: str) -> str:
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise DeskError(f"a password has at least {MIN_PASSWORD_CHARS} characters")
    return password


def add_user(session: Session, name: str, password: str, role: Role | str, *, now: datetime) -> Account:
    """Create a user; DeskError when the name is taken or the password too short."""
    row: dict[str, Any] = {"name": check_name(name), "password_hash": _hasher.hash(check_password(password))}
    row |= {"role": Role(role).value, "session_epoch": 0, "created_at": now}
    if insert_if_absent(session, DeskUser, row, ("name",)) is None:
        raise DeskError(f"a user named {name!r} exists already")
    return get_account(session, name)


def list_accounts(session: Session) -> list[Account]:
    return [Account.of(row) for row in session.exec(select(DeskUser).order_by(col(DeskUser.name)))]


def has_users(session: Session) -> bool:
    return bool(session.exec(select(func.count()).select_from(DeskUser)).one())


def get_account(session: Session, name: str) -> Account:
    row = session.exec(select(DeskUser).where(DeskUser.name == name)).first()
    if row is None:
        raise NotFound(f"no user named {name!r}")
    return Account.of(row)


def account_by_id(session: Session, user_id: int) -> Account | None:
    row = session.get(DeskUser, user_id)
    return Account.of(row) if row is not None else None


def set_password(session: Session, name: str, password: str) -> Account:
    """A new password; every session of the user is logged out."""
    statement = (
        update(DeskUser)
        .where(col(DeskUser.name) == name)
        .values(
            password_hash=_hasher.hash(check_password(password)),
            session_epoch=col(DeskUser.session_epoch) + 1,
        )
    )
    if not session.exec(statement).rowcount:  # type: ignore[call-overload]
        raise NotFound(f"no user named {name!r}")
    return get_account(session, name)


def set_role(session: Session, name: str, role: Role | str) -> Account:
    statement = update(DeskUser).where(col(DeskUser.name) == name).values(role=Role(role).value)
    if not session.exec(statement).rowcount:  # type: ignore[call-overload]
        raise NotFound(f"no user named {name!r}")
    return get_account(session, name)


def remove_user(session: Session, name: str) -> None:
    """Delete a user and their tokens; their notes and audit entries keep their name."""
    account = get_account(session, name)
    session.exec(delete(ApiToken).where(col(ApiToken.user_id) == account.id))  # type: ignore[call-overload]
    session.exec(delete(DeskUser).where(col(DeskUser.id) == account.id))  # type: ignore[call-overload]


def verify_login(session: Session, name: str, password: str) -> Account | None:
    """The account when the password is right, else None (as slow for an unknown name as for a known one)."""
    row = session.exec(select(DeskUser).where(DeskUser.name == name.strip())).first()
    try:
        _hasher.verify(row.password_hash if row is not None else _UNUSED_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
        session.add(row)
    return Account.of(row)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(
    session: Session,
    user: str,
    kind: TokenKind | str,
    *,
    label: str = "",
    filters: dict[str, Any] | None = None,
    now: datetime,
) -> str:
    """A new token for the user; the secret is returned once and only its digest is kept."""
    account = get_account(session, user)
    kind = TokenKind(kind)
    token = TOKEN_PREFIX[kind.value] + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=account.id,
            kind=kind.value,
            label=label[:200],
            token_hash=token_digest(token),
            filters=dict(filters or {}),
            created_at=now,
        )
    )
    session.flush()
    return token


def account_for_token(
    session: Session, token: str, kind: TokenKind | str
) -> tuple[Account, TokenInfo] | None:
    """Who a token belongs to (and the token), when it exists (a read: see `note_token_use`)."""
    statement = (
        select(ApiToken, DeskUser)
        .join(DeskUser, col(DeskUser.id) == ApiToken.user_id)
        .where(ApiToken.token_hash == token_digest(token), ApiToken.kind == TokenKind(kind).value)
    )
    found = session.exec(statement).first()
    if found is None:
        return None
    row, user = found
    return Account.of(user), _info(row, user.name)


def token_use_is_stale(info: TokenInfo, now: datetime) -> bool:
    """Whether the token's last use is worth writing again (once a minute at most: reads stay reads)."""
    return info.last_used_at is None or (now - info.last_used_at).total_seconds() > 60


def note_token_use(session: Session, token_id: int, *, now: datetime) -> None:
    session.exec(update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=now))  # type: ignore[call-overload]


def list_tokens(session: Session, user: str | None = None) -> list[TokenInfo]:
    statement = select(ApiToken, DeskUser.name).join(DeskUser, col(DeskUser.id) == ApiToken.user_id)
    if user is not None:
        statement = statement.where(DeskUser.name == user)
    return [_info(row, name) for row, name in session.exec(statement.order_by(col(ApiToken.id)))]


def revoke_token(session: Session, token_id: int, *, user: str | None = None) -> None:
    """Delete a token (of that user only, when named); NotFound when there is none."""
    statement = delete(ApiToken).where(col(ApiToken.id) == token_id)
    if user is not None:
        owner = get_account(session, user)
        statement = statement.where(col(ApiToken.user_id) == owner.id)
    if not session.exec(statement).rowcount:  # type: ignore[call-overload]
        raise NotFound(f"no token {token_id}")


def _info(row: ApiToken, user: str) -> TokenInfo:
    assert row.id is not None
    return TokenInfo(row.id, user, row.kind, row.label, dict(row.filters), row.created_at, row.last_used_at)


def issue_setup_token(session: Session, *, now: datetime) -> str | None:
    """A new one-time setup secret when there is no user yet (None when there is one)."""
    if has_users(session):
        return None
    token = TOKEN_PREFIX["setup"] + secrets.token_urlsafe(32)
    session.add(SetupToken(token_hash=token_digest(token), created_at=now))
    session.flush()
    return token


def setup_token_valid(session: Session, token: str) -> bool:
    return not has_users(session) and session.get(SetupToken, token_digest(token)) is not None


def use_setup_token(session: Session, token: str, name: str, password: str, *, now: datetime) -> Account:
    """Create the first admin with a setup secret; every setup secret is spent."""
    if not setup_token_valid(session, token):
        raise DeskError("this setup link has been used or is not valid")
    account = add_user(session, name, password, Role.admin, now=now)
    session.exec(delete(SetupToken))  # type: ignore[call-overload]
    return account


def shared_secret(session: Session, name: str) -> str:
    """A random secret kept in the database under `name`, created on first use (every process agrees)."""
    row = session.get(DeskSecret, name)
    if row is None:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        table = DeskSecret.__table__  # type: ignore[attr-defined]
        values = {"name": name, "value": secrets.token_urlsafe(48)}
        session.exec(insert(table).values(**values).on_conflict_do_nothing(index_elements=["name"]))
        row = session.get(DeskSecret, name)
    assert row is not None
    return row.value

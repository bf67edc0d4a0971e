"""Secrets in URLs that are not Apprise URLs (feeds, databases), masked wherever a URL is shown or logged.

A feed URL may carry credentials (`https://user:pass@host/feed`, `?apikey=…`, `&token=…`), and so may a
database URL (`postgresql://user:pass@host/db`, `?password=…`). `mask_url_secrets` replaces the password of
the user info (the whole user info when it has no colon: often a token), and the values of query parameters
named like secrets, by `***`. It reads the URL as text, not through a URL parser, so that what a parser
would get wrong (an unencoded `@` in a password) is still hidden. `mask_secrets_in` does the same for every
URL inside a text (an error message, a log line). Apprise URLs, whose secrets also sit in the path, have
their own masking in `monitor.alerts.redaction`.

A file the user asked for (`monitor sources export`, the OPML of the desk) keeps the real URLs: it is meant
to configure another reader. Everything shown on a terminal, a page, a message or a log is masked.
"""

from __future__ import annotations

import re

HIDDEN = "***"
_SECRET_NAME = re.compile(
    r"(?i)(key|token|secret|pass|pwd|auth|sig|session|sid|credential|private|access|code|hash)"
)
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_AUTHORITY_END = re.compile(r"[/?#]")


def mask_url_secrets(url: str, *, bare_user_is_secret: bool = True) -> str:
    """`url` with its password and secret-named query values replaced by `***`; user info without a
    colon too (`https://TOKEN@host`) unless `bare_user_is_secret` is false (a database's user name)."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return _mask_query(url)
    end = _AUTHORITY_END.search(rest)
    authority, tail = (rest[: end.start()], rest[end.start() :]) if end else (rest, "")
    userinfo, at, host = authority.rpartition("@")
    if at:
        user, colon, _password = userinfo.partition(":")
        if colon:
            authority = f"{user}:{HIDDEN}@{host}"
        elif bare_user_is_secret:
            authority = f"{HIDDEN}@{host}"
    return f"{scheme}://{authority}{_mask_query(tail)}"


def url_secrets(url: str) -> list[str]:
    """The pieces of `url` that `mask_url_secrets` hides (longest first), to scrub them from other text
    (a driver's message that quotes a misparsed host, say)."""
    masked, found = mask_url_secrets(url), set[str]()
    rest = url.partition("://")[2]
    end = _AUTHORITY_END.search(rest)
    authority = rest[: end.start()] if end else rest
    userinfo = authority.rpartition("@")[0]
    secret = userinfo.partition(":")[2] if ":" in userinfo else userinfo
    found |= {secret, *secret.split("@")}
    for pair in re.split(r"[?&;#]", url):
        name, equals, value = pair.partition("=")
        if equals and _SECRET_NAME.search(name):
            found.add(value)
    return sorted((part for part in found if len(part) >= 3 and part not in masked), key=len, reverse=True)


def mask_secrets_in(text: str) -> str:
    """Every URL in `text` with its secrets masked."""
    return _URL.sub(lambda match: mask_url_secrets(match.group(0)), text)


def hide(text: str, secrets: list[str]) -> str:
    """`text` with each of `secrets` replaced by `***`."""
    for secret in secrets:
        text = text.replace(secret, HIDDEN)
    return text


def _mask_query(tail: str) -> str:
    """The path, query and fragment of a URL with the values of secret-named parameters hidden."""
    path, question, query = tail.partition("?")
    if not question:
        return tail
    query, hash_mark, fragment = query.partition("#")
    pairs = []
    for pair in re.split(r"([&;])", query):
        name, equals, value = pair.partition("=")
        pairs.append(f"{name}={HIDDEN}" if equals and value and _SECRET_NAME.search(name) else pair)
    return f"{path}?{''.join(pairs)}{hash_mark}{fragment}"

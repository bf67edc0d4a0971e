"""The typed configuration: sources, rules, channels, and the whole validated directory."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from monitor.alerts.redaction import mask_url
from monitor.alerts.styles import MAX_TEMPLATE_CHARS, MessageStyle
from monitor.config.selectors import CssSelector
from monitor.config.timing import ClockTime, TimeZoneName
from monitor.durations import Duration, format_duration
from monitor.rules import Matcher
from monitor.rules.limits import MAX_QUERY_CHARS
from monitor.sanitize import sanitize

DEFAULT_INTERVAL = timedelta(minutes=15)
SHORTEST_INTERVAL = timedelta(minutes=1)
_LANGUAGE = re.compile(r"[a-z]{2}")


def _name(value: str) -> str:
    """Names identify things in the database and in alerts: no stray spaces, not empty, not huge."""
    if not value.strip():
        raise ValueError("must not be empty")
    if value != value.strip():
        raise ValueError("must not start or end with spaces")
    if len(value) > 200:
        raise ValueError("is longer than 200 characters")
    if sanitize(value) != value:
        raise ValueError("must not contain control characters or bidirectional overrides")
    return value


Name = Annotated[str, AfterValidator(_name)]


def _query_text(value: str) -> str:
    """Queries and concept alternatives are short; checked here so that a huge one is not even parsed."""
    if len(value) > MAX_QUERY_CHARS:
        raise ValueError(
            f"is {len(value):,} characters long, more than the {MAX_QUERY_CHARS:,} a query or concept "
            "alternative may have (write long lists of alternatives in concepts.yaml, one per line)"
        )
    return value


QueryText = Annotated[str, AfterValidator(_query_text)]


class HtmlSelectors(BaseModel):
    """CSS selectors that pick articles out of a web page without a feed (`type: html`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    item: CssSelector = Field(description="Each element matching it is one article.")
    title: CssSelector | None = Field(
        default=None, description="The title inside an item (default: the link's text, else a heading)."
    )
    link: CssSelector | None = Field(
        default=None, description="The link inside an item (default: the item if a link, else its first)."
    )
    summary: CssSelector | None = Field(default=None, description="The summary text inside an item.")
    date: CssSelector | None = Field(default=None, description="The publication date inside an item.")


class SourceConfig(BaseModel):
    """A source to poll: where, how often, how to read it, and hints for matching."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name = Field(description="Unique name of the source, shown in alerts.")
    url: str = Field(description="URL of the RSS, Atom or JSON feed, or of the page for `type: html`.")
    interval: Duration = Field(
        default=DEFAULT_INTERVAL,
        description="Longest wait between checks of a healthy source, such as 10m or 1h.",
    )
    language: str | None = Field(default=None, description="ISO 639-1 code (en, fr, uk, ru, de), a hint.")
    enabled: bool = Field(default=True, description="Disabled sources are kept but not polled.")
    tags: list[str] = Field(default_factory=list, description="Free labels for filtering in the interface.")
    type: Literal["feed", "html"] = Field(
        default="feed", description="`feed` (RSS, Atom, JSON Feed) or `html` (a page read with `selectors`)."
    )
    selectors: HtmlSelectors | None = Field(
        default=None,
        validate_default=True,
        description="CSS selectors of the articles on the page: required for `type: html`, only there.",
    )
    full_text: bool = Field(
        default=False, description="Fetch each new article's page and match its main text too."
    )
    min_interval: Duration | None = Field(
        default=None,
        description="Shortest wait between polls of a busy source (at least 1m; default a quarter of "
        "interval, at least 2m).",
    )
    max_interval: Duration | None = Field(
        default=None,
        description="Longest wait the server's hints (ttl, max-age, Retry-After) may stretch checks to "
        "(default: the setting polling.max_server_wait).",
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an http:// or https:// URL, got {value!r}")
        return _fetchable(value)

    @field_validator("interval")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be longer than zero, such as 10m")
        return value

    @field_validator("language")
    @classmethod
    def _iso_639_1(cls, value: str | None) -> str | None:
        if value is not None and not _LANGUAGE.fullmatch(value.lower()):
            raise ValueError(f"must be an ISO 639-1 code such as en, fr, uk, ru or de, got {value!r}")
        return value.lower() if value is not None else None

    @field_validator("selectors")
    @classmethod
    def _selectors_for_html(cls, value: HtmlSelectors | None, info: ValidationInfo) -> HtmlSelectors | None:
        kind = info.data.get("type")
        if kind == "html" and value is None:
            raise ValueError("required for type: html (at least `item`, the CSS selector of one article)")
        if kind == "feed" and value is not None:
            raise ValueError("only used with type: html (add `type: html`, or remove the selectors)")
        return value

    @field_validator("min_interval", "max_interval")
    @classmethod
    def _bounds(cls, value: timedelta | None, info: ValidationInfo) -> timedelta | None:
        return None if value is None else _check_bound(info.field_name, value, info.data.get("interval"))


def _fetchable(url: str) -> str:
    """An http(s) URL the fetcher (httpx) can use: a host, a port from 1 to 65535, nothing unprintable."""
    import httpx  # imported here, not by every command that reads the configuration's module

    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        reason = str(error).split(",")[0].rstrip(".")
        raise ValueError(f"is not a valid URL: {reason[:1].lower()}{reason[1:]}") from None
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise ValueError(f"has port {parsed.port}: a port goes from 1 to 65535")
    if not parsed.host or any(char.isspace() for char in urlsplit(url).netloc):
        raise ValueError("has no valid host name")
    return url


def _check_bound(name: str | None, value: timedelta, interval: timedelta | None) -> timedelta:
    """An adaptive-scheduling bound: at least a minute, and on the right side of `interval`."""
    if value < SHORTEST_INTERVAL:
        raise ValueError(f"must be at least 1m, got {format_duration(value)}")
    if interval is None:
        return value
    if name == "min_interval" and value > interval:
        raise ValueError(f"{format_duration(value)} is longer than interval ({format_duration(interval)})")
    if name == "max_interval" and value < interval:
        raise ValueError(f"{format_duration(value)} is shorter than interval ({format_duration(interval)})")
    return value


class RuleExamples(BaseModel):
    """Texts a rule must match and texts it must not: checked every time the configuration loads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    match: list[str] = Field(default_factory=list, description="Texts the rule must match.")
    no_match: list[str] = Field(default_factory=list, description="Texts the rule must not match.")


class RuleConfig(BaseModel):
    """A watch rule: a query in the rule language and the channels its hits are sent to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name = Field(description="Unique name of the rule, stored with each hit.")
    query: QueryText = Field(description="The query, in the rule language.")
    channels: list[str] = Field(description="Names of the channels alerted on a hit ([] to only store hits).")
    description: str = Field(default="", description="What the rule is for, shown in the interface.")
    enabled: bool = Field(
        default=True, description="Disabled rules are kept but neither compiled nor matched."
    )
    examples: RuleExamples = Field(default_factory=RuleExamples, description="Texts to check the rule on.")
    follow_ups: Literal["first", "every"] = Field(
        default="first",
        description="first: a story alerts once per channel; every: each later article of it alerts too.",
    )
    priority: Literal["normal", "high"] = Field(
        default="normal",
        description="high: alerts go out at once, through quiet hours, digests and max_per_hour.",
    )

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value


class TemplateFile(BaseModel):
    """A template kept in its own file (inside the configuration directory)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str = Field(description="Path of the template, relative to the configuration directory.")


TemplateText = Annotated[str, Field(max_length=MAX_TEMPLATE_CHARS)]
Template = TemplateText | TemplateFile


class ChannelTemplates(BaseModel):
    """Jinja2 templates (sandboxed) replacing a channel's default messages: each inline or `{file: …}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Template | None = Field(default=None, description="An alert's title (always plain text).")
    alert: Template | None = Field(default=None, description="An alert's body, in the channel's format.")
    digest_title: Template | None = Field(default=None, description="A digest's title (plain text).")
    digest: Template | None = Field(default=None, description="A digest's body, in the channel's format.")

    def inline(self) -> dict[str, str]:
        """The templates given as text, by name (a loaded configuration has read its files into text)."""
        return {name: value for name, value in self if isinstance(value, str)}


class QuietHours(BaseModel):
    """Hours when a channel's alerts are held, to go out together when they end."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    start: ClockTime = Field(alias="from", description='When they begin, such as "22:00".')
    end: ClockTime = Field(
        alias="to", description='When they end, such as "07:00" (the next day if earlier).'
    )
    timezone: TimeZoneName = Field(default="UTC", description="The time zone of from and to (IANA name).")

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("from and to are the same time: quiet hours would never start or never end")
        return self


LONGEST_DIGEST_EVERY = timedelta(days=1)


class ChannelConfig(BaseModel):
    """Where alerts go: one or more Apprise URLs (secrets), when (the channel's alert policy), and how
    messages are written (format and templates)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name = Field(description="Unique name of the channel, used by rules.")
    urls: list[str] = Field(min_length=1, description="Apprise URLs (secrets: use ${VAR}).")
    mode: Literal["immediate", "digest"] = Field(
        default="immediate",
        description="immediate: each alert at once; digest: alerts gathered into one message at every/at.",
    )
    every: Duration | None = Field(
        default=None,
        description="Digest mode: a digest every this long, counted from midnight in `timezone` (1m to 1d).",
    )
    at: list[ClockTime] | None = Field(
        default=None, description='Digest mode: the times of day of the digests, such as ["08:00", "17:30"].'
    )
    timezone: TimeZoneName = Field(
        default="UTC", description="The time zone of `every` and `at` (IANA name)."
    )
    quiet_hours: QuietHours | None = Field(
        default=None,
        description='Alerts held, never dropped, sent together when they end: {from: "22:00", to: "07:00", '
        "timezone: Europe/Paris}.",
    )
    max_per_hour: int | None = Field(
        default=None,
        ge=1,
        description="Most alerts in one clock hour: past it, the rest of the hour goes out as one digest.",
    )
    format: Literal["text", "markdown", "html"] = Field(
        default="text",
        description="How message bodies are written: text, markdown or html (article text is escaped).",
    )
    templates: ChannelTemplates = Field(
        default_factory=ChannelTemplates,
        description="Templates replacing the default title, alert, digest_title or digest (see below).",
    )

    @field_validator("every")
    @classmethod
    def _every_bounds(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and not SHORTEST_INTERVAL <= value <= LONGEST_DIGEST_EVERY:
            raise ValueError(f"must be from 1m to 1d, got {format_duration(value)}")
        return value

    @field_validator("at")
    @classmethod
    def _some_times(cls, value: list[time] | None) -> list[time] | None:
        if value is not None and not value:
            raise ValueError('must list at least one time of day, such as ["08:00"]')
        return sorted(set(value)) if value is not None else None

    @model_validator(mode="after")
    def _schedule(self) -> ChannelConfig:
        if self.mode == "digest" and (self.every is None) == (self.at is None):
            raise ValueError(
                'mode digest needs either `every` (such as 1h) or `at` (such as ["08:00"]), one of them'
            )
        if self.mode == "immediate" and (self.every is not None or self.at is not None):
            raise ValueError("`every` and `at` are for mode: digest (add `mode: digest`, or remove them)")
        return self

    def style(self) -> MessageStyle:
        """The channel's format and templates, as the dispatcher writes messages with them."""
        return MessageStyle(self.format, self.templates.inline())

    def masked_urls(self) -> list[str]:
        """The URLs in a form safe to show or log (Apprise's private form)."""
        return [mask_url(url) for url in self.urls]

    def __repr__(self) -> str:
        return f"ChannelConfig(name={self.name!r}, urls={self.masked_urls()!r})"

    __str__ = __repr__


class WatchConfig(BaseModel):
    """The whole configuration directory, validated once; `matcher` holds the enabled rules, compiled."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    directory: Path
    sources: list[SourceConfig] = Field(default_factory=list)
    rules: list[RuleConfig] = Field(default_factory=list)
    channels: list[ChannelConfig] = Field(default_factory=list)
    concepts: dict[str, list[str]] = Field(default_factory=dict)
    settings_values: dict[str, Any] = Field(default_factory=dict)
    matcher: Matcher
    notes: list[str] = Field(
        default_factory=list, description="Remarks that are not errors (a missing file)."
    )

    def source_by_name(self, name: str) -> SourceConfig | None:
        """The source called `name`, if any."""
        return next((source for source in self.sources if source.name == name), None)

    def rule_by_name(self, name: str) -> RuleConfig | None:
        """The rule called `name`, if any."""
        return next((rule for rule in self.rules if rule.name == name), None)

    def channels_for_rule(self, name: str) -> list[ChannelConfig]:
        """The channels a rule's hits are sent to (empty for an unknown rule)."""
        rule = self.rule_by_name(name)
        if rule is None:
            return []
        by_name = {channel.name: channel for channel in self.channels}
        return [by_name[channel] for channel in rule.channels if channel in by_name]

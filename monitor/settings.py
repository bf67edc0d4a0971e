"""The one typed settings model, parsed once at start-up.

Precedence, highest first: command-line options (`--db`), environment variables (`MONITOR_DATABASE_URL`,
nested ones as `MONITOR_FETCH__TOTAL_TIMEOUT`), the `settings.yaml` of the configuration directory, defaults.
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from monitor import __version__
from monitor.durations import Duration
from monitor.logs import LOG_LEVELS

DEFAULT_DATABASE_URL = "sqlite:///data/monitor.db"

_file_values: ContextVar[dict[str, Any] | None] = ContextVar("settings_file_values", default=None)


class FetchSettings(BaseModel):
    """How sources are fetched: limits that keep one bad server from hurting the rest."""

    model_config = ConfigDict(extra="forbid")

    connect_timeout: float = Field(10.0, gt=0, description="Seconds to open a connection.")
    read_timeout: float = Field(20.0, gt=0, description="Seconds to wait for any bytes.")
    total_timeout: float = Field(60.0, gt=0, description="Seconds for a whole fetch, body included.")
    max_body_bytes: int = Field(10_000_000, gt=0, description="Largest body read; more is an error.")
    max_entries_per_feed: int = Field(
        5_000, ge=1, description="Most entries read from one feed; the rest are left out, with a warning."
    )
    max_concurrency: int = Field(
        32, ge=1, description="Fetches in flight at once, all hosts (shared out between the pollers)."
    )
    per_host_concurrency: int = Field(
        2, ge=1, description="Fetches in flight at once per host (shared out between the pollers)."
    )
    user_agent: str = Field(
        f"monitor/{__version__} (+self-hosted news monitor)",
        description="User-Agent header sent to every source.",
    )
    allowed_networks: list[str] = Field(
        default_factory=list,
        description="Networks (CIDR, e.g. 127.0.0.0/8) that URLs found in content may reach although they "
        "are loopback, private or link-local: article links fetched for full text, feeds a page lists, "
        "redirects to another host. Configured sources may point anywhere.",
    )

    @field_validator("allowed_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for network in value:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(
                    f"{network!r} is not a network (write it as 10.0.0.0/8 or ::1/128)"
                ) from None
        return value


class DeliverySettings(BaseModel):
    """How alerts are delivered and retried."""

    model_config = ConfigDict(extra="forbid")

    max_attempts: int | None = Field(
        None,
        ge=1,
        description="Attempts before a delivery is marked failed; none (the default) means an alert waits "
        "for its channel however long it is down.",
    )
    retry_base: Duration = Field(timedelta(seconds=30), description="Delay after the first failure.")
    retry_max: Duration = Field(
        timedelta(minutes=5),
        description="Longest delay between attempts: how soon a channel that came back gets its alerts.",
    )
    claim_lease: Duration = Field(
        timedelta(seconds=30),
        description="How long a process holds the deliveries it is sending, renewed while it sends; a "
        "killed process's deliveries are sent by another one when it expires.",
    )
    dispatch_interval: Duration = Field(
        timedelta(seconds=30), description="How often `monitor run` sends pending alerts."
    )
    timeout: float = Field(30.0, gt=0, description="Seconds allowed for one notification.")


class PollingSettings(BaseModel):
    """How sources are scheduled, shared between workers and parsed."""

    model_config = ConfigDict(extra="forbid")

    lease: Duration = Field(
        timedelta(minutes=5),
        description="How long a worker holds a source it is polling; a dead worker's sources are taken "
        "over when it expires.",
    )
    tick: Duration = Field(
        timedelta(seconds=1), description="How often `monitor run` looks for sources that fell due."
    )
    processes: int = Field(
        0,
        ge=0,
        description="Poller processes of `monitor run`, `worker` and `poll`, each fetching, parsing and "
        "storing its share of the sources (leases share them out); 0 means one per core.",
    )
    parse_workers: int = Field(
        1,
        ge=0,
        description="Processes each poller parses feeds in; 1 means a thread of the poller itself, which "
        "suits the default of one poller per core; 0 means one per core.",
    )
    max_backoff: Duration = Field(
        timedelta(hours=24), description="Longest wait between checks of a source that keeps failing."
    )
    max_server_wait: Duration = Field(
        timedelta(hours=1),
        description="Longest wait a server may ask for (RSS ttl, Cache-Control max-age, Retry-After) "
        "beyond a healthy source's interval; a source's `max_interval` overrides it.",
    )
    first_poll_alert_window: Duration = Field(
        timedelta(hours=24),
        description="On a new source's first poll, only entries published this recently are alerted; "
        "older ones are stored (and matched into the hit log) without an alert.",
    )
    full_text_concurrency: int = Field(
        4, ge=1, description="Article pages fetched at once per source with `full_text: true`."
    )


class HealthSettings(BaseModel):
    """Notices about monitor itself, sent to an operations channel: sources failing, silent or back, and
    rules hitting far above their usual rate."""

    model_config = ConfigDict(extra="forbid")

    operations_channel: str | None = Field(
        None,
        description="Channel (from channels.yaml) told when a source fails, falls silent or recovers, and "
        "when a rule hits far above its usual rate.",
    )
    failure_threshold: int = Field(
        5, ge=1, description="Failures in a row after which a source is reported as failing."
    )
    silence_factor: float = Field(
        10.0,
        gt=1,
        description="A source is reported silent after this many times its usual gap between items.",
    )
    min_silence: Duration = Field(
        timedelta(days=2), description="A source is never reported silent sooner than this."
    )
    volume_window: Duration = Field(
        timedelta(hours=3),
        description="A rule's hits in this last stretch are compared with its usual rate (volume notice).",
    )
    volume_ratio: float = Field(
        5.0, gt=1, description="A rule is reported when its hits in volume_window are this many times usual."
    )
    volume_min_hits: int = Field(
        10, ge=1, description="A rule is never reported for fewer hits than this in volume_window."
    )
    volume_baseline: Duration = Field(
        timedelta(days=7), description="How far back, before volume_window, a rule's usual rate is measured."
    )


class StorySettings(BaseModel):
    """Stories: the articles that report one event, across outlets and languages (see docs/stories.md)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        True, description="Whether stored articles are grouped into stories (and rules alert once per story)."
    )
    window: Duration = Field(
        timedelta(hours=72), description="A story takes new articles until this long after its latest one."
    )


class WebSettings(BaseModel):
    """The desk (web interface and REST API): where it listens and how it keeps sessions."""

    model_config = ConfigDict(extra="forbid")

    address: str = Field(
        "127.0.0.1:8080",
        description="host:port the desk listens on (`monitor web`, and `monitor run` with `web.enabled`).",
    )
    enabled: bool = Field(True, description="Whether `monitor run` serves the desk too.")
    public_url: str | None = Field(
        None,
        description="URL people reach the desk at (behind a proxy), used in the setup link and feeds; "
        "default http://<address>.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key signing session cookies; default a random key kept in the database, shared by "
        "every process.",
    )
    session_lifetime: Duration = Field(timedelta(days=14), description="How long a login lasts.")
    login_attempts: int = Field(
        5,
        ge=1,
        description="Failed logins allowed per account in 15 minutes (four times as many per client "
        "address).",
    )

    @field_validator("address")
    @classmethod
    def _host_and_port(cls, value: str) -> str:
        split_address(value)
        return value

    @property
    def host(self) -> str:
        return split_address(self.address)[0]

    @property
    def port(self) -> int:
        return split_address(self.address)[1]

    @property
    def base_url(self) -> str:
        """Where the desk is reached: `public_url`, else http:// and the address."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host, port = split_address(self.address)
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        return f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}"


def split_address(address: str) -> tuple[str, int]:
    """`host:port` (IPv6 as `[::1]:8080`) → host and port; ValueError when it is neither."""
    host, sep, port = address.strip().rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"expected host:port such as 127.0.0.1:8080, got {address!r}")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    return host or "127.0.0.1", int(port)


class Settings(BaseSettings):
    """Every setting of monitor, with its default and the reason it exists."""

    model_config = SettingsConfigDict(env_prefix="MONITOR_", env_nested_delimiter="__", extra="forbid")

    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy URL of the database.")
    log_level: str = Field(
        "INFO",
        description="Logging level of the service (run, worker, web): DEBUG, INFO, WARNING, ERROR; set "
        "here, it applies to every command (--log-level overrides it).",
    )
    fetch: FetchSettings = Field(default_factory=FetchSettings)  # type: ignore[arg-type]
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)  # type: ignore[arg-type]
    polling: PollingSettings = Field(default_factory=PollingSettings)  # type: ignore[arg-type]
    health: HealthSettings = Field(default_factory=HealthSettings)  # type: ignore[arg-type]
    web: WebSettings = Field(default_factory=WebSettings)  # type: ignore[arg-type]
    stories: StorySettings = Field(default_factory=StorySettings)  # type: ignore[arg-type]

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not a level: one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Command-line values beat the environment, which beats settings.yaml."""
        return (init_settings, env_settings, _SettingsFileSource(settings_cls))


class _SettingsFileSource(PydanticBaseSettingsSource):
    """The values read from settings.yaml for the settings being built."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return (_file_values.get() or {}).get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(_file_values.get() or {})


def build_settings(
    file_values: dict[str, Any] | None = None, overrides: dict[str, Any] | None = None
) -> Settings:
    """Settings from settings.yaml values, then the environment, then command-line overrides."""
    token = _file_values.set(dict(file_values or {}))
    try:
        return Settings(**{k: v for k, v in (overrides or {}).items() if v is not None})
    finally:
        _file_values.reset(token)

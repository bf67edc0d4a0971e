"""The one typed settings model, parsed once at start-up.

Precedence, highest first: command-line options (`--db`), environment variables (`MONITOR_DATABASE_URL`,
nested ones as `MONITOR_FETCH__TOTAL_TIMEOUT`), the `settings.yaml` of the configuration directory, defaults.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from monitor import __version__
from monitor.durations import Duration

DEFAULT_DATABASE_URL = "sqlite:///data/monitor.db"

_file_values: ContextVar[dict[str, Any] | None] = ContextVar("settings_file_values", default=None)


class FetchSettings(BaseModel):
    """How sources are fetched: limits that keep one bad server from hurting the rest."""

    model_config = ConfigDict(extra="forbid")

    connect_timeout: float = Field(10.0, gt=0, description="Seconds to open a connection.")
    read_timeout: float = Field(20.0, gt=0, description="Seconds to wait for any bytes.")
    total_timeout: float = Field(60.0, gt=0, description="Seconds for a whole fetch, body included.")
    max_body_bytes: int = Field(10_000_000, gt=0, description="Largest body read; more is an error.")
    max_concurrency: int = Field(32, ge=1, description="Fetches in flight at once, all hosts.")
    per_host_concurrency: int = Field(2, ge=1, description="Fetches in flight at once per host.")
    user_agent: str = Field(
        f"monitor/{__version__} (+self-hosted news monitor)",
        description="User-Agent header sent to every source.",
    )


class DeliverySettings(BaseModel):
    """How alerts are delivered and retried."""

    model_config = ConfigDict(extra="forbid")

    max_attempts: int = Field(8, ge=1, description="Attempts before a delivery is marked failed.")
    retry_base: Duration = Field(timedelta(seconds=30), description="Delay after the first failure.")
    retry_max: Duration = Field(timedelta(hours=1), description="Longest delay between attempts.")
    dispatch_interval: Duration = Field(
        timedelta(seconds=30), description="How often `monitor run` sends pending alerts."
    )
    timeout: float = Field(30.0, gt=0, description="Seconds allowed for one notification.")


class WebSettings(BaseModel):
    """Where the web interface listens."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="Address the web interface binds to.")
    port: int = Field(8080, ge=1, le=65535, description="Port of the web interface.")


class Settings(BaseSettings):
    """Every setting of monitor, with its default and the reason it exists."""

    model_config = SettingsConfigDict(env_prefix="MONITOR_", env_nested_delimiter="__", extra="forbid")

    database_url: str = Field(DEFAULT_DATABASE_URL, description="SQLAlchemy URL of the database.")
    log_level: str = Field("INFO", description="Logging level: DEBUG, INFO, WARNING, ERROR.")
    fetch: FetchSettings = Field(default_factory=FetchSettings)  # type: ignore[arg-type]
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)  # type: ignore[arg-type]
    web: WebSettings = Field(default_factory=WebSettings)  # type: ignore[arg-type]

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

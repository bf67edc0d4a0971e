"""How monitor logs: one format for every command and every poller process, times in UTC, labelled `Z`.

The level comes from `--log-level` (or `MONITOR_LOG_LEVEL`) when given, else from `log_level` in
settings.yaml for the service (`run`, `worker`, `web`: INFO by default) and for any command when the file
sets it; other commands stay at WARNING.
"""

from __future__ import annotations

import logging
import sys
import time

from monitor.secrets import mask_secrets_in

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
QUIET_LOGGERS = ("apscheduler", "httpx", "httpcore", "alembic")
"""Libraries that narrate every job run, request or migration step at INFO: shown from WARNING on,
unless the level asked for is DEBUG."""
HANDLER_NAME = "monitor"
DEFAULT_COMMAND_LEVEL = "WARNING"
"""The level of one-shot commands (`poll`, `hits`…) unless --log-level or settings.yaml says otherwise."""
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class UtcFormatter(logging.Formatter):
    """Log times in UTC, as the tables and the desk show them, with their zone (`Z`)."""

    converter = staticmethod(time.gmtime)


def configure_logging(level: str | int, *, process_name: bool = False) -> None:
    """Log to stderr at `level` (a name such as "INFO", or a number); `process_name` adds the process's
    name to each line, to tell the poller processes of one machine apart. Called again, it changes the
    level (and the format) of the same handler: each line is written once."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.name == HANDLER_NAME), None)
    if handler is None:
        if root.handlers:  # someone else (a test runner, an embedding program) handles the lines
            set_log_level(level)
            return
        handler = logging.StreamHandler(sys.stderr)
        handler.name = HANDLER_NAME
        root.addHandler(handler)
    process = "%(processName)s " if process_name else ""
    handler.setFormatter(
        UtcFormatter(f"%(asctime)s %(levelname)-7s {process}%(name)s: %(message)s", TIME_FORMAT)
    )
    if not any(isinstance(existing, MaskingFilter) for existing in handler.filters):
        handler.addFilter(MaskingFilter())
    set_log_level(level)


def set_log_level(level: str | int) -> None:
    """Change the level of monitor's logging (libraries stay quiet unless it is DEBUG)."""
    root = logging.getLogger()
    root.setLevel(level.upper() if isinstance(level, str) else level)
    quiet = logging.WARNING if root.getEffectiveLevel() > logging.DEBUG else logging.NOTSET
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(quiet)


class MaskingFilter(logging.Filter):
    """Masks the secrets of every URL in a record (`user:pass@`, `?apikey=`), whichever library logs it
    (httpx logs each request's URL): a feed URL may carry credentials. On the handler, so that records of
    every logger pass through it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets_in(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True

"""How monitor logs: one format for every command and every poller process."""

from __future__ import annotations

import logging

from monitor.secrets import mask_secrets_in

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
QUIET_LOGGERS = ("apscheduler", "httpx", "httpcore", "alembic")
"""Libraries that narrate every job run, request or migration step at INFO: shown from WARNING on,
unless the level asked for is DEBUG."""


def configure_logging(level: str | int, *, process_name: bool = False) -> None:
    """Log to stderr at `level` (a name such as "INFO", or a number); `process_name` adds the process's
    name to each line, to tell the poller processes of one machine apart."""
    process = "%(processName)s " if process_name else ""
    logging.basicConfig(
        level=level.upper() if isinstance(level, str) else level,
        format=f"%(asctime)s %(levelname)-7s {process}%(name)s: %(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S",
    )
    for handler in logging.getLogger().handlers:
        if not any(isinstance(existing, MaskingFilter) for existing in handler.filters):
            handler.addFilter(MaskingFilter())
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)


class MaskingFilter(logging.Filter):
    """Masks the secrets of every URL in a record (`user:pass@`, `?apikey=`), whichever library logs it
    (httpx logs each request's URL): a feed URL may carry credentials. On the handlers, so that records of
    every logger pass through it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets_in(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True

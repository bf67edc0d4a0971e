"""Loading and validating the configuration directory (sources, rules, channels, concepts, settings).

`load_config(directory)` reads every file once and raises `monitor.errors.ConfigError` listing every
problem as `file:line:column: message`; `check_config(directory)` returns the problems instead.
"""

from monitor.alerts.redaction import mask_url
from monitor.config.loader import check_config, load_config
from monitor.config.models import (
    ChannelConfig,
    HtmlSelectors,
    RuleConfig,
    RuleExamples,
    SourceConfig,
    WatchConfig,
)

__all__ = [
    "ChannelConfig",
    "HtmlSelectors",
    "RuleConfig",
    "RuleExamples",
    "SourceConfig",
    "WatchConfig",
    "check_config",
    "load_config",
    "mask_url",
]

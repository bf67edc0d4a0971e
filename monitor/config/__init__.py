"""Loading and validating the configuration directory (sources, rules, channels, concepts, settings).

`load_config(directory)` reads every file once and raises `monitor.errors.ConfigError` listing every
problem as `file:line:column: message`; `check_config(directory)` returns the problems instead. Names are
imported on first use: a command that reads one file (settings.yaml, through `monitor.config.yamlfile`)
does not load the loader, the models and the rule compiler.
"""

from typing import TYPE_CHECKING

from monitor.lazy import lazy_exports

_EXPORTS = {
    "check_config": "loader",
    "load_config": "loader",
    "ChannelConfig": "models",
    "HtmlSelectors": "models",
    "RuleConfig": "models",
    "RuleExamples": "models",
    "SourceConfig": "models",
    "WatchConfig": "models",
}
__all__ = [
    "ChannelConfig",
    "HtmlSelectors",
    "RuleConfig",
    "RuleExamples",
    "SourceConfig",
    "WatchConfig",
    "check_config",
    "load_config",
]
__getattr__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from monitor.config.loader import check_config, load_config
    from monitor.config.models import (
        ChannelConfig,
        HtmlSelectors,
        RuleConfig,
        RuleExamples,
        SourceConfig,
        WatchConfig,
    )

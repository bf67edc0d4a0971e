"""The reference tables of docs/configuration.md, generated from the models so the docs cannot drift."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from monitor.config.models import ChannelConfig, HtmlSelectors, RuleConfig, RuleExamples, SourceConfig
from monitor.durations import format_duration
from monitor.settings import Settings

ENV_PREFIX = "MONITOR_"


def generated_blocks() -> dict[str, str]:
    """Each generated block of docs/configuration.md by its marker name."""
    models: dict[str, type[BaseModel]] = {
        "sources": SourceConfig,
        "selectors": HtmlSelectors,
        "rules": RuleConfig,
        "examples": RuleExamples,
        "channels": ChannelConfig,
    }
    return {"settings": settings_table(), **{name: fields_table(model) for name, model in models.items()}}


def refresh(text: str) -> str:
    """`text` with every `<!-- generated:NAME -->` … `<!-- end:NAME -->` block regenerated."""
    for name, table in generated_blocks().items():
        pattern = re.compile(rf"(<!-- generated:{name} -->\n)(?:.*?\n)?(<!-- end:{name} -->)", re.DOTALL)
        text = pattern.sub(_filled(table), text)
    return text


def _filled(table: str) -> Callable[[re.Match[str]], str]:
    return lambda match: f"{match.group(1)}{table}\n{match.group(2)}"


def main(argv: list[str]) -> int:
    """`python -m monitor.config.reference docs/configuration.md` rewrites the generated tables in place."""
    for name in argv:
        path = Path(name)
        path.write_text(refresh(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


def settings_table(model: type[BaseModel] = Settings) -> str:
    """A Markdown table of every setting: settings.yaml key, environment variable, default, meaning."""
    rows = ["| setting (settings.yaml) | environment variable | default | meaning |", "|---|---|---|---|"]
    rows += [_setting_row(path, field) for path, field in _leaf_fields(model, ())]
    return "\n".join(rows)


def fields_table(model: type[BaseModel]) -> str:
    """A Markdown table of the keys of one configuration entry (a source, a rule, a channel)."""
    rows = ["| key | required | default | meaning |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        required = "yes" if field.is_required() else "no"
        default = "" if field.is_required() else f"`{_default(field)}`"
        rows.append(f"| `{name}` | {required} | {default} | {field.description or ''} |")
    return "\n".join(rows)


def _leaf_fields(model: type[BaseModel], prefix: tuple[str, ...]) -> list[tuple[tuple[str, ...], FieldInfo]]:
    leaves: list[tuple[tuple[str, ...], FieldInfo]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            leaves += _leaf_fields(annotation, (*prefix, name))
        else:
            leaves.append(((*prefix, name), field))
    return leaves


def _setting_row(path: tuple[str, ...], field: FieldInfo) -> str:
    key = ".".join(path)
    env = ENV_PREFIX + "__".join(part.upper() for part in path)
    return f"| `{key}` | `{env}` | `{_default(field)}` | {field.description or ''} |"


def _default(field: FieldInfo) -> str:
    value: Any = field.get_default(call_default_factory=True)
    if value is PydanticUndefined:
        return ""
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, BaseModel):
        return "{}"
    if value == "":
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, list | dict) and not value:
        return "[]" if isinstance(value, list) else "{}"
    return str(value).replace("|", "\\|")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

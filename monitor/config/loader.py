"""Loading the configuration directory: every file read, checked and cross-checked, every problem kept."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, RootModel, create_model

from monitor.alerts.redaction import is_valid_apprise_url, mask_url, mask_urls_in
from monitor.config.models import ChannelConfig, Name, QueryText, RuleConfig, SourceConfig, WatchConfig
from monitor.config.rulecheck import RuleFiles, compile_checked, disabled_rule_notes
from monitor.config.templates import check_channel_templates
from monitor.config.validation import describe, unknown_key_message, validate_list, validate_mapping
from monitor.config.yamlfile import YamlFile, read_yaml
from monitor.errors import ConfigError, Problem
from monitor.settings import Settings

FILES = ("sources.yaml", "channels.yaml", "concepts.yaml", "rules.yaml", "settings.yaml")
REQUIRED = ("sources.yaml", "channels.yaml", "rules.yaml")
SECRET_FILES = ("channels.yaml", "settings.yaml")  # Apprise URLs; database URLs with passwords
Model = TypeVar("Model", bound=BaseModel)


class _Concepts(RootModel[dict[Name, list[QueryText]]]):
    """concepts.yaml: a name → its alternatives (each a phrase of the rule language)."""


@dataclass
class _Loaded:
    """What was read so far: the files (for their problems), the valid values, notes."""

    directory: Path
    environ: Mapping[str, str]
    files: dict[str, YamlFile] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    others: list[Problem] = field(default_factory=list)
    """Problems in files the configuration refers to (template files)."""

    def read(self, name: str, key: str | None) -> tuple[YamlFile | None, Any]:
        """The file `name` and the value under its top-level `key` (the whole mapping when key is None)."""
        path = self.directory / name
        if not path.is_file():
            if name in REQUIRED:
                self.notes.append(f"{path} not found: no {name.removesuffix('.yaml')} configured")
            return None, None
        data, file = read_yaml(path, self.environ, mask_secrets=name in SECRET_FILES)
        self.files[name] = file
        return file, _section(file, data, key)

    def note_defaults(self) -> None:
        """Say where a `${VAR:-default}` fell back to its default, so that a forgotten variable is seen."""
        for file in self.files.values():
            for name, line in file.defaulted:
                self.notes.append(f"{file.name}:{line}: {name} is not set; using the default written there")

    def problems(self) -> list[Problem]:
        ordered = [self.files[name] for name in FILES if name in self.files]
        return [problem for file in ordered for problem in sorted(file.problems, key=_position)] + self.others


def load_config(directory: Path, environ: Mapping[str, str] | None = None) -> WatchConfig:
    """The validated configuration of `directory`; raises ConfigError listing every problem found."""
    problems, config = _load(Path(directory), os.environ if environ is None else environ)
    if config is None:
        raise ConfigError(problems)
    return config


def check_config(directory: Path, environ: Mapping[str, str] | None = None) -> list[Problem]:
    """Every problem of the configuration in `directory` (empty when it loads)."""
    problems, _ = _load(Path(directory), os.environ if environ is None else environ)
    return problems


def _load(directory: Path, environ: Mapping[str, str]) -> tuple[list[Problem], WatchConfig | None]:
    if not directory.is_dir():
        return [Problem(str(directory), 1, 1, "configuration directory not found")], None
    if not any((directory / name).is_file() for name in REQUIRED):
        message = f"no {', '.join(REQUIRED)} in this directory: is it the configuration directory?"
        return [Problem(str(directory), 1, 1, message)], None
    loaded = _Loaded(directory, environ)
    _note_strays(loaded)
    sources = _sources(loaded)
    channels = _channels(loaded)
    concepts_file, concepts = _concepts(loaded)
    rules_file, rules = _rules(loaded, _declared_names(loaded, "channels.yaml", "channels"))
    settings_values = _settings(loaded, _declared_names(loaded, "channels.yaml", "channels"))
    files = RuleFiles(rules_file or YamlFile(directory / "rules.yaml", ""), concepts_file)
    matcher = compile_checked(files, rules, concepts)
    problems = loaded.problems()
    if not problems:
        loaded.notes.extend(disabled_rule_notes(files, rules, concepts))
    loaded.note_defaults()
    if matcher is None and not problems:
        problems = [Problem(str(directory / "rules.yaml"), 1, 1, "the rules could not be compiled")]
    if problems or matcher is None:
        return problems, None
    config = WatchConfig(
        directory=directory,
        sources=sources,
        rules=[rule for _, rule in rules],
        channels=channels,
        concepts=concepts,
        settings_values=settings_values,
        matcher=matcher,
        notes=loaded.notes,
    )
    return [], config


def _sources(loaded: _Loaded) -> list[SourceConfig]:
    file, items = loaded.read("sources.yaml", "sources")
    if file is None:
        return []
    sources = validate_list(file, "sources", items, SourceConfig)
    _report_duplicates(file, "sources", "source", sources)
    return [source for _, source in sources]


def _channels(loaded: _Loaded) -> list[ChannelConfig]:
    file, items = loaded.read("channels.yaml", "channels")
    if file is None:
        return []
    channels = validate_list(file, "channels", items, ChannelConfig)
    _report_duplicates(file, "channels", "channel", channels)
    for index, channel in channels:
        for position, url in enumerate(channel.urls):
            path = ("channels", index, "urls", position)
            if path not in file.unresolved and not is_valid_apprise_url(url):
                file.at_value(path, f"not a valid Apprise URL: {mask_url(url)}")
    return [
        check_channel_templates(file, loaded.directory, index, channel, loaded.others)
        for index, channel in channels
    ]


def _concepts(loaded: _Loaded) -> tuple[YamlFile | None, dict[str, list[str]]]:
    file, values = loaded.read("concepts.yaml", "concepts")
    if file is None or values is None:
        return file, {}
    concepts = validate_mapping(file, ("concepts",), values, _Concepts)
    if concepts is None:
        return file, {}
    return file, dict(concepts.root)


def _rules(loaded: _Loaded, channel_names: set[str]) -> tuple[YamlFile | None, list[tuple[int, RuleConfig]]]:
    file, items = loaded.read("rules.yaml", "rules")
    if file is None:
        return None, []
    rules = validate_list(file, "rules", items, RuleConfig)
    _report_duplicates(file, "rules", "rule", rules)
    hint = "" if "channels.yaml" in loaded.files else " (channels.yaml not found)"
    for index, rule in rules:
        for position, channel in enumerate(rule.channels):
            if channel not in channel_names:
                path = ("rules", index, "channels", position)
                file.at_value(path, f"unknown channel '{mask_urls_in(channel)}'{hint}")
    return file, rules


def _settings(loaded: _Loaded, channel_names: set[str]) -> dict[str, Any]:
    file, values = loaded.read("settings.yaml", None)
    if file is None or values is None:
        return {}
    validate_mapping(file, (), values, _settings_file_model())
    health = values.get("health")
    channel = health.get("operations_channel") if isinstance(health, Mapping) else None
    if isinstance(channel, str) and channel not in channel_names:
        file.at_value(("health", "operations_channel"), f"unknown channel '{mask_urls_in(channel)}'")
    return dict(values)


@cache
def _settings_file_model() -> type[BaseModel]:
    """Settings' fields as a plain model: validates settings.yaml alone, without the environment's values."""
    fields: dict[str, Any] = {name: (info.annotation, info) for name, info in Settings.model_fields.items()}
    return create_model("SettingsFile", __config__=ConfigDict(extra="forbid"), **fields)


def _section(file: YamlFile, data: Any, key: str | None) -> Any:
    """The value under the one top-level `key` of a file, reporting any other key or shape."""
    if data is None:
        return None
    if not isinstance(data, dict):
        expected = f"'{key}:'" if key else "a mapping of settings"
        file.at_value((), f"expected {expected} at the top of the file, got {describe(data)}")
        return None
    if key is None:
        return data
    for other in data:
        if other != key:
            file.at_key((other,), unknown_key_message(other, [key]))
    return data.get(key)


def _report_duplicates(file: YamlFile, key: str, kind: str, items: Sequence[tuple[int, Any]]) -> None:
    first: dict[str, int] = {}
    for index, item in items:
        if item.name in first:
            line = file.located[(key, first[item.name], "name")].node.start_mark.line + 1
            file.at_value((key, index, "name"), f"duplicate {kind} name '{item.name}' (first at line {line})")
        else:
            first[item.name] = index


def _declared_names(loaded: _Loaded, name: str, key: str) -> set[str]:
    """The names given in a file, valid entries or not (so one broken channel does not break its rules)."""
    file = loaded.files.get(name)
    if file is None:
        return set()
    return {
        file.located[path].node.value
        for path in file.located
        if len(path) == 3 and path[0] == key and path[2] == "name" and isinstance(path[1], int)
    }


def _note_strays(loaded: _Loaded) -> None:
    """Remark on YAML files that are not read (a misspelt `source.yaml` would otherwise go unnoticed)."""
    for path in sorted(loaded.directory.glob("*.y*ml")):
        if path.name not in FILES:
            loaded.notes.append(f"{path} is not a configuration file monitor reads; ignored")


def _position(problem: Problem) -> tuple[int, int]:
    return problem.line, problem.column

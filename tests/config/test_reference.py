"""docs/configuration.md stays in step with the code: every setting and every key is documented."""

from __future__ import annotations

from pydantic import BaseModel

from monitor.config.reference import ENV_PREFIX, generated_blocks, refresh
from monitor.settings import Settings
from tests.conftest import PROJECT_ROOT

DOCS = PROJECT_ROOT / "docs" / "configuration.md"


def _setting_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            keys += _setting_keys(field.annotation, f"{prefix}{name}.")
        else:
            keys.append(prefix + name)
    return keys


def test_every_setting_is_documented_with_its_environment_variable() -> None:
    text = DOCS.read_text(encoding="utf-8")
    undocumented = [
        key
        for key in _setting_keys(Settings)
        if f"| `{key}` | `{ENV_PREFIX}{key.upper().replace('.', '__')}` |" not in text
    ]
    assert undocumented == [], "run: python -m monitor.config.reference docs/configuration.md"


def test_the_generated_tables_are_up_to_date() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert refresh(text) == text, "run: python -m monitor.config.reference docs/configuration.md"
    for name in generated_blocks():
        assert f"<!-- generated:{name} -->" in text


def test_every_configuration_file_has_a_section() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name in ("sources.yaml", "channels.yaml", "rules.yaml", "concepts.yaml", "settings.yaml"):
        assert f"## {name}" in text

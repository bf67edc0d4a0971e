"""Checking plain YAML values against the pydantic models, each error reported at its key or value."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from monitor.alerts.redaction import mask_urls_in
from monitor.config.selectors import CSS_SELECTOR_ERROR
from monitor.config.yamlfile import KeyPath, YamlFile
from monitor.secrets import mask_secrets_in

Model = TypeVar("Model", bound=BaseModel)

_EXPECTED = {
    "string_type": "expected text",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a mapping of keys to values",
    "model_type": "expected a mapping of keys to values",
    "model_attributes_type": "expected a mapping of keys to values",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
}
_TYPE_NAMES = {
    str: "text",
    bool: "true/false",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "a mapping",
}


def validate_mapping(file: YamlFile, path: KeyPath, value: Any, model: type[Model]) -> Model | None:
    """`value` as a `model`, or None after reporting every error at its position in `file`."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        for error in exc.errors():
            report_error(file, path, model, error)
        return None


def validate_list(file: YamlFile, key: str, items: Any, model: type[Model]) -> list[tuple[int, Model]]:
    """The valid items of the list under `key`, with their index; every invalid one is reported."""
    if items is None:
        return []
    if not isinstance(items, list):
        file.at_value((key,), f"'{key}' must be a list, got {describe(items)}")
        return []
    valid = []
    for index, item in enumerate(items):
        checked = validate_mapping(file, (key, index), item, model)
        if checked is not None:
            valid.append((index, checked))
    return valid


def report_error(file: YamlFile, path: KeyPath, model: type[BaseModel], error: ErrorDetails) -> None:
    """One pydantic error as a Problem at the key (unknown, missing) or value (anything else) it concerns."""
    loc = (*path, *error["loc"])
    if loc in file.unresolved:
        return  # reported already, as it was read
    field = dotted(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        known = known_keys(model, error["loc"][:-1])
        file.at_key(loc, unknown_key_message(str(error["loc"][-1]), known))
    elif kind == "missing":
        file.at_value(loc[:-1], f"missing required key '{error['loc'][-1]}'")
    elif kind in ("model_type", "model_attributes_type", "dict_type") and not error["loc"]:
        required = [name for name, field in model.model_fields.items() if field.is_required()]
        keys = ", ".join([*required, "…"])
        file.at_value(loc, f"expected a mapping with {keys}, got {describe(error['input'])}")
    elif kind == CSS_SELECTOR_ERROR:
        file.at_offset(loc, int(error.get("ctx", {}).get("offset", 0)), 1, f"{field}: {error['msg']}")
    elif kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        file.at_value(loc, f"{field}: expected {expected}, got {describe(error['input'])}")
    elif kind in _EXPECTED:
        file.at_value(loc, f"{field}: {_EXPECTED[kind]}, got {describe(error['input'])}")
    elif kind == "too_short" and isinstance(error["input"], list):
        file.at_value(loc, f"{field}: must not be empty")
    else:
        message = error["msg"].removeprefix("Value error, ")
        file.at_value(loc, f"{field}: {message[:1].lower()}{message[1:]}" if field else message)


def unknown_key_message(key: str, known: list[str]) -> str:
    """`unknown key 'intervall' (did you mean 'interval'?)`, or the list of known keys."""
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        return f"unknown key '{key}' (did you mean '{close[0]}'?)"
    return f"unknown key '{key}' (known keys: {', '.join(known)})"


def known_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The field names of the (nested) model found by following `loc` from `model`."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if _is_model(current) else None
        if field is None:
            return []
        current = _model_in(field.annotation)
    return [field.alias or name for name, field in current.model_fields.items()] if _is_model(current) else []


def _model_in(annotation: Any) -> Any:
    """The BaseModel inside an annotation such as `FetchSettings`, `list[X]` or `X | None`."""
    if _is_model(annotation):
        return annotation
    for argument in typing.get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def _is_model(value: Any) -> bool:
    return (
        isinstance(value, type) and not isinstance(value, types.GenericAlias) and issubclass(value, BaseModel)
    )


def dotted(loc: tuple[int | str, ...]) -> str:
    """`('examples', 'match', 0)` → `examples.match[0]`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _masked(text: str) -> str:
    """`text` with the secrets of its URLs hidden: those of http(s) URLs (`user:pass@`, `?apikey=`); any
    other URL, an Apprise one whose tokens may sit anywhere in it, starred out but for its scheme."""
    if text.lower().startswith(("http://", "https://")):
        return mask_secrets_in(text)
    return mask_urls_in(text)


def describe(value: Any) -> str:
    """How a YAML value reads to a user: `text 'abc'`, `a list`, `nothing`."""
    if value is None:
        return "nothing"
    if isinstance(value, str):
        value = _masked(value)
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text {shown!r}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value}"
    return _TYPE_NAMES.get(type(value), f"a {type(value).__name__}")

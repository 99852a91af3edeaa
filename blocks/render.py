"""Block Kit objects to the dicts Slack takes: exactly what slack_sdk's `to_dict()` returns, for less.

Why not `to_dict()` itself: for each object it lists every name of the class and of the instance to find the
validators (sorted, each looked up), checks every attribute against a table of exceptions, then converts each
child's finished dict once more. For Manage licenses (about 190 objects) that took 2.3 ms, more than the view's
data (bench/bench_served.py); this walk takes 0.4 ms. It runs the same validators, listed once per class, and
builds the same dict in one pass. A class with a shape of its own (ConfirmObject, …: it overrides `to_dict`) is
rendered by slack_sdk, except Option, the commonest, which follows its `to_dict` here. The tests compare the two
for every view and message they build (tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from slack_sdk.models.basic_objects import EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST, JsonObject
from slack_sdk.models.blocks import Option, PlainTextObject

# slack_sdk drops an empty list or string, except these (a rich text section may be empty).
_EMPTY_ALLOWED = frozenset((e["type"], e["property"]) for e in EMPTY_ALLOWED_TYPE_AND_PROPERTY_LIST)
_GENERIC = tuple(
    getattr(JsonObject, name)
    for name in ("to_dict", "validate_json", "get_non_null_attributes", "get_object_attribute")
)


def as_dict(obj: JsonObject) -> dict[str, Any]:
    """The object as Slack takes it; raises slack_sdk's SlackObjectFormationError when it is not valid."""
    return _render(obj)


def _render(obj: JsonObject) -> dict[str, Any]:
    # The tests wrap this one, to compare each whole view or block with slack_sdk's rendering.
    return _walk(obj) if _generic(type(obj)) else obj.to_dict()


def _walk(obj: JsonObject) -> dict[str, Any]:
    cls = type(obj)
    for name in _validators(cls):
        getattr(obj, name)()
    kind = getattr(obj, "type", None)
    out: dict[str, Any] = {}
    for key in _attributes(cls, obj):
        value = getattr(obj, key, None)
        if value is None or (hasattr(value, "__len__") and len(value) == 0 and (kind, key) not in _EMPTY_ALLOWED):
            continue
        out[key] = _value(value)
    return out


def _value(value: Any) -> Any:
    cls: type = type(value)
    if cls is str or cls is bool or cls is int:  # most values: checked before the table below
        return value
    return _how(cls)(value)


@cache
def _how(cls: type) -> Callable[[Any], Any]:
    """How slack_sdk renders a value of this type, decided once per type."""
    if issubclass(cls, (list, tuple)):
        return _list
    if issubclass(cls, JsonObject) and _generic(cls):
        return _walk
    if cls is Option:  # the commonest object with a shape of its own: a row's radios, every menu's items
        return _option
    if callable(getattr(cls, "to_dict", None)):  # as slack_sdk does with a child's own shape: its dict, walked
        return _own
    return _same


def _list(values: list[Any] | tuple[Any, ...]) -> list[Any]:
    return [_value(v) for v in values]


def _own(value: Any) -> dict[str, Any]:
    return {k: _value(v) for k, v in value.to_dict().items()}


def _same(value: Any) -> Any:
    return value


def _option(option: Option) -> dict[str, Any]:
    """Option.to_dict() in a block (its "block" shape), its children walked here; the tests compare the two."""
    for name in _validators(Option):
        getattr(option, name)()
    text = option._text or PlainTextObject.from_str(option.label or "")
    out: dict[str, Any] = {"text": _value(text), "value": option.value}
    if option._block_description:
        out["description"] = _value(option._block_description)
    if option.url:
        out["url"] = option.url
    return out


def _attributes(cls: type, obj: JsonObject) -> tuple[str, ...]:
    """The attributes slack_sdk renders, in its (sorted) order: a set fixed by the class, so sorted once."""
    found = _sorted_attributes.get(cls)
    if found is None:
        found = _sorted_attributes[cls] = tuple(sorted(obj.attributes))
    return found


_sorted_attributes: dict[type, tuple[str, ...]] = {}


@cache
def _generic(cls: type) -> bool:
    """Whether the class renders the way JsonObject does (no method of the walk overridden)."""
    return all(getattr(cls, f.__name__) is f for f in _GENERIC)


@cache
def _validators(cls: type) -> tuple[str, ...]:
    """The class's validators (methods slack_sdk's JsonValidator marked), in the order slack_sdk runs them."""
    return tuple(
        sorted(
            name
            for name in dir(cls)
            if not name.startswith("__") and callable(v := getattr(cls, name, None)) and hasattr(v, "validator")
        )
    )

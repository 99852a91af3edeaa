"""From a directory file's text to well-shaped records: YAML loading, the pydantic model of each record, and
pydantic's complaints turned into `path: message` lines. The rules across records are in `directory.file`.

Every record is validated on its own (lists of records are `list[Any]` here), so one bad user does not hide
the problems of the next, and the cross-record checks in `directory.file` still see every good record.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import ErrorDetails

from licensing.errors import DirectoryFileError

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Count = Annotated[int, Field(ge=0)]


class _Record(BaseModel):
    # strict: a quantity is a YAML integer, not "25"; a name is text, not a number or a boolean.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ProductRecord(_Record):
    sku: Text
    name: Text
    requires_one_of: list[Text] = []
    excludes: list[Text] = []
    unavailable_in: list[Text] = []


class SubscriptionRecord(_Record):
    sku: Text
    quantity: Count
    alert_below: Count | None = None


class UserRecord(_Record):
    id: Text
    name: Text
    location: Text | None = None
    licenses: list[Text] = []


class CustomerRecord(_Record):
    id: Text
    name: Text | None = None  # required of a new customer; one already in the database keeps its name
    tenant_id: Text | None = None  # connected to this Microsoft 365 tenant: subscriptions and users come from it
    subscriptions: list[Any] = []
    users: list[Any] = []


class OperatorRecord(_Record):
    slack_user_id: Text
    role: Text
    name: Text | None = None
    customers: list[Text] | None = None


TOP_LEVEL = ("products", "customers", "operators")  # each a list; any may be left out


def load_yaml(text: str) -> tuple[object, list[str]]:
    """The data, and a problem per duplicate key; invalid YAML raises DirectoryFileError with line and column."""
    loader = _Loader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    except yaml.YAMLError as exc:
        raise DirectoryFileError([_yaml_problem(exc, text)]) from exc
    finally:
        loader.dispose()


class _Loader(_SafeLoader):
    """Safe loading that notes duplicate keys, of which YAML would silently keep only the last."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[str] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag == "tag:yaml.org,2002:str":
                if key.value in seen:
                    mark = key.start_mark
                    self.duplicates.append(
                        f"line {mark.line + 1}, column {mark.column + 1}: duplicate key '{key.value}'"
                        " (YAML would keep only the last one)"
                    )
                seen.add(key.value)
        return super().construct_mapping(node, deep)


def _yaml_problem(exc: yaml.YAMLError, text: str) -> str:
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow, such as a control character
        line, column = text.count("\n", 0, exc.position) + 1, exc.position - text.rfind("\n", 0, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return f"invalid YAML at line {line}, column {column}: {exc.reason} (U+{code:04X})"
    mark = getattr(exc, "problem_mark", None)
    reason = ", ".join(filter(None, (getattr(exc, "context", None), getattr(exc, "problem", None)))) or str(exc)
    if mark is None:
        return f"invalid YAML: {reason}"
    return f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {reason}"


R = TypeVar("R", bound=_Record)


def validate(model: type[R], data: object, path: str, problems: list[str]) -> R | None:
    """The record, or None after adding one line per problem to `problems`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(f"{join(path, err['loc'])}: {_describe(err, model)}" for err in exc.errors())
        return None


def validate_each(model: type[R], items: list[Any], path: str, problems: list[str]) -> list[tuple[str, R]]:
    """Each valid record of a list with its path (`customers[3]`); the invalid ones only add problems."""
    valid: list[tuple[str, R]] = []
    for i, item in enumerate(items):
        record = validate(model, item, f"{path}[{i}]", problems)
        if record is not None:
            valid.append((f"{path}[{i}]", record))
    return valid


def join(path: str, loc: tuple[int | str, ...]) -> str:
    """`customers[1]` + ('users', 4, 'location') -> `customers[1].users[4].location`."""
    for part in loc:
        path = f"{path}[{part}]" if isinstance(part, int) else f"{path}.{part}" if path else str(part)
    return path


def show(value: object) -> str:
    """A value as the person wrote it, short enough for one line."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(err: ErrorDetails, model: type[_Record]) -> str:
    kind, value = err["type"], err.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return f"is not a known field (expected one of: {', '.join(model.model_fields)})"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_type":
        if isinstance(value, bool):
            return (
                f"must be text, not {show(value)} (YAML reads unquoted yes/no/on/off/true/false as booleans:"
                " put the value in quotes, for example 'NO')"
            )
        return f"must be text, not {show(value)}" + (" (put it in quotes)" if isinstance(value, int | float) else "")
    if kind == "int_type":
        return f"must be a whole number, not {show(value)}"
    if kind == "greater_than_equal":
        return f"must be 0 or more, not {show(value)}"
    if kind == "list_type":
        return f"must be a list, not {show(value)}" + (" (write [] for none)" if value is None else "")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"must be a mapping of fields, not {show(value)}"
    return err["msg"]

"""Offline Block Kit and app-manifest validation, for the fake Slack, the tests and the playground.

The JSON Schemas live in ``fakes/slack/schemas`` (copies with their licences, shipped as package data).  On top
of them this module adds the rules the schemas do not express: block counts per surface, unique block_ids and
action_ids, initial options that must match the element's options, and a safety check that no mrkdwn text carries
an unescaped broadcast mention.

Each ``validate_*`` function returns a list of readable problems, ``"<json pointer>: <message>"``; empty means valid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from jsonschema import Draft7Validator, Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

SCHEMA_DIR: Traversable = files("fakes.slack").joinpath("schemas")
BLOCK_KIT_SCHEMA = SCHEMA_DIR / "slack-block-kit.schema.json"
MANIFEST_SCHEMA = SCHEMA_DIR / "slack-app-manifest.schema.json"

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100

# `<!channel>`, `<!here|here>`, `<!everyone>` and `<!subteam^S123>` notify people; customer data must be escaped.
_BROADCAST = re.compile(r"<!(?:channel|here|everyone)[|>]|<!subteam\^")
_MAX_MESSAGE_CHARS = 300


def pointer(path: Iterable[Any]) -> str:
    """Render a path (sequence of keys/indexes) as an RFC 6901 JSON pointer."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else ""


def _offline(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # never fetch schemas over the network


@cache
def _block_kit() -> tuple[str, Registry[Any]]:
    schema = json.loads(BLOCK_KIT_SCHEMA.read_text(encoding="utf-8"))
    resource = Resource.from_contents(schema)
    registry: Registry[Any] = Registry(retrieve=_offline).with_resource(  # type: ignore[call-arg]
        schema["$id"], resource
    )
    return str(schema["$id"]), registry


@cache
def _block_kit_validator(target: str) -> Validator:
    """A validator for ``$defs/<target>`` of the Block Kit schema, or for a message's block list."""
    schema_id, registry = _block_kit()
    if target == "message_blocks":
        wrapper: dict[str, Any] = {
            "type": "array",
            "maxItems": MAX_MESSAGE_BLOCKS,
            "items": {"$ref": f"{schema_id}#/$defs/block"},
        }
    else:
        wrapper = {"$ref": f"{schema_id}#/$defs/{target}"}
    wrapper["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return Draft202012Validator(wrapper, registry=registry)


def _regex_keyword(
    validator: Validator, regex: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    """The manifest schema spells one pattern as ``regex`` (not a JSON Schema keyword); enforce it like ``pattern``."""
    if isinstance(instance, str) and not re.search(regex, instance):
        yield ValidationError(f"{instance!r} does not match {regex!r}")


@cache
def _manifest_validator() -> Validator:
    schema = json.loads(MANIFEST_SCHEMA.read_text(encoding="utf-8"))
    cls: Any = extend(Draft7Validator, {"regex": _regex_keyword})  # type: ignore[no-untyped-call]
    validator: Validator = cls(schema, registry=Registry(retrieve=_offline))  # type: ignore[call-arg]
    return validator


# --- schema errors made readable -----------------------------------------------------------------------------


def _is_discriminator_miss(error: ValidationError) -> bool:
    """True when a oneOf branch failed only because the object's ``type`` is another one."""
    return error.validator == "const" and list(error.relative_path) == ["type"]


def _leaf_errors(error: ValidationError) -> list[ValidationError]:
    """Descend through oneOf/anyOf unions into the branch whose ``type`` matched, for a precise message."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        matching = [errs for errs in branches.values() if not any(_is_discriminator_miss(e) for e in errs)]
        if len(matching) == 1:
            return [leaf for sub in matching[0] for leaf in _leaf_errors(sub)]
    return [error]


def _matched_type(error: ValidationError) -> bool:
    """Whether some branch of a oneOf/anyOf accepted the object's ``type``."""
    branches: dict[Any, bool] = {}
    for sub in error.context or []:
        key = sub.relative_schema_path[0]
        branches[key] = branches.get(key, False) or _is_discriminator_miss(sub)
    return not all(branches.values())


def _describe(error: ValidationError) -> str:
    value: Any = error.instance
    match error.validator:
        case "maxItems":
            return f"has {len(value)} items, more than the maximum of {error.validator_value}"
        case "minItems":
            return f"has {len(value)} items, fewer than the minimum of {error.validator_value}"
        case "maxLength":
            return f"is {len(value)} characters long, more than the maximum of {error.validator_value}"
        case "minLength":
            return f"is {len(value)} characters long, fewer than the minimum of {error.validator_value}"
        case "const":
            return f"must be {error.validator_value!r}, not {value!r}"
        case "not":
            return f"must not match {json.dumps(error.validator_value)}"
        case "oneOf" | "anyOf" if error.context:
            allowed = sorted({str(e.validator_value) for e in error.context if _is_discriminator_miss(e)})
            if isinstance(value, dict) and "type" in value and allowed and not _matched_type(error):
                return f"type {value['type']!r} is not allowed here (allowed: {', '.join(allowed)})"
            closest = best_match(error.context)
            where = pointer(closest.relative_path)
            return f"matches none of the allowed shapes (closest: {where or 'here'}: {_describe(closest)})"
    message = str(error.message)
    return message if len(message) <= _MAX_MESSAGE_CHARS else message[:_MAX_MESSAGE_CHARS] + "..."


def _schema_problems(validator: Validator, instance: Any, prefix: tuple[Any, ...] = ()) -> list[str]:
    problems: list[str] = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        for leaf in _leaf_errors(error):
            problems.append(f"{pointer((*prefix, *leaf.absolute_path)) or '/'}: {_describe(leaf)}")
    return list(dict.fromkeys(problems))


# --- rules the schema lacks ------------------------------------------------------------------------------------


def _walk(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _walk(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _walk(child, (*path, index))


def _unique_block_ids(blocks: list[Any], path: tuple[Any, ...]) -> list[str]:
    problems: list[str] = []
    seen: dict[str, str] = {}
    candidates: list[tuple[tuple[Any, ...], Any]] = []
    for index, block in enumerate(blocks):
        candidates.append(((*path, index), block))
        if isinstance(block, dict) and block.get("type") == "carousel" and isinstance(block.get("elements"), list):
            candidates.extend(((*path, index, "elements", i), card) for i, card in enumerate(block["elements"]))
    for where, block in candidates:
        if isinstance(block, dict) and isinstance(block.get("block_id"), str):
            block_id = block["block_id"]
            here = pointer((*where, "block_id"))
            if block_id in seen:
                problems.append(f"{here}: duplicate block_id {block_id!r} (first used at {seen[block_id]})")
            else:
                seen[block_id] = here
    return problems


def _unique_action_ids(blocks: list[Any], path: tuple[Any, ...]) -> list[str]:
    problems: list[str] = []
    for index, block in enumerate(blocks):
        seen: dict[str, str] = {}
        for where, node in _walk(block, (*path, index)):
            if isinstance(node, dict) and isinstance(node.get("action_id"), str):
                action_id = node["action_id"]
                here = pointer((*where, "action_id"))
                if action_id in seen:
                    problems.append(
                        f"{here}: duplicate action_id {action_id!r} in one block (first at {seen[action_id]})"
                    )
                else:
                    seen[action_id] = here
    return problems


def _element_options(element: dict[str, Any]) -> list[Any]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        if isinstance(group, dict):
            options.extend(group.get("options") or [])
    return options


def _initial_options(blocks: list[Any], path: tuple[Any, ...]) -> list[str]:
    problems: list[str] = []
    for where, node in _walk(blocks, path):
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            continue
        kind = node["type"]
        if kind not in ("checkboxes", "radio_buttons", "static_select", "multi_static_select"):
            continue
        options = _element_options(node)
        chosen: list[tuple[tuple[Any, ...], Any]] = []
        if "initial_option" in node:
            chosen.append(((*where, "initial_option"), node["initial_option"]))
        if isinstance(node.get("initial_options"), list):
            chosen.extend(((*where, "initial_options", i), o) for i, o in enumerate(node["initial_options"]))
        for option_path, option in chosen:
            if option not in options:  # dict equality is deep equality: every key and value must match exactly
                value = option.get("value") if isinstance(option, dict) else option
                problems.append(
                    f"{pointer(option_path)}: initial option (value {value!r}) does not exactly equal "
                    f"any option of this {kind}"
                )
    return problems


def _mention_problems(node: Any, path: tuple[Any, ...]) -> list[str]:
    problems: list[str] = []
    for where, item in _walk(node, path):
        if isinstance(item, dict) and item.get("type") in ("mrkdwn", "markdown") and isinstance(item.get("text"), str):
            found = _BROADCAST.search(item["text"])
            if found:
                problems.append(
                    f"{pointer((*where, 'text'))}: unescaped broadcast mention {found.group(0)!r} in mrkdwn "
                    "(escape &, < and > in customer data)"
                )
    return problems


def _block_rules(blocks: Any, path: tuple[Any, ...]) -> list[str]:
    if not isinstance(blocks, list):
        return []
    return [
        *_unique_block_ids(blocks, path),
        *_unique_action_ids(blocks, path),
        *_initial_options(blocks, path),
        *_mention_problems(blocks, path),
    ]


# --- public API ------------------------------------------------------------------------------------------------


def validate_view(view: Mapping[str, Any]) -> list[str]:
    """Problems with a modal (views.open/push/update) or home tab (views.publish) view payload."""
    if not isinstance(view, Mapping):
        return [f"/: a view must be a JSON object, not {type(view).__name__}"]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [f"/type: must be 'modal' or 'home', not {kind!r}"]
    problems = _schema_problems(_block_kit_validator(f"{kind}_view"), dict(view))
    blocks = view.get("blocks")
    if (
        isinstance(blocks, list)
        and len(blocks) > MAX_VIEW_BLOCKS
        and not any(p.startswith("/blocks:") for p in problems)
    ):
        problems.append(f"/blocks: has {len(blocks)} blocks, more than the maximum of {MAX_VIEW_BLOCKS}")
    problems += _block_rules(blocks, ("blocks",))
    return list(dict.fromkeys(problems))


def validate_blocks(blocks: Any, path: tuple[Any, ...] = ("blocks",)) -> list[str]:
    """Problems with a message's list of blocks (at most 50)."""
    problems = _schema_problems(_block_kit_validator("message_blocks"), blocks, path)
    return list(dict.fromkeys(problems + _block_rules(blocks, path)))


def validate_message(payload: Mapping[str, Any]) -> list[str]:
    """Problems with a chat.postMessage / chat.update / chat.postEphemeral payload (its text and blocks).

    ``blocks`` may be a list or a JSON string, as in a form-encoded request.
    """
    problems: list[str] = []
    blocks = payload.get("blocks")
    if isinstance(blocks, str):
        try:
            blocks = json.loads(blocks)
        except ValueError as exc:
            return [f"/blocks: not valid JSON ({exc})"]
    if blocks is not None:
        problems += validate_blocks(blocks)
    text = payload.get("text")
    if isinstance(text, str) and payload.get("mrkdwn") not in (False, "false"):
        found = _BROADCAST.search(text)
        if found:
            problems.append(
                f"/text: unescaped broadcast mention {found.group(0)!r} (escape &, < and > in customer data)"
            )
    return problems


def validate_manifest(manifest: Mapping[str, Any]) -> list[str]:
    """Problems with an app manifest (dict form of manifest.json / manifest.yml), checked offline."""
    return _schema_problems(_manifest_validator(), dict(manifest))

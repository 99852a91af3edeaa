"""Slack's Web API wire format, for both transports: a method's arguments from a query string and a body that is
form-encoded, JSON or multipart, with JSON fields (blocks, view, ...) that may arrive as strings; and the token."""

from __future__ import annotations

import email.parser
import email.policy
import json
from collections.abc import Mapping
from urllib.parse import parse_qsl

from fakes.slack.records import Json

JSON_FIELDS = ("blocks", "view", "attachments", "metadata", "unfurls", "user_auth_blocks")


def parse_args(query: str, content_type: str, body: bytes) -> Json:
    """Raises ValueError for a JSON body that is not an object."""
    args: Json = dict(parse_qsl(query, keep_blank_values=True))
    if body and content_type.startswith("application/json"):
        data = json.loads(body.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("JSON body must be an object")
        args.update(data)
    elif body and content_type.startswith("multipart/form-data"):
        args.update(_parse_multipart(content_type, body))
    elif body:
        args.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return _decode_json_fields(args)


def take_token(headers: Mapping[str, str], args: Json) -> str | None:
    """The bearer token, or the form's `token` field (removed from the arguments either way)."""
    token: str | None = None
    auth = headers.get("Authorization") or headers.get("authorization") or ""
    if auth.startswith("Bearer "):
        token = auth.removeprefix("Bearer ").strip()
    elif isinstance(args.get("token"), str):
        token = args.pop("token")
    args.pop("token", None)
    return token


def _decode_json_fields(args: Json) -> Json:
    for key in JSON_FIELDS:
        value = args.get(key)
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            try:
                args[key] = json.loads(value)
            except ValueError:
                pass  # left as a string; the method reports it the way Slack would
    return args


def _parse_multipart(content_type: str, body: bytes) -> Json:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    args: Json = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            args[name] = payload.decode("utf-8") if isinstance(payload, bytes) and not part.get_filename() else payload
    return args

"""Modals and the Home tab: triggers, view stacks (up to 3 views), hashes, and Slack's answers to submissions.

Slack knows whose screen a modal is on: a trigger_id comes from one person's click. ``new_trigger(user=...)``
records that person, so ``views.open`` with that trigger gives them the modal and ``modal_stack(user)`` shows it.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fakes.slack.blockkit import validate_view
from fakes.slack.records import Json, SlackError, ValidationProblem

MAX_VIEW_STACK = 3


@dataclass
class Trigger:
    created: float
    ttl: float | None = None
    view_id: str | None = None
    user: str | None = None


class ViewsMixin:
    team_id: str
    bot_id: str
    app_id: str
    validate: bool
    views: dict[str, Json]
    home_views: dict[str, str]
    view_errors: dict[str, dict[str, str]]
    validation_errors: list[ValidationProblem]
    _lock: threading.RLock
    _changed: threading.Condition
    _ids: Iterator[int]
    _triggers: dict[str, Trigger]
    _used_triggers: set[str]
    _expired_triggers: set[str]
    _stacks: dict[str, list[str]]  # root view_id -> stack of view_ids
    _open_modal: dict[str, str]  # user -> root view_id of the modal on their screen
    _external_ids: dict[str, str]

    def _touch(self) -> None: ...  # FakeSlack's: a change anyone watching should see

    def _init_views(self) -> None:
        self.views = {}  # view_id -> current view (as returned by Slack)
        self.home_views = {}  # user_id -> view_id of the published home tab
        self.view_errors = {}  # view_id -> the inline errors of its last submission
        self._triggers = {}
        self._used_triggers = set()
        self._expired_triggers = set()
        self._stacks = {}
        self._open_modal = {}
        self._external_ids = {}

    # --- triggers -----------------------------------------------------------------------------------------------

    def new_trigger(self, *, view_id: str | None = None, ttl: float | None = None, user: str | None = None) -> str:
        """A fresh trigger_id, as an interaction payload would carry.

        ``view_id`` binds it to a modal (an interaction inside that modal), which is where views.push pushes.
        ``ttl`` makes it expire after that many seconds (Slack's triggers live 3 seconds). ``user`` is the person
        who clicked: a modal opened with this trigger is on their screen.
        """
        with self._lock:
            trigger_id = f"{next(self._ids)}.{secrets.randbelow(10**10):010d}.{secrets.token_hex(16)}"
            self._triggers[trigger_id] = Trigger(created=time.monotonic(), ttl=ttl, view_id=view_id, user=user)
        return trigger_id

    def expire_trigger(self, trigger_id: str) -> None:
        with self._lock:
            self._expired_triggers.add(trigger_id)

    # --- what a person sees -------------------------------------------------------------------------------------

    def modal_stack(self, user: str) -> list[Json]:
        """The views of the modal on ``user``'s screen, bottom first (empty: no modal)."""
        with self._lock:
            root = self._open_modal.get(user)
            return [copy.deepcopy(self.views[v]) for v in self._stacks.get(root or "", [])]

    def home_view(self, user: str) -> Json:
        with self._lock:
            return copy.deepcopy(self.views[self.home_views[user]])

    def answer_submission(self, view_id: str, answer: Json | None, submitted_hash: str | None = None) -> str | None:
        """Do what Slack does with an app's answer to a view_submission; returns the view now on top (None: closed).

        Slack handles `response_action` itself, with no Web API call, so tests hand the HTTP response body here, at
        the moment the reply reaches "Slack". Like Slack, it applies the answer then, even over a views.update that
        arrived earlier: an app that acks with one view and updates it a moment later can lose the update, and the
        tests must see that. (`submitted_hash` is kept for callers; Slack does not check it.)
        """
        with self._changed:
            current = self.views[view_id]
            action = (answer or {}).get("response_action")
            stack = self._stacks.get(current["root_view_id"] or view_id, [view_id])
            self._touch()
            if action == "errors":
                self.view_errors[view_id] = dict((answer or {}).get("errors") or {})
                return view_id
            self.view_errors.pop(view_id, None)
            if action in ("update", "push"):
                view = self._view_arg(f"view_submission:{action}", answer or {})
                if action == "update":
                    rendered = self._render_view(
                        view, view_id=view_id, root=current["root_view_id"], previous=current["previous_view_id"]
                    )
                    self._register_view(rendered)
                    return view_id
                if len(stack) >= MAX_VIEW_STACK:
                    raise SlackError("push_limit_reached")
                new_id = self._next_view_id()
                self._register_view(self._render_view(view, view_id=new_id, root=stack[0], previous=stack[-1]))
                stack.append(new_id)
                return new_id
            if action == "clear":
                stack.clear()
                return None
            return self.close_view(view_id)

    def close_view(self, view_id: str) -> str | None:
        """The user pressed Close (or Back): the view leaves its stack; returns the view below, if any."""
        with self._changed:
            current = self.views[view_id]
            stack = self._stacks.get(current["root_view_id"] or view_id, [])
            if view_id in stack:
                stack.remove(view_id)
            self._touch()
            return stack[-1] if stack else None

    def close_modal(self, user: str) -> list[str]:
        """The user pressed the modal's ×: every view of their modal goes; returns the ids closed, top first."""
        with self._changed:
            stack = self._stacks.get(self._open_modal.pop(user, ""), [])
            closed = list(reversed(stack))
            stack.clear()
            self._touch()
            return closed

    # --- helpers ------------------------------------------------------------------------------------------------

    def _next_view_id(self) -> str:
        return f"V{next(self._ids):04d}"

    def _new_hash(self) -> str:
        return f"{int(time.time())}.{secrets.token_hex(4)}"

    def _view_arg(self, method: str, args: Json) -> Json:
        view = args.get("view")
        if not isinstance(view, dict):
            raise SlackError("invalid_arguments", "[ERROR] missing required field: view")
        if self.validate:
            problems = validate_view(view)
            if problems:
                self.validation_errors.append(ValidationProblem(method, problems, copy.deepcopy(view)))
                raise SlackError("invalid_arguments", *(f"[ERROR] {p}" for p in problems))
        return view

    def _take_trigger(self, args: Json) -> Trigger:
        trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
        if not isinstance(trigger_id, str) or not trigger_id:
            raise SlackError("invalid_arguments", "[ERROR] missing required field: trigger_id")
        if trigger_id in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        trigger = self._triggers.get(trigger_id) or Trigger(created=time.monotonic())
        expired = trigger.ttl is not None and time.monotonic() - trigger.created > trigger.ttl
        if trigger_id in self._expired_triggers or expired:
            raise SlackError("expired_trigger_id")
        return trigger

    def _use_trigger(self, args: Json) -> None:
        self._used_triggers.add(args.get("trigger_id") or args["interactivity_pointer"])

    def _render_view(self, view: Json, *, view_id: str, root: str | None, previous: str | None) -> Json:
        rendered: Json = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": copy.deepcopy(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": self._new_hash(),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": root,
            "previous_view_id": previous,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        if view["type"] == "modal":
            rendered["title"] = copy.deepcopy(view["title"])
            rendered["close"] = copy.deepcopy(view.get("close"))
            rendered["submit"] = copy.deepcopy(view.get("submit"))
            rendered["submit_disabled"] = bool(view.get("submit_disabled", False))
        return rendered

    def _register_view(self, rendered: Json) -> Json:
        external_id = rendered.get("external_id")
        if external_id:
            owner = self._external_ids.get(external_id)
            if owner is not None and owner != rendered["id"]:
                raise SlackError("duplicate_external_id")
            self._external_ids[external_id] = rendered["id"]
        self.views[rendered["id"]] = rendered
        return {"view": copy.deepcopy(rendered)}

    # --- methods ------------------------------------------------------------------------------------------------

    def _modal_arg(self, method: str, args: Json) -> Json:
        view = self._view_arg(method, args)
        if view["type"] != "modal":
            raise SlackError("invalid_arguments", f"[ERROR] {method} needs a modal view [json-pointer:/view/type]")
        return view

    def _views_open(self, args: Json) -> Json:
        trigger = self._take_trigger(args)
        view = self._modal_arg("views.open", args)
        view_id = self._next_view_id()
        rendered = self._render_view(view, view_id=view_id, root=view_id, previous=None)
        result = self._register_view(rendered)
        self._use_trigger(args)
        self._stacks[view_id] = [view_id]
        if trigger.user is not None:  # a new modal replaces whatever modal that person had open
            self._open_modal[trigger.user] = view_id
        return result

    def _views_push(self, args: Json) -> Json:
        trigger = self._take_trigger(args)
        view = self._modal_arg("views.push", args)
        root: Any
        if trigger.view_id is not None:
            root = self.views.get(trigger.view_id, {}).get("root_view_id")
        else:  # a trigger not bound to a modal: push onto the most recently opened stack
            root = next(reversed(self._stacks), None)
        if root is None or root not in self._stacks:
            raise SlackError("not_found", "[ERROR] no open modal to push onto")
        stack = self._stacks[root]
        if len(stack) >= MAX_VIEW_STACK:
            raise SlackError("push_limit_reached")
        view_id = self._next_view_id()
        rendered = self._render_view(view, view_id=view_id, root=root, previous=stack[-1])
        result = self._register_view(rendered)
        self._use_trigger(args)
        stack.append(view_id)
        return result

    def _views_update(self, args: Json) -> Json:
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            view_id = self._external_ids.get(str(args["external_id"]))
        if not args.get("view_id") and not args.get("external_id"):
            raise SlackError("invalid_arguments", "[ERROR] view_id or external_id is required")
        current = self.views.get(str(view_id)) if view_id else None
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view = self._view_arg("views.update", args)
        if view["type"] != current["type"]:
            raise SlackError("invalid_arguments", "[ERROR] a view cannot change its type [json-pointer:/view/type]")
        rendered = self._render_view(
            view, view_id=current["id"], root=current["root_view_id"], previous=current["previous_view_id"]
        )
        rendered["state"] = current["state"]
        if not rendered["external_id"]:
            rendered["external_id"] = current["external_id"]
        self.view_errors.pop(current["id"], None)  # a new version of the view shows none of the old errors
        return self._register_view(rendered)

    def _views_publish(self, args: Json) -> Json:
        user_id = args.get("user_id")
        if not isinstance(user_id, str) or not user_id:
            raise SlackError("invalid_arguments", "[ERROR] missing required field: user_id")
        view = self._view_arg("views.publish", args)
        if view["type"] != "home":
            raise SlackError("invalid_arguments", "[ERROR] views.publish needs a home view [json-pointer:/view/type]")
        existing = self.home_views.get(user_id)
        if existing is not None and args.get("hash") and args["hash"] != self.views[existing]["hash"]:
            raise SlackError("hash_conflict")
        view_id = existing or self._next_view_id()
        rendered = self._render_view(view, view_id=view_id, root=view_id, previous=None)
        result = self._register_view(rendered)
        self.home_views[user_id] = view_id
        return result

"""Reading what an operator submitted: the values of a modal, checked, or the errors to show under its fields."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from blocks import ids
from bot.manage import screens
from bot.slack.timezones import OperatorZone
from licensing import service
from licensing.countries import normalize_country
from licensing.errors import InvalidRequest
from licensing.model import Change
from licensing.scheduled import schedule
from licensing.services import Switches
from licensing.types import Desired, Switch, utcnow
from storage.modal_state import ModalState

Errors = dict[str, str]  # what to say, by the block id of the input it is about
NOTHING_TO_CHANGE = "Nothing to change: choose Assign or Revoke for a product, or set a usage location."
SERVICES_NOT_SCHEDULED = "Services change at once only: save them without days, then schedule the products."


@dataclass(frozen=True)
class Now:
    """What Manage licenses changes at once: at least one of the three."""

    assign: frozenset[str] = frozenset()
    revoke: frozenset[str] = frozenset()
    location: str | None = None  # an ISO 3166 code, checked
    services: Switches = field(default_factory=dict)  # sku -> plan -> on/off (Services, pushed over this view)

    def change(self, customer_id: str, users: Iterable[str]) -> Change:
        return service.make_change(
            customer_id, users, assign=self.assign, revoke=self.revoke, location=self.location, services=self.services
        )


@dataclass(frozen=True)
class Later:
    """A save with days chosen: what changes at once (if anything), and when things start and end."""

    now: Now | None
    dates: schedule.Dates
    zone: OperatorZone  # the operator's timezone: the days are theirs
    ends: tuple[str, ...]  # the products set to Assign: what an end day revokes


def read_save(view: dict[str, Any], modal: ModalState, *, zone_of: Callable[[], OperatorZone]) -> Now | Later | Errors:
    """The form, or the errors by block id. `zone_of` is asked only when a day was chosen (it calls Slack)."""
    state = view["state"]
    assign, revoke = screens.changes(modal.initial or {}, screens.all_choices(modal))
    errors: Errors = {}
    location = screens.parse_location(state)
    if location is not None:
        try:
            location = normalize_country(location)
        except InvalidRequest as e:
            errors[ids.LOCATION_BLOCK] = e.user_message
    services = switched(modal)
    now = (
        Now(frozenset(assign), frozenset(revoke), location, services)
        if assign or revoke or location or services
        else None
    )
    starts_on = parse_day(state, ids.STARTS_BLOCK, ids.STARTS_INPUT)
    ends_on = parse_day(state, ids.ENDS_BLOCK, ids.ENDS_INPUT)
    later = None
    if starts_on or ends_on:
        zone = zone_of()
        ends = tuple(sorted(s for s, c in screens.all_choices(modal).items() if c is Desired.ASSIGN))
        try:
            dates = schedule.plan_dates(
                starts_on, ends_on, tz=zone.tz, now=utcnow(), changes_now=now is not None, assigning=bool(ends)
            )
            later = Later(now, dates, zone, ends)
        except schedule.DateErrors as e:
            errors |= {ids.STARTS_BLOCK if f == schedule.START else ids.ENDS_BLOCK: m for f, m in e.errors.items()}
    if later is not None and services:  # a scheduled change keeps products and a location, not services (yet)
        errors[ids.STARTS_BLOCK if starts_on else ids.ENDS_BLOCK] = SERVICES_NOT_SCHEDULED
    if errors:
        return errors
    if later is not None and (now is not None or later.dates.ends_at):
        return later
    return now or {_first_input(view): NOTHING_TO_CHANGE}


def switched(modal: ModalState) -> dict[str, dict[str, Switch]]:
    """The services the operator turned on or off (Leave as is changes nothing), by product."""
    chosen: dict[str, dict[str, Switch]] = {}
    for sku, plans in modal.service_choices.items():
        moved: dict[str, Switch] = {p: c for p, c in plans.items() if c != Switch.KEEP}
        if moved:
            chosen[sku] = moved
    return chosen


def submission_key(body: dict[str, Any], view: dict[str, Any]) -> str:
    """Ties a save to this very submission: Slack re-sending it, or a double click, applies nothing twice."""
    return f"{body.get('team', {}).get('id', '')}:{view['id']}:{view.get('hash', '')}"


def _first_input(view: dict[str, Any]) -> str:
    """Where to say that Save has nothing to do: Slack shows errors only under an input block of the view on screen,
    and which products are on it depends on the page and the filter."""
    inputs = [str(b["block_id"]) for b in view.get("blocks") or [] if b.get("type") == "input" and b.get("block_id")]
    products = [i for i in inputs if i.startswith(ids.PRODUCT_BLOCK_PREFIX)]
    return (products or inputs or [ids.LOCATION_BLOCK])[0]


def parse_day(state: dict[str, Any], block: str, action: str) -> date | None:
    value = state.get("values", {}).get(block, {}).get(action, {}).get("selected_date")
    return date.fromisoformat(value) if isinstance(value, str) and value else None

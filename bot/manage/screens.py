"""From session state to a rendered view: queries the licensing service and maps its answers onto view-models."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace
from typing import Any

from blocks import ids
from blocks.manage import PRODUCTS_PER_PAGE, manage_view
from blocks.picker import picker_view
from blocks.text import one_line, truncate
from blocks.users import users_view
from blocks.viewmodels import ManageVM, PickerVM, ProductPagingVM, ProductRowVM, SoldOutVM, UserRowVM, UsersVM
from bot.deps import Deps
from bot.manage.product_pages import ProductPage, page_of
from bot.manage.service_preview import service_lines, service_products
from licensing import queries, service
from licensing.connected import sync
from licensing.errors import InvalidRequest
from licensing.model import Operator, User
from licensing.queries import Summary
from licensing.results import ErrorCode
from licensing.services import Switches
from licensing.tenants import ProviderError, Tenant
from licensing.types import Desired, Switch
from storage.modal_state import ModalState, without_choices

log = logging.getLogger("licensebot.bot")
_REFRESH = ThreadPoolExecutor(max_workers=2, thread_name_prefix="seats")  # a few views open at once, never more
PAGE_SIZE = 10  # a checkboxes element holds at most 10 options
CHOICES = frozenset(d.value for d in Desired)
QUOTE_MAX = 60  # what `/licenses NAME` typed, when quoted back


def user_key(user_id: str) -> str:
    """A short option value for a user: ids can be longer than Slack's option values allow."""
    return hashlib.blake2s(user_id.encode(), digest_size=8).hexdigest()


def picker(deps: Deps, modal: ModalState, notice: str | None = None) -> dict[str, Any]:
    return picker_view(PickerVM(notice=notice), modal.token)


def start(deps: Deps, operator: Operator, modal: ModalState, text: str) -> tuple[ModalState, dict[str, Any]]:
    """The first view for `/licenses [NAME]`: straight to the customer when NAME names exactly one."""
    if not text:
        return modal, picker(deps, modal)
    matches = queries.list_customers(actor=operator.slack_user_id, query=text, limit=10, uow=deps.uow_factory())
    wanted = text.casefold()
    exact = [c for c in matches if wanted in (c.id.casefold(), c.name.casefold())]
    chosen = exact[0] if len(exact) == 1 else matches[0] if len(matches) == 1 else None
    if chosen is None:
        said = truncate(one_line(text), QUOTE_MAX)  # what was typed, quoted back: enough to recognise, not a wall
        notice = f"No customer matches “{said}”." if not matches else f"{len(matches)} customers match “{said}”."
        return modal, picker(deps, modal, notice + " Choose one below.")
    modal = deps.modals.switch_customer(modal, chosen.id, chosen.name)
    return users(deps, operator, modal)


def users(
    deps: Deps, operator: Operator, modal: ModalState, notice: str | None = None
) -> tuple[ModalState, dict[str, Any]]:
    """The users page for the session's customer, search and page; remembers which users the page shows. The
    operator is the one this request read (bot/slack/roles.py): held to its scope, not read again."""
    cid = modal.chosen_customer_id()
    if modal.showing_selected:
        page = queries.selected_page(
            cid,
            deps.modals.selected(modal.token),
            actor=operator,
            page=modal.page,
            page_size=PAGE_SIZE,
            uow=deps.uow_factory(),
        )
    else:
        page = queries.page_users(
            cid, actor=operator, query=modal.query, page=modal.page, page_size=PAGE_SIZE, uow=deps.uow_factory()
        )
    keys = {user_key(u.id): u.id for u in page.users}
    modal = replace(modal, page=page.page, rev=modal.rev + 1, page_keys=keys)
    count, chosen = deps.modals.save_page(modal, list(keys.values()))
    rows = tuple(_row(u, page.product_names, u.id in chosen) for u in page.users)
    vm = UsersVM(
        customer_id=page.customer.id,
        customer_name=page.customer.name + tenant_label(page.tenant, "synced"),
        rows=rows,
        page=page.page,
        page_count=page.page_count,
        total=page.total,
        query=modal.query,
        selected_count=count,
        showing_selected=modal.showing_selected,
        rev=modal.rev,
        notice=notice,
    )
    return modal, users_view(vm, modal.token)


def manage(
    deps: Deps,
    operator: Operator,
    modal: ModalState,
    *,
    can_set_location: bool,
    state: dict[str, Any] | None = None,
    selected: list[str] | None = None,
) -> tuple[ModalState, dict[str, Any]]:
    """Manage licenses for the selection (`selected`, when the caller has just read it), at the modal's product page
    and filter. `state` is the view's current input state when re-rendering it: its radios are merged into the
    choices of every page first."""
    cid = modal.chosen_customer_id()
    chosen_users = deps.modals.selected(modal.token) if selected is None else selected
    summary = queries.summary(cid, chosen_users, actor=operator, uow=deps.uow_factory())
    label = ""  # a redraw of the preview keeps the seats it opened with
    if state is None:
        label, refreshed = live_seats(deps, cid, summary.tenant)
        if refreshed:  # the tenant's seats were just read: show them
            summary = queries.summary(cid, chosen_users, actor=operator, uow=deps.uow_factory())
    if modal.initial is None or state is None:  # opening: remember what each radio started at, nothing chosen yet
        modal = replace(without_choices(modal), initial={p.sku: Desired.matching(p.state) for p in summary.products})
    else:
        modal = with_visible_choices(modal, state)
    page = page_of(summary.products, query=modal.product_query, page=modal.product_page, page_size=PRODUCTS_PER_PAGE)
    modal = replace(modal, product_page=page.page)  # "Last" asks for a page past the end
    deps.modals.save(modal)
    preset, chosen = modal.initial or {}, all_choices(modal)
    assign, revoke = changes(preset, chosen)
    name_of = {u.id: u.name for u in summary.selected}
    rows = tuple(
        ProductRowVM(
            sku=p.sku,
            name=p.name,
            quantity=p.quantity,
            available=p.available,
            holders=tuple(name_of[h] for h in p.holders),
            selected=len(summary.selected),
            state=p.state,
            choice=chosen.get(p.sku, Desired.matching(p.state)),
        )
        for p in page.products
    )
    vm = ManageVM(
        customer_name=summary.customer.name + label,
        selected_names=tuple(u.name for u in summary.selected),
        products=rows,
        can_set_location=can_set_location,
        locations=_locations(summary),
        preview=preview(deps, operator.slack_user_id, summary, (assign, revoke), modal.service_choices),
        location_value=parse_location(state) if state else None,
        paging=_paging(page, len(summary.products), modal.product_query, (assign, revoke)),
        sold_out=tuple(SoldOutVM(p.sku, p.name, max(0, -p.available)) for p in page.sold_out),
        service_products=service_products(summary, chosen),
    )
    return modal, manage_view(vm, modal.token)


def with_visible_choices(modal: ModalState, state: dict[str, Any]) -> ModalState:
    """Slack reports only the radios of the page on screen: fold them into the choices made on every page. Radios
    for products the modal did not offer are no choice of ours."""
    offered = modal.initial or {}
    visible = {sku: c for sku, c in parse_choices(state).items() if sku in offered}
    return replace(modal, choices={**modal.choices, **visible})


def all_choices(modal: ModalState) -> dict[str, Desired]:
    """Each offered product's choice: the operator's, or the one its radio started at."""
    return {**(modal.initial or {}), **modal.choices}


def _paging(page: ProductPage, owned: int, query: str, change: tuple[list[str], list[str]]) -> ProductPagingVM:
    return ProductPagingVM(
        owned=owned,
        matching=len(page.matching),
        first=page.start + 1,
        page=page.page,
        page_count=page.page_count,
        query=query,
        to_assign=len(change[0]),
        to_revoke=len(change[1]),
    )


def tenant_label(tenant: Tenant | None, what: str) -> str:
    """ " · Microsoft 365 · synced 09:12 UTC" for a connected customer; nothing for a local one."""
    if tenant is None:
        return ""
    at = tenant.synced_at if what == "synced" else tenant.seats_at
    return f" · Microsoft 365 · {what} {at:%H:%M} UTC" if at else " · Microsoft 365 · not synced yet"


def live_seats(deps: Deps, cid: str, tenant: Tenant | None) -> tuple[str, bool]:
    """Opening Manage licenses reads a connected customer's seats (one call) so Available is live: the label, and
    whether they were read. When Graph is slow or down the view shows the mirror and says how old it is; the read
    carries on in the background if it is only slow. A local customer's seats are live already."""
    if tenant is None or deps.m365 is None:
        return tenant_label(tenant, "seats as of"), False
    provider = deps.m365
    pending = _REFRESH.submit(sync.refresh_seats, cid, provider=provider, uow=deps.uow_factory())
    try:
        pending.result(timeout=deps.settings.graph_view_timeout_s)
        return " · Microsoft 365 · seats live", True
    except (FutureTimeout, ProviderError) as e:
        log.info("seats of %s not refreshed (%s): showing the mirror", cid, type(e).__name__)
    return tenant_label(sync.connected(cid, uow=deps.uow_factory()), "seats as of"), False


def changes(preset: dict[str, Desired], chosen: dict[str, Desired]) -> tuple[list[str], list[str]]:
    """What the operator changed from the state the radios started at: (skus to assign, skus to revoke)."""
    moved = {sku: c for sku, c in chosen.items() if c != preset.get(sku)}
    return (
        sorted(s for s, c in moved.items() if c is Desired.ASSIGN),
        sorted(s for s, c in moved.items() if c is Desired.REVOKE),
    )


def preview(
    deps: Deps, actor: str, summary: Summary, change: tuple[list[str], list[str]], services: Switches | None = None
) -> tuple[str, ...]:
    """Before Save: what services would change ("Microsoft Teams off for 3 users"), and who would fail and why,
    grouped, e.g. "2 of the 5 users will not get Visio: only 3 available"."""
    assign, revoke = change
    switched = any(c is not Switch.KEEP for chosen in (services or {}).values() for c in chosen.values())
    if not (assign or revoke or switched) or not summary.selected:
        return ()
    try:
        ids_ = [u.id for u in summary.selected]
        c = service.make_change(summary.customer.id, ids_, assign=assign, revoke=revoke, services=services)
    except InvalidRequest as e:
        return (e.user_message,)
    planned = service.plan(c, actor=actor, uow=deps.uow_factory())
    total = len(planned.results)
    groups: Counter[tuple[str, str | None]] = Counter()
    first: dict[tuple[str, str | None], str] = {}
    for o in planned.failed:
        for problem in o.errors:
            groups[(problem.code.value, problem.sku)] += 1
            first.setdefault((problem.code.value, problem.sku), problem.message)
    available = {p.sku: p for p in summary.products}
    lines = service_lines(planned, {p.sku: p.name for p in summary.products})
    for (code, sku), n in sorted(groups.items(), key=lambda kv: -kv[1]):
        who = f"{n} of the {total} users" if total > 1 else "The user"
        if code == ErrorCode.INSUFFICIENT_LICENSES and sku in available:
            p = available[sku]
            if p.available < 0:  # a connected tenant with more assigned than owned
                lines.append(
                    f"{who} will not get {p.name}: none available, it is overused by {-p.available:,}"
                    f" ({p.assigned:,} assigned of {p.quantity:,})."
                )
            else:
                lines.append(f"{who} will not get {p.name}: only {p.available} available.")
        else:
            lines.append(f"{who} will fail: {first[(code, sku)]}" + (" (and similar)" if n > 1 else ""))
    if planned.failed:
        lines.append(
            f"A user who fails gets none of the changes; {total - len(planned.failed)} of {total} will be updated."
        )
    return tuple(lines)


def parse_choices(state: dict[str, Any]) -> dict[str, Desired]:
    values = state.get("values", {})
    out = {}
    for block_id, actions in values.items():
        if block_id.startswith(ids.PRODUCT_BLOCK_PREFIX):
            option = (actions.get(ids.PRODUCT_CHOICE) or {}).get("selected_option") or {}
            if option.get("value") in CHOICES:  # anything else is no choice of ours: leave the product as is
                out[block_id.removeprefix(ids.PRODUCT_BLOCK_PREFIX)] = Desired(option["value"])
    return out


def parse_location(state: dict[str, Any]) -> str | None:
    value = state.get("values", {}).get(ids.LOCATION_BLOCK, {}).get(ids.LOCATION_INPUT, {}).get("value")
    return value.strip() or None if isinstance(value, str) else None


def product_names(deps: Deps, actor: str, customer_id: str) -> dict[str, str]:
    s = queries.summary(customer_id, [], actor=actor, uow=deps.uow_factory())
    return {p.sku: p.name for p in s.products}


def _row(user: User, names: dict[str, str], selected: bool) -> UserRowVM:
    licenses = tuple(sorted(names.get(s, s) for s in user.licenses))
    return UserRowVM(user_key(user.id), user.name, user.id, user.location, licenses, selected)


def _locations(summary: Summary) -> tuple[tuple[str, int], ...]:
    counts = Counter(u.location or "not set" for u in summary.selected)
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

"""Services: the service plans inside a product (Microsoft Teams inside Office 365 E3), turned on and off per user.

A user's services of a product are the plans *not* in their disabled list for it. A save turns plans off or on for
every selected user who holds the product (or is given it by that save): the new list is the current one, plus the
plans turned off, minus the plans turned on; nothing else of theirs changes. Plans are named as Microsoft names them
(`servicePlanName`, e.g. TEAMS1), and shown by Microsoft's friendly name ("Microsoft Teams").

Which plans a product has comes from Microsoft's table "Product names and service plan identifiers for licensing"
(licensing/data, see its README). The table gives no dependencies between plans: for local customers every
combination is accepted; a connected tenant refuses what breaks one ("depends on"), for that user only.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from licensing.model import User
from licensing.results import ErrorCode, Problem, ServiceChange
from licensing.types import HoldState, Switch

# sku -> service plan name -> ON or OFF (KEEP is never stored: it changes nothing).
Switches = Mapping[str, Mapping[str, Switch]]


@dataclass(frozen=True)
class ServicePlan:
    name: str  # servicePlanName, e.g. TEAMS1: what the CLI takes and disabledPlans lists (by its id)
    id: str  # servicePlanId (a GUID, lower case): what Graph takes
    title: str  # Microsoft's friendly name, e.g. "Microsoft Teams"


@dataclass(frozen=True)
class PlanTable:
    """Microsoft's table, by skuPartNumber: each product's service plans, sorted by friendly name."""

    by_sku: Mapping[str, tuple[ServicePlan, ...]]
    by_id: Mapping[str, ServicePlan]

    def plans(self, sku: str) -> tuple[ServicePlan, ...]:
        return self.by_sku.get(sku.upper(), ())

    def plan(self, sku: str, name: str) -> ServicePlan | None:
        return next((p for p in self.plans(sku) if p.name.casefold() == name.casefold()), None)

    def canonical(self, sku: str, name: str) -> str:
        """The plan's name as Microsoft spells it (the CLI takes any case)."""
        found = self.plan(sku, name)
        return found.name if found else name

    def title(self, sku: str, name: str) -> str:
        found = self.plan(sku, name)
        return found.title if found else name


def parse_table(products_csv: str, plans_csv: str) -> PlanTable:
    """Our normalised files (licensing/data): one row per product, one per (product, plan)."""
    part_of: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(products_csv.lstrip("\ufeff"))):
        # One part number can have a commercial and a government GUID; the first listed names it (as the catalog).
        part_of.setdefault(row["sku_id"].strip().lower(), row["sku_part_number"].strip().upper())
    first: dict[str, str] = {}
    for sku_id, part in part_of.items():
        first.setdefault(part, sku_id)
    by_sku: dict[str, dict[str, ServicePlan]] = {}
    by_id: dict[str, ServicePlan] = {}
    for row in csv.DictReader(io.StringIO(plans_csv.lstrip("\ufeff"))):
        sku_id = row["sku_id"].strip().lower()
        plan = ServicePlan(
            row["service_plan_name"].strip(),
            row["service_plan_id"].strip().lower(),
            row["service_plan_display_name"].strip() or row["service_plan_name"].strip(),
        )
        if plan.id not in by_id or by_id[plan.id].title.isupper():  # Microsoft lists some in capitals only
            by_id[plan.id] = plan
        if sku_id in part_of and first[part_of[sku_id]] == sku_id:
            by_sku.setdefault(part_of[sku_id], {})[plan.name] = plan
    return PlanTable(
        {sku: tuple(sorted(p.values(), key=lambda p: (p.title.casefold(), p.name))) for sku, p in by_sku.items()},
        by_id,
    )


@cache
def plan_table() -> PlanTable:
    data = resources.files("licensing") / "data"
    products = (data / "microsoft-products.csv").read_text(encoding="utf-8")
    return parse_table(products, (data / "microsoft-service-plans.csv").read_text(encoding="utf-8"))


def parse_switches(*, enable: Iterable[str] = (), disable: Iterable[str] = ()) -> dict[str, dict[str, Switch]]:
    """`SKU:PLAN` texts (the CLI's --enable and --disable) as switches; raises ValueError naming a malformed one or a
    service both turned on and off."""
    switches: dict[str, dict[str, Switch]] = {}
    for texts, switch in ((enable, Switch.ON), (disable, Switch.OFF)):
        for text in texts:
            sku, sep, plan = text.strip().partition(":")
            if not sep or not sku.strip() or not plan.strip():
                raise ValueError(f"'{text}' is not SKU:PLAN (e.g. ENTERPRISEPACK:TEAMS1)")
            chosen = switches.setdefault(sku.strip().upper(), {})
            key = next((p for p in chosen if p.casefold() == plan.strip().casefold()), plan.strip())
            if chosen.get(key, switch) is not switch:
                raise ValueError(f"{sku.strip()}:{plan.strip()} cannot be turned on and off at once")
            chosen[key] = switch
    return switches


def check_known_services(switches: Switches, table: PlanTable) -> list[Problem]:
    """A product Microsoft's table does not list, or a plan it does not list in that product."""
    problems: list[Problem] = []
    for sku, chosen in sorted(switches.items()):
        if not table.plans(sku):
            problems.append(Problem(ErrorCode.UNKNOWN_PRODUCT, f"No services are known for product '{sku}'.", sku))
            continue
        problems += [
            Problem(ErrorCode.UNKNOWN_SERVICE, f"Product {sku} has no service '{plan}'.", sku)
            for plan in sorted(chosen)
            if table.plan(sku, plan) is None
        ]
    return problems


def disabled_after(current: Iterable[str], chosen: Mapping[str, Switch]) -> frozenset[str]:
    """The user's new disabled list for one product: current + turned off − turned on."""
    off = {p for p, s in chosen.items() if s is Switch.OFF}
    on = {p for p, s in chosen.items() if s is Switch.ON}
    return (frozenset(current) | off) - on


def changes_of(sku: str, before: Iterable[str], after: Iterable[str], table: PlanTable) -> tuple[ServiceChange, ...]:
    """What moved between two disabled lists of one product, by friendly name."""
    before, after = frozenset(before), frozenset(after)
    moved = [(p, False) for p in after - before] + [(p, True) for p in before - after]
    return tuple(
        sorted((ServiceChange(sku, p, table.title(sku, p), on) for p, on in moved), key=lambda c: (c.title, c.plan))
    )


@dataclass(frozen=True)
class UserServices:
    """What a save's switches do to one user."""

    changes: tuple[ServiceChange, ...] = ()
    not_held: tuple[str, ...] = ()  # products switched that the user neither holds nor is given: unchanged
    problems: tuple[Problem, ...] = ()


def for_user(
    user: User, switches: Switches, *, add: frozenset[str], remove: frozenset[str], table: PlanTable
) -> UserServices:
    """The services this save changes for `user`: in the products they keep or are given (a product given starts
    with every service on); none in products revoked."""
    changes: list[ServiceChange] = []
    not_held: list[str] = []
    problems: list[Problem] = []
    for sku, chosen in sorted(switches.items()):
        if sku in remove:
            continue
        if sku not in user.licenses and sku not in add:
            not_held.append(sku)
            continue
        if sku in user.group_licenses:
            problems.append(Problem(ErrorCode.GROUP_ASSIGNED, _group_text(user, sku), sku))
            continue
        before = user.disabled_plans.get(sku, frozenset()) if sku in user.licenses else frozenset()
        changes += changes_of(sku, before, disabled_after(before, chosen), table)
    return UserServices(tuple(changes), tuple(not_held), tuple(problems))


def _group_text(user: User, sku: str) -> str:
    # Graph would add a direct assignment beside the group's, and the group's services would stay on.
    return f"{user.name} gets {sku} through a group in Microsoft 365; change its services on the group instead."


def disabled_lists(user: User, changes: Iterable[ServiceChange]) -> dict[str, frozenset[str]]:
    """The complete new disabled list of every product `changes` touch (what Graph's re-add replaces)."""
    lists: dict[str, set[str]] = {}
    for c in changes:
        plans = lists.setdefault(c.sku, set(user.disabled_plans.get(c.sku, frozenset())))
        (plans.discard if c.on else plans.add)(c.plan)
    return {sku: frozenset(plans) for sku, plans in lists.items()}


@dataclass(frozen=True)
class ServiceState:
    """One service of a product across the selected users who hold the product."""

    plan: str
    title: str
    state: HoldState
    on: int  # holders with it on
    holders: int


def summarize(
    sku: str, holders: Iterable[User], table: PlanTable, tenant_plans: tuple[str, ...] | None = None
) -> tuple[ServiceState, ...]:
    """Every service of the product, by friendly name, with how many of its holders have it on. `tenant_plans`: a
    connected tenant's list for the product (subscribedSkus), which wins over Microsoft's table; names the table
    does not know are shown as they are."""
    lists = [u.disabled_plans.get(sku, frozenset()) for u in holders]
    off = Counter(p for d in lists for p in set(d))  # counted once, not once per service (E5 has 86)
    plans = table.plans(sku)
    if tenant_plans is not None:
        known = {p.name: p for p in plans}
        listed = [known.get(name, ServicePlan(name, "", name)) for name in tenant_plans]
        plans = tuple(sorted(listed, key=lambda p: (p.title.casefold(), p.name)))
    states = []
    for p in plans:
        on = len(lists) - off[p.name]
        states.append(ServiceState(p.name, p.title, HoldState.of(on, len(lists)), on, len(lists)))
    return tuple(states)

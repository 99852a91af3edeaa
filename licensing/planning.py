"""Deciding a save: pure, so `plan` and `apply` reach the same answer from the same state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from licensing.model import Change, Customer, Operator, Subscription, User
from licensing.results import ErrorCode, Problem, Status, UserOutcome
from licensing.rules import Catalogue, check_change, check_known, check_new_location, name_of
from licensing.services import PlanTable, check_known_services, for_user, plan_table


def forbidden_reason(operator: Operator | None, customer_id: str | None) -> str | None:
    """Why an operator may not act (on a customer, if one is named); None when they may."""
    if operator is None:
        # Said to the person themselves: "you", not their Slack user id.
        return "You are not a licensebot operator; ask a partner admin to add you to the directory."
    if customer_id is not None and not operator.may_manage(customer_id):
        return f"Your operator account is not allowed to manage customer {customer_id}."
    return None


def save_refusal(operator: Operator | None, change: Change) -> str | None:
    """Why this operator may not make this save at all; None when they may."""
    reason = forbidden_reason(operator, change.customer_id)
    if reason is None and operator is not None and change.location and not operator.may_set_location:
        reason = f"Your role ({operator.role.label}) cannot change usage locations."
    return reason


def processing_order(change: Change, users: Mapping[str, User]) -> list[str]:
    """Known users by display name then id; unknown ids after them, by id."""
    wanted = list(dict.fromkeys(change.user_ids))
    known = sorted((u for uid in wanted if (u := users.get(uid))), key=lambda u: u.sort_key)
    unknown = sorted(uid for uid in wanted if uid not in users)
    return [u.id for u in known] + unknown


def decide(
    change: Change,
    *,
    customer: Customer,
    users: Mapping[str, User],
    catalogue: Catalogue,
    owned: Mapping[str, Subscription],
    forbidden: str | None = None,
    plans: PlanTable | None = None,
) -> tuple[UserOutcome, ...]:
    """Each user's one outcome, in processing order: the new usage location, the license and the service changes
    together, all or nothing. Earlier users take the seats first; a failed user frees none."""
    seats = {sku: sub.available for sku, sub in owned.items()}
    plans = plans or plan_table()
    unknown = check_known(change.desired.keys(), catalogue) + check_known_services(change.services, plans)
    outcomes: list[UserOutcome] = []
    for uid in processing_order(change, users):
        user = users.get(uid)
        if forbidden is not None:
            outcomes.append(_failed(uid, user, [Problem(ErrorCode.FORBIDDEN, forbidden)]))
            continue
        if user is None:
            msg = f"No user '{uid}' in customer {customer.id}."
            outcomes.append(_failed(uid, None, [Problem(ErrorCode.UNKNOWN_USER, msg)]))
            continue
        add = frozenset(s for s in change.to_assign if s not in user.licenses)
        remove = frozenset(s for s in change.to_revoke if s in user.licenses)
        moved = change.location if change.location and change.location != user.location else None
        services = for_user(user, change.services, add=add, remove=remove, table=plans)
        problems = list(unknown) + list(services.problems)
        if moved:
            problems += check_new_location(user, moved, user.licenses - remove, catalogue)
            user = replace(user, location=moved)  # licenses assigned by this save are judged in the new country
        problems += check_change(user, add, remove, catalogue=catalogue, owned=owned, customer_name=customer.name)
        if unknown or not (add or remove or moved or services.changes):
            unchanged = UserOutcome(uid, Status.UNCHANGED, user.name, not_held=services.not_held)
            outcomes.append(_failed(uid, user, problems) if problems else unchanged)
            continue
        problems += _seat_problems(add, seats, owned, catalogue)
        if problems:
            outcomes.append(_failed(uid, user, problems))
            continue
        for sku in add:
            seats[sku] -= 1
        for sku in remove:
            seats[sku] = seats.get(sku, 0) + 1
        outcomes.append(
            UserOutcome(
                uid,
                Status.UPDATED,
                user.name,
                assigned=tuple(sorted(add)),
                revoked=tuple(sorted(remove)),
                location=moved,
                services=services.changes,
                not_held=services.not_held,
            )
        )
    return tuple(outcomes)


def _seat_problems(
    add: frozenset[str], seats: Mapping[str, int], owned: Mapping[str, Subscription], catalogue: Catalogue
) -> list[Problem]:
    """A product with no seat left refuses the user. `seats` starts at owned − assigned, which is negative for an
    overused tenant: revoking from it frees nothing for others until the count is back under what is owned."""
    return [
        Problem(ErrorCode.INSUFFICIENT_LICENSES, _no_seat(name_of(sku, catalogue), owned[sku]), sku)
        for sku in sorted(add)
        if sku in owned and seats[sku] < 1
    ]


def _no_seat(name: str, sub: Subscription) -> str:
    if sub.overused:
        return (
            f"No {name} license left: {sub.assigned} are assigned but only {sub.quantity} owned"
            f" (overused by {sub.overused})."
        )
    return f"No {name} license left: all {sub.quantity} are assigned."


def _failed(uid: str, user: User | None, problems: list[Problem]) -> UserOutcome:
    return UserOutcome(uid, Status.FAILED, user.name if user else None, errors=tuple(problems))

"""The rules a user's licenses must keep. Each check is pure and judges the state *after* the change, so a swap
(revoke E1, assign E3) or an add-on together with its base passes; it reports only what the change itself breaks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from licensing.model import Product, Subscription, User
from licensing.results import ErrorCode, Problem

Catalogue = Mapping[str, Product]


def name_of(sku: str, catalogue: Catalogue) -> str:
    product = catalogue.get(sku)
    return product.name if product else sku


def names(skus: Iterable[str], catalogue: Catalogue) -> str:
    return ", ".join(name_of(s, catalogue) for s in sorted(skus))


def excluded(a: str, b: str, catalogue: Catalogue) -> bool:
    """Exclusion is symmetric: declaring it on either product is enough."""
    pa, pb = catalogue.get(a), catalogue.get(b)
    return bool((pa and b in pa.excludes) or (pb and a in pb.excludes))


def check_known(skus: Iterable[str], catalogue: Catalogue) -> list[Problem]:
    return [
        Problem(ErrorCode.UNKNOWN_PRODUCT, f"No product with SKU '{sku}'.", sku)
        for sku in sorted(skus)
        if sku not in catalogue
    ]


def check_entitled(
    add: Iterable[str], owned: Mapping[str, Subscription], catalogue: Catalogue, customer_name: str
) -> list[Problem]:
    return [
        Problem(ErrorCode.NOT_ENTITLED, f"{customer_name} owns no {name_of(sku, catalogue)} subscription.", sku)
        for sku in sorted(add)
        if sku in catalogue and sku not in owned
    ]


def check_location(user: User, add: Iterable[str], catalogue: Catalogue) -> list[Problem]:
    add = sorted(add)
    if not add:
        return []
    if user.location is None:
        return [
            Problem(
                ErrorCode.USAGE_LOCATION_MISSING,
                f"{user.name} has no usage location; set one before assigning licenses.",
            )
        ]
    return [
        Problem(
            ErrorCode.LOCATION_NOT_ALLOWED,
            f"{catalogue[sku].name} is not available in {user.location}, {user.name}'s usage location.",
            sku,
        )
        for sku in add
        if sku in catalogue and user.location in catalogue[sku].unavailable_in
    ]


def check_requirements(before: frozenset[str], after: frozenset[str], catalogue: Catalogue) -> list[Problem]:
    problems: list[Problem] = []
    removed = before - after
    for sku in sorted(after):
        product = catalogue.get(sku)
        if product is None or not product.requires_one_of or product.requires_one_of & after:
            continue
        if sku not in before:
            problems.append(
                Problem(
                    ErrorCode.DEPENDENCY_MISSING,
                    f"{product.name} requires one of: {names(product.requires_one_of, catalogue)}.",
                    sku,
                )
            )
        for gone in sorted(product.requires_one_of & removed):
            problems.append(
                Problem(
                    ErrorCode.DEPENDENCY_IN_USE,
                    f"{name_of(gone, catalogue)} cannot be revoked: {product.name} still requires it.",
                    gone,
                )
            )
    return problems


def check_exclusions(before: frozenset[str], after: frozenset[str], catalogue: Catalogue) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[frozenset[str]] = set()
    for sku in sorted(after - before):
        for other in sorted(after - {sku}):
            pair = frozenset({sku, other})
            if pair in seen or not excluded(sku, other, catalogue):
                continue
            seen.add(pair)
            problems.append(
                Problem(
                    ErrorCode.MUTUALLY_EXCLUSIVE,
                    f"{name_of(sku, catalogue)} and {name_of(other, catalogue)} cannot be held together.",
                    sku,
                )
            )
    return problems


def check_change(
    user: User,
    add: frozenset[str],
    remove: frozenset[str],
    *,
    catalogue: Catalogue,
    owned: Mapping[str, Subscription],
    customer_name: str,
) -> list[Problem]:
    """Every rule this user's change breaks (seats aside: they depend on who came first)."""
    after = (user.licenses - remove) | add
    return [
        *check_group_assigned(user, remove, catalogue),
        *check_entitled(add, owned, catalogue, customer_name),
        *check_location(user, add, catalogue),
        *check_requirements(user.licenses, after, catalogue),
        *check_exclusions(user.licenses, after, catalogue),
    ]


def check_group_assigned(user: User, remove: frozenset[str], catalogue: Catalogue) -> list[Problem]:
    """A license a tenant gives through a group goes when the user leaves the group, not by a revoke: Graph refuses
    to remove it, or (when it is assigned directly too) removes only the direct assignment and the user keeps it."""
    return [
        Problem(
            ErrorCode.GROUP_ASSIGNED,
            f"{user.name} gets {name_of(sku, catalogue)} through a group in Microsoft 365; remove them from the group"
            " instead.",
            sku,
        )
        for sku in sorted(remove & user.group_licenses)
    ]


def check_new_location(user: User, country: str, keeping: frozenset[str], catalogue: Catalogue) -> list[Problem]:
    """A usage location is refused where a product the user keeps cannot be used (one the same save revokes is no
    obstacle; one it assigns is judged by `check_location` against the new country)."""
    return [
        Problem(
            ErrorCode.LOCATION_NOT_ALLOWED,
            f"{user.name} holds {catalogue[sku].name}, which is not available in {country}.",
            sku,
        )
        for sku in sorted(keeping)
        if sku in catalogue and country in catalogue[sku].unavailable_in
    ]

"""What must hold in a customer's directory at rest. `licensebot check` and the importer both ask this."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from licensing.model import Customer, Subscription, User
from licensing.rules import Catalogue, excluded, name_of, names


def violations(
    customer: Customer,
    subscriptions: Mapping[str, Subscription],
    users: Iterable[User],
    catalogue: Catalogue,
) -> list[str]:
    """Every broken rule in one customer's directory, as one line each, naming the customer and user."""
    found: list[str] = []
    holders: Counter[str] = Counter()
    for user in users:
        holders.update(user.licenses)
        found.extend(_user_violations(customer, user, subscriptions, catalogue))
    for sku, sub in sorted(subscriptions.items()):
        if sub.mirrored:
            # A connected tenant's seats: its consumedUnits, overuse included, and not a count of the mirror's
            # licenses. That is the tenant's state, not a rule of licensebot's broken.
            continue
        held = holders.get(sku, 0)
        if held > sub.quantity:
            verb = "is" if sub.quantity == 1 else "are"
            found.append(f"{customer.id}: {held} users hold {sku} but only {sub.quantity} {verb} owned")
        elif held != sub.assigned:  # over-owned, the counter cannot follow (assigned <= quantity): said once above
            found.append(f"{customer.id}: {sku} counts {sub.assigned} assigned but {held} users hold it")
    return found


def _user_violations(
    customer: Customer, user: User, subscriptions: Mapping[str, Subscription], catalogue: Catalogue
) -> list[str]:
    where = f"{customer.id}/{user.id}"
    found: list[str] = []
    held = sorted(user.licenses)
    for i, sku in enumerate(held):
        product = catalogue.get(sku)
        if product is None:
            found.append(f"{where}: holds unknown product {sku}")
            continue
        if sku not in subscriptions:
            found.append(f"{where}: holds {sku}, which {customer.id} owns no subscription of")
        if user.location and user.location in product.unavailable_in:
            found.append(f"{where}: holds {sku}, which is not available in {user.location}")
        if product.requires_one_of and not product.requires_one_of & user.licenses:
            found.append(f"{where}: holds {sku}, which requires one of {names(product.requires_one_of, catalogue)}")
        for other in held[i + 1 :]:
            if excluded(sku, other, catalogue):
                found.append(
                    f"{where}: holds {name_of(sku, catalogue)} and {name_of(other, catalogue)},"
                    " which exclude each other"
                )
    return found

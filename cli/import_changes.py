"""What `licensebot import` changed in users and subscriptions already stored, per customer, as lines to print."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from licensing.directory.changes import CustomerChanges, UserChange


def describe(changes: Sequence[CustomerChanges]) -> Iterator[str]:
    """ "contoso: 1 user, 1 quantity changed", then a line per user and per subscription, indented."""
    for c in changes:
        parts = [_count(len(c.users), "user"), _count(len(c.quantities), "quantity", "quantities")]
        yield f"{c.customer_id}: {', '.join(p for p in parts if p)} changed"
        for u in c.users:
            yield f"  {u.user_id}: {_user(u)}"
        for q in c.quantities:
            yield f"  {q.sku}: {q.before} → {q.after} owned"


def _user(u: UserChange) -> str:
    said = [f"{verb} {', '.join(skus)}" for verb, skus in (("assigned", u.assigned), ("revoked", u.revoked)) if skus]
    if u.location:
        said.append(f"usage location {u.location[0] or 'none'} → {u.location[1] or 'none'}")
    return "; ".join(said)


def _count(n: int, one: str, many: str | None = None) -> str:
    if not n:
        return ""
    return f"{n} {one if n == 1 else many or one + 's'}"

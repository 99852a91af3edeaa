"""Many users at once (2,500, 10,000…) for paging tests and benchmarks."""

from __future__ import annotations

import random
import uuid

from fakes.m365.model import Assignment, Tenant, User

COUNTRIES = ("US", "GB", "DE", "FR", "NL", "CA")


def generate_users(
    tenant: Tenant, count: int, *, licenses: tuple[str, ...] = (), seed: int = 1, unlocated_every: int = 0
) -> list[User]:
    """Adds `count` users named user00001@<domain>…; every `unlocated_every`-th one has no usage location."""
    rng = random.Random(seed)
    domain = tenant.domains[0]
    made = []
    for n in range(1, count + 1):
        location = None if unlocated_every and n % unlocated_every == 0 else rng.choice(COUNTRIES)
        user = User(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            upn=f"user{n:05d}@{domain}",
            display_name=f"User {n:05d}",
            usage_location=location,
            mail=f"user{n:05d}@{domain}",
            licenses={sku_id: Assignment(direct=True) for sku_id in licenses},
        )
        tenant.users[user.id] = user
        made.append(user)
    return made

"""The partner's customers as Partner Center lists them, next to the directory: which are known, and adding the new
ones as connected customers (`licensebot customers discover [--add]`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from licensing.model import Customer
from licensing.partner import PartnerCustomer
from licensing.ports import PartnerCenter, UnitOfWork
from licensing.tenants import Tenant


@dataclass(frozen=True)
class Discovered:
    customer: PartnerCustomer
    known: bool  # a connected customer of the directory is this tenant (by tenant id or verified domain)
    id: str  # the directory's id for it: the known customer's, else one made from the domain


def discover(*, partner: PartnerCenter, uow: UnitOfWork) -> list[Discovered]:
    """Every customer of the partner, by name, marked known when the directory already connects its tenant."""
    found = partner.customers()
    with uow:
        tenants = {t.tenant_id.lower(): t.customer_id for t in uow.mirror.all()}
    listed = []
    for c in sorted(found, key=lambda c: c.name.lower()):
        known = tenants.get(c.tenant_id.lower()) or tenants.get(c.domain.lower())
        listed.append(Discovered(c, known is not None, known or id_from(c.domain)))
    return listed


def add_new(found: list[Discovered], *, uow: UnitOfWork) -> list[Discovered]:
    """Adds the customers not known yet as connected customers, in one transaction; touches none that exists (an
    id already taken by another customer is left out). Returns those added."""
    added = []
    with uow:
        uow.customers.lock_all()
        taken = set(uow.customers.all_ids())
        for d in found:
            if d.known or not d.id or d.id in taken:
                continue
            uow.customers.upsert([Customer(d.id, d.customer.name or d.id)])
            uow.mirror.upsert([Tenant(d.id, d.customer.tenant_id)])
            taken.add(d.id)
            added.append(d)
        uow.commit()
    return added


def id_from(domain: str) -> str:
    """contoso.onmicrosoft.com → contoso: the first label, lower case, letters, digits and dashes."""
    return re.sub(r"[^a-z0-9-]", "", domain.split(".")[0].lower())

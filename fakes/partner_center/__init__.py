"""A fake Partner Center (REST v1: customers, subscriptions, provisioningstatus, quantity changes), served by FakeM365
on the same HTTPS server, CA and login (its tokens are asked for with Partner Center's scope)."""

from fakes.partner_center.model import Customer, PartnerCenter, Patch, Subscription

__all__ = ["Customer", "Patch", "PartnerCenter", "Subscription"]

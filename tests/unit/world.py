"""A small Contoso directory shared by the use-case tests: every rule has a product that exercises it."""

from __future__ import annotations

from licensing.model import Customer, Operator, Product, Role, Subscription, User
from tests.fakes import FakeUnitOfWork, State

E1, E3, E5, AUDIO, VISIO, PBI = (
    "STANDARDPACK",
    "ENTERPRISEPACK",
    "ENTERPRISEPREMIUM",
    "MCOMEETADV",
    "VISIOCLIENT",
    "POWER_BI_PRO",
)
ADMIN, SALES, SCOPED, STRANGER = "UADMIN", "USALES", "USCOPED", "USTRANGER"

PRODUCTS = [
    Product(E1, "Office 365 E1", excludes=frozenset({E3})),  # declared on one side only: the rule is symmetric
    Product(E3, "Office 365 E3", unavailable_in=frozenset({"CN"})),
    Product(E5, "Office 365 E5"),
    Product(AUDIO, "Audio Conferencing", requires_one_of=frozenset({E3, E5})),
    Product(VISIO, "Visio Plan 2"),
    Product(PBI, "Power BI Pro"),
]


def contoso_users() -> list[User]:
    def u(uid: str, name: str, loc: str | None, *skus: str) -> User:
        return User("contoso", f"{uid}@contoso.com", name, loc, frozenset(skus))

    return [
        u("alice", "Alice Adams", "US", E3),
        u("bob", "Bob Brown", "DE"),
        u("carol", "Carol Chen", "CN"),
        u("dave", "Dave Doe", None, VISIO),  # no usage location, yet holds a license from before
        u("erin", "Erin Evans", "US", E3, AUDIO),
        u("frank", "Frank Fox", "GB", E1),
    ]


def world() -> FakeUnitOfWork:
    s = State()
    s.products = {p.sku: p for p in PRODUCTS}
    s.customers = {"contoso": Customer("contoso", "Contoso Ltd"), "fabrikam": Customer("fabrikam", "Fabrikam")}
    subs = [
        Subscription("contoso", E1, 5, 1),
        Subscription("contoso", E3, 3, 2),
        Subscription("contoso", E5, 2, 0),
        Subscription("contoso", AUDIO, 5, 1),
        Subscription("contoso", VISIO, 1, 1, alert_below=1),
    ]
    s.subscriptions = {(x.customer_id, x.sku): x for x in subs}
    s.users = {(x.customer_id, x.id): x for x in contoso_users()}
    s.operators = {
        ADMIN: Operator(ADMIN, Role.ADMIN_AGENT, "Ada Admin"),
        SALES: Operator(SALES, Role.SALES_AGENT, "Sam Sales"),
        SCOPED: Operator(SCOPED, Role.HELPDESK_AGENT, "Hal Help", frozenset({"fabrikam"})),
    }
    return FakeUnitOfWork(s)


def uid(name: str) -> str:
    return f"{name}@contoso.com"

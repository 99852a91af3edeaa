"""A small directory, valid at rest, loaded into real databases through the importer."""

from __future__ import annotations

from licensing.directory import Snapshot, import_directory
from licensing.model import Customer, Operator, Product, Role, Subscription, User
from storage.uow import SqlUnitOfWork

E1, E3, E5, AUDIO, VISIO = "STANDARDPACK", "ENTERPRISEPACK", "ENTERPRISEPREMIUM", "MCOMEETADV", "VISIOCLIENT"
ADMIN, SALES, SCOPED = "UADMIN", "USALES", "USCOPED"

PRODUCTS = (
    Product(E1, "Office 365 E1", excludes=frozenset({E3})),
    Product(E3, "Office 365 E3", unavailable_in=frozenset({"CN"})),
    Product(E5, "Office 365 E5"),
    Product(AUDIO, "Audio Conferencing", requires_one_of=frozenset({E3, E5})),
    Product(VISIO, "Visio Plan 2"),
)
CUSTOMERS = (Customer("contoso", "Contoso Ltd"), Customer("fabrikam", "Fabrikam"))
SUBSCRIPTIONS = (
    Subscription("contoso", E1, 5),
    Subscription("contoso", E3, 3),
    Subscription("contoso", E5, 2),
    Subscription("contoso", AUDIO, 5),
    Subscription("contoso", VISIO, 1, alert_below=1),
    Subscription("fabrikam", E3, 10),
)
OPERATORS = (
    Operator(ADMIN, Role.ADMIN_AGENT, "Ada Admin"),
    Operator(SALES, Role.SALES_AGENT, "Sam Sales"),
    Operator(SCOPED, Role.HELPDESK_AGENT, "Hal Help", frozenset({"fabrikam"})),
)


def uid(name: str) -> str:
    return f"{name}@contoso.com"


def contoso_users() -> tuple[User, ...]:
    def u(name: str, display: str, loc: str | None, *skus: str) -> User:
        return User("contoso", uid(name), display, loc, frozenset(skus))

    return (
        u("alice", "Alice Adams", "US", E3),
        u("bob", "Bob Brown", "DE"),
        u("carol", "Carol Chen", "CN"),
        u("dave", "Dave Doe", "US", VISIO),
        u("erin", "Erin Evans", "US", E3, AUDIO),
        u("frank", "Frank Fox", "GB", E1),
    )


def snapshot() -> Snapshot:
    return Snapshot(
        products=PRODUCTS,
        customers=CUSTOMERS,
        subscriptions=SUBSCRIPTIONS,
        users=(*contoso_users(), User("fabrikam", "zoe@fabrikam.com", "Zoe Zhang", "FR", frozenset({E3}))),
        operators=OPERATORS,
    )


def load_world(uow: SqlUnitOfWork) -> None:
    import_directory(snapshot(), uow=uow)

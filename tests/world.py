"""The small Contoso directory every use-case test starts from, built the same way on every backend.

Every rule has a product that exercises it. `load_world` imports it through the real importer into any unit of
work, so the fakes (tests/unit), SQLite and PostgreSQL (tests/integration, tests/contract) hold the same data.
"""

from __future__ import annotations

from licensing.directory import Snapshot, import_directory
from licensing.model import Customer, Operator, Product, Role, Subscription, User
from licensing.ports import UnitOfWork
from tests.memory import FakeUnitOfWork, State

E1, E3, E5, AUDIO, VISIO, PBI = (
    "STANDARDPACK",
    "ENTERPRISEPACK",
    "ENTERPRISEPREMIUM",
    "MCOMEETADV",
    "VISIOCLIENT",
    "POWER_BI_PRO",
)
ADMIN, SALES, SCOPED, STRANGER = "UADMIN", "USALES", "USCOPED", "USTRANGER"

PRODUCTS = (
    Product(E1, "Office 365 E1", excludes=frozenset({E3})),  # declared on one side only: the rule is symmetric
    Product(E3, "Office 365 E3", unavailable_in=frozenset({"CN"})),
    Product(E5, "Office 365 E5"),
    Product(AUDIO, "Audio Conferencing", requires_one_of=frozenset({E3, E5})),
    Product(VISIO, "Visio Plan 2"),
    Product(PBI, "Power BI Pro"),  # in the catalogue, but Contoso owns none
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
ZOE = User("fabrikam", "zoe@fabrikam.com", "Zoe Zhang", "FR", frozenset({E3}))


def uid(name: str) -> str:
    return f"{name}@contoso.com"


def contoso_users() -> tuple[User, ...]:
    def u(name: str, display: str, loc: str | None, *skus: str) -> User:
        return User("contoso", uid(name), display, loc, frozenset(skus))

    return (
        u("alice", "Alice Adams", "US", E3),
        u("bob", "Bob Brown", "DE"),
        u("carol", "Carol Chen", "CN"),
        u("dave", "Dave Doe", None, VISIO),  # no usage location, yet holds a license from before
        u("erin", "Erin Evans", "US", E3, AUDIO),
        u("frank", "Frank Fox", "GB", E1),
    )


def snapshot() -> Snapshot:
    return Snapshot(
        products=PRODUCTS,
        customers=CUSTOMERS,
        subscriptions=SUBSCRIPTIONS,
        users=(*contoso_users(), ZOE),
        operators=OPERATORS,
    )


def load_world(uow: UnitOfWork) -> None:
    """Imports the world through the importer, which counts the seats held."""
    import_directory(snapshot(), uow=uow)


def world() -> FakeUnitOfWork:
    """The world in memory, in a fresh unit of work that has committed nothing yet."""
    state = State()
    load_world(FakeUnitOfWork(state))
    return FakeUnitOfWork(state)

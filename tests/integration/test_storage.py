"""The SQL repositories against real SQLite and PostgreSQL databases, migrated from empty."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError

from licensing.model import Customer, Operator, Role, Subscription, User
from licensing.results import AuditEntry, BatchResult, ErrorCode, Problem, Status, UserOutcome
from storage.uow import SqlUnitOfWork
from tests.world import ADMIN, AUDIO, E1, E3, E5, PRODUCTS, SCOPED, VISIO, load_world, uid


@pytest.fixture
def world(uow: SqlUnitOfWork) -> SqlUnitOfWork:
    load_world(uow)
    return uow


# --- round trips and idempotent upserts ---------------------------------------------------------------------------


def test_products_round_trip_with_their_rule_sets(uow: SqlUnitOfWork) -> None:
    with uow:
        assert uow.products.upsert(PRODUCTS) == len(PRODUCTS)
        uow.commit()
    with uow:
        assert uow.products.all() == {p.sku: p for p in PRODUCTS}
        assert uow.products.get_many([E3, AUDIO, "NOPE"]) == {E3: PRODUCTS[1], AUDIO: PRODUCTS[3]}
        assert uow.products.get_many([]) == {}


def test_upserts_report_zero_and_write_nothing_the_second_time(uow: SqlUnitOfWork, engine: Engine) -> None:
    users = [
        User("contoso", "u1", "Una", "US", frozenset({E3, AUDIO})),
        User("contoso", "u2", "Udo", None),
    ]
    operators = [
        Operator(ADMIN, Role.ADMIN_AGENT, "Ada"),
        Operator(SCOPED, Role.HELPDESK_AGENT, None, frozenset({"a"})),
    ]

    def load_all() -> list[int]:
        with uow:
            counts = [
                uow.products.upsert(PRODUCTS),
                uow.customers.upsert([Customer("contoso", "Contoso")]),
                uow.subscriptions.upsert([Subscription("contoso", E3, 5), Subscription("contoso", AUDIO, 5, 0, 2)]),
                uow.users.upsert(users),
                uow.operators.upsert(operators),
            ]
            uow.commit()
        return counts

    assert load_all() == [len(PRODUCTS), 1, 2, 2, 2]
    writes: list[str] = []
    engine_listen = _statements(engine, writes)
    with engine_listen:
        assert load_all() == [0, 0, 0, 0, 0]
    assert [s for s in writes if s.split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}] == []


def test_upserts_count_each_changed_record_once(uow: SqlUnitOfWork) -> None:
    with uow:
        uow.products.upsert(PRODUCTS)
        uow.customers.upsert([Customer("contoso", "Contoso"), Customer("fabrikam", "Fabrikam")])
        uow.subscriptions.upsert([Subscription("contoso", E3, 5), Subscription("contoso", AUDIO, 5)])
        uow.users.upsert([User("contoso", "u1", "Una", "US", frozenset({E3})), User("contoso", "u2", "Udo", "US")])
        uow.commit()
    with uow:
        assert uow.products.upsert([replace(PRODUCTS[0], excludes=frozenset()), PRODUCTS[1]]) == 1
        assert uow.customers.upsert([Customer("contoso", "Contoso Ltd"), Customer("fabrikam", "Fabrikam")]) == 1
        assert uow.subscriptions.upsert([Subscription("contoso", E3, 5, alert_below=1)]) == 1
        # u1: name and licenses change, still one user; u2 unchanged; u3 new.
        changed = [
            User("contoso", "u1", "Una Ulm", "US", frozenset({E3, AUDIO})),
            User("contoso", "u2", "Udo", "US"),
            User("contoso", "u3", "Uwe", None),
        ]
        assert uow.users.upsert(changed) == 2
        uow.commit()
    with uow:
        assert uow.products.get_many([E1])[E1].excludes == frozenset()
        assert uow.customers.get("contoso") == Customer("contoso", "Contoso Ltd")
        assert uow.subscriptions.for_customer("contoso")[E3].alert_below == 1
        assert uow.users.get_many("contoso", ["u1", "u2", "u3"]) == {u.id: u for u in changed}


def test_users_upsert_sets_exactly_the_licenses_given(uow: SqlUnitOfWork) -> None:
    with uow:
        _customer_with(uow, E3, E5, AUDIO)
        uow.users.upsert([User("contoso", "u1", "Una", "US", frozenset({E3, AUDIO}))])
        uow.commit()
    with uow:
        assert uow.users.upsert([User("contoso", "u1", "Una", "US", frozenset({E5}))]) == 1
        uow.commit()
    with uow:
        assert uow.users.get_many("contoso", ["u1"])["u1"].licenses == {E5}
        assert uow.users.upsert([User("contoso", "u1", "Una", "US")]) == 1
        uow.commit()
    with uow:
        assert uow.users.get_many("contoso", ["u1"])["u1"].licenses == frozenset()


def test_subscription_upsert_ignores_the_given_count_and_recount_sets_it(uow: SqlUnitOfWork) -> None:
    with uow:
        _customer_with(uow)
        uow.subscriptions.upsert([Subscription("contoso", E3, 5, assigned=4)])
        assert uow.subscriptions.for_customer("contoso")[E3].assigned == 0
        uow.users.upsert([User("contoso", f"u{i}", "U", "US", frozenset({E3})) for i in range(2)])
        uow.subscriptions.recount(["contoso"])
        assert uow.subscriptions.for_customer("contoso") == {E3: Subscription("contoso", E3, 5, 2)}
        uow.commit()


def test_recount_caps_the_counter_at_the_quantity_so_the_importer_can_report_overselling(
    uow: SqlUnitOfWork,
) -> None:
    with uow:
        _customer_with(uow)
        uow.subscriptions.upsert([Subscription("contoso", E3, 5)])
        uow.users.upsert([User("contoso", f"u{i}", "U", "US", frozenset({E3})) for i in range(3)])
        uow.subscriptions.recount(["contoso"])
        # Fewer seats than holders: the quantity update must not trip the CHECK before the recount.
        uow.subscriptions.upsert([Subscription("contoso", E3, 2)])
        uow.subscriptions.recount(["contoso"])
        assert uow.subscriptions.for_customer("contoso")[E3] == Subscription("contoso", E3, 2, 2)


def test_operators_round_trip_with_and_without_a_customer_scope(uow: SqlUnitOfWork) -> None:
    everyone = Operator(ADMIN, Role.GLOBAL_ADMIN, "Ada")
    scoped = Operator(SCOPED, Role.SALES_AGENT, None, frozenset({"contoso", "fabrikam"}))
    nobody = Operator("UNONE", Role.HELPDESK_AGENT, "No One", frozenset())
    with uow:
        assert uow.operators.upsert([everyone, scoped, nobody]) == 3
        uow.commit()
    with uow:
        assert uow.operators.get(ADMIN) == everyone
        assert uow.operators.get(SCOPED) == scoped
        got_nobody = uow.operators.get("UNONE")
        assert got_nobody == nobody and got_nobody.customers == frozenset()  # empty scope is not "everyone"
        assert uow.operators.get("UMISSING") is None


def test_batches_store_the_result_under_the_idempotency_key(uow: SqlUnitOfWork) -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    result = BatchResult(
        "b1",
        "contoso",
        False,
        (
            UserOutcome("u1", Status.UPDATED, "Una", assigned=(E3,)),
            UserOutcome("u2", Status.FAILED, "Udo", errors=(Problem(ErrorCode.INSUFFICIENT_LICENSES, "none", E3),)),
        ),
        ADMIN,
        at,
    )
    with uow:
        _customer_with(uow)
        uow.batches.add(result, key="k1", fingerprint="fp")
        uow.batches.add(replace(result, batch_id="b2"), key=None, fingerprint="fp")
        uow.batches.add(replace(result, batch_id="b3"), key=None, fingerprint="fp")  # many batches without a key
        with pytest.raises(ValueError, match="dry run"):
            uow.batches.add(replace(result, batch_id=None), key=None, fingerprint="fp")
        uow.commit()
    with uow:
        assert uow.batches.get_by_key("k1") == ("fp", result)
        assert uow.batches.get_by_key("k2") is None
    with uow, pytest.raises(IntegrityError):
        uow.batches.add(replace(result, batch_id="b4"), key="k1", fingerprint="other")


def test_audit_appends_in_order_with_aware_timestamps(uow: SqlUnitOfWork) -> None:
    berlin = timezone(timedelta(hours=2))
    entries = [
        AuditEntry("b1", datetime(2026, 5, 1, 12, 0, tzinfo=berlin), ADMIN, "contoso", f"u{i}", E3, "assign", "applied")
        for i in range(3)
    ] + [AuditEntry("b1", datetime(2026, 5, 1, 10, 0, tzinfo=UTC), ADMIN, "contoso", "u9", None, "none", "failed", "x")]
    with uow:
        uow.audit.append(entries)
        uow.audit.append([replace(entries[0], batch_id="b2")])
        uow.audit.append([])
        uow.commit()
    with uow:
        got = uow.audit.for_batch("b1")
    assert got == entries  # equal instants, whatever the offset
    assert all(e.at.tzinfo is not None and e.at.utcoffset() == timedelta(0) for e in got)
    assert got[0].at == datetime(2026, 5, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit SET outcome = 'applied'", "DELETE FROM audit", "DELETE FROM audit WHERE batch_id = 'b1'"],
)
def test_the_audit_refuses_updates_and_deletes(uow: SqlUnitOfWork, engine: Engine, statement: str) -> None:
    with uow:
        uow.audit.append([AuditEntry("b1", datetime.now(UTC), ADMIN, "contoso", "u1", None, "none", "failed")])
        uow.commit()
    with engine.connect() as conn, pytest.raises(IntegrityError, match="append-only"):
        conn.execute(text(statement))
    with uow:
        assert len(uow.audit.for_batch("b1")) == 1


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite has no TRUNCATE
def test_the_audit_refuses_truncate_on_postgresql(uow: SqlUnitOfWork, engine: Engine) -> None:
    with engine.connect() as conn, pytest.raises(IntegrityError, match="append-only"):
        conn.execute(text("TRUNCATE audit"))


# --- seats: the database refuses to oversell ----------------------------------------------------------------------


def test_change_licenses_moves_the_counters(world: SqlUnitOfWork) -> None:
    uow = world
    with uow:
        uow.users.change_licenses("contoso", grants=[(uid("bob"), E5), (uid("carol"), E5)], removals=[])
        uow.users.change_licenses("contoso", grants=[(uid("frank"), E3)], removals=[(uid("frank"), E1)])
        uow.commit()
    with uow:
        subs = uow.subscriptions.for_customer("contoso")
        users = uow.users.get_many("contoso", [uid("bob"), uid("carol"), uid("frank")])
    assert (subs[E5].assigned, subs[E3].assigned, subs[E1].assigned) == (2, 3, 0)
    assert [users[uid(n)].licenses for n in ("bob", "carol", "frank")] == [{E5}, {E5}, {E3}]


def test_the_database_refuses_a_counter_above_the_quantity(world: SqlUnitOfWork) -> None:
    uow = world
    grants = [(uid(n), E5) for n in ("alice", "bob", "carol")]  # E5: 2 owned, none assigned
    with uow, pytest.raises(IntegrityError, match=r"(?<!\w)ck_subscriptions_assigned_within_quantity\b"):
        uow.users.change_licenses("contoso", grants=grants, removals=[])
    with uow:
        assert uow.subscriptions.for_customer("contoso")[E5].assigned == 0
        assert all(E5 not in u.licenses for u in uow.users.get_many("contoso", [g for g, _ in grants]).values())


def test_only_a_mirrored_counter_may_exceed_its_quantity(world: SqlUnitOfWork, engine: Engine) -> None:
    over = "UPDATE subscriptions SET assigned = quantity + 1 WHERE customer_id = 'contoso' AND sku = 'VISIOCLIENT'"
    with engine.connect() as conn, pytest.raises(IntegrityError, match="assigned_within_quantity"):
        conn.execute(text(over))  # a local customer's: never above what it owns, whoever writes it
    with world as uow:  # the tenant's seats as Microsoft 365 reports them: 2 assigned, 1 owned
        uow.mirror.set_seats("contoso", [Subscription("contoso", VISIO, 1, 2)])
        uow.commit()
    with world as uow:
        mirrored = Subscription("contoso", VISIO, 1, 2, alert_below=1, mirrored=True)  # its threshold kept
        assert uow.subscriptions.for_customer("contoso") == {VISIO: mirrored}
    with engine.begin() as conn:
        conn.execute(text(over))  # mirrored: the CHECK lets it be overused
        assert conn.scalar(text("SELECT assigned FROM subscriptions WHERE sku = 'VISIOCLIENT'")) == 2
    with engine.connect() as conn, pytest.raises(IntegrityError, match="assigned_within_quantity"):
        conn.execute(text("UPDATE subscriptions SET mirrored = FALSE WHERE sku = 'VISIOCLIENT'"))


def test_the_database_refuses_a_negative_counter_or_quantity(world: SqlUnitOfWork, engine: Engine) -> None:
    for statement in (
        "UPDATE subscriptions SET assigned = -1 WHERE sku = 'ENTERPRISEPREMIUM'",
        "UPDATE subscriptions SET quantity = -1, assigned = -1 WHERE sku = 'ENTERPRISEPREMIUM'",
        "UPDATE subscriptions SET quantity = 0 WHERE sku = 'ENTERPRISEPACK'",
    ):
        with engine.connect() as conn, pytest.raises(IntegrityError):
            conn.execute(text(statement))


def test_change_licenses_refuses_to_remove_a_license_not_held(world: SqlUnitOfWork) -> None:
    with world, pytest.raises(RuntimeError, match="1 were held"):
        world.users.change_licenses("contoso", grants=[], removals=[(uid("alice"), E3), (uid("bob"), E3)])


def test_a_license_needs_a_subscription_of_the_customer(world: SqlUnitOfWork) -> None:
    with world, pytest.raises(IntegrityError):
        world.users.change_licenses("fabrikam", grants=[("zoe@fabrikam.com", E5)], removals=[])


# --- transactions -------------------------------------------------------------------------------------------------


def test_nothing_is_kept_unless_committed(uow: SqlUnitOfWork) -> None:
    with uow:
        uow.customers.upsert([Customer("contoso", "Contoso")])
    with uow:
        assert uow.customers.get("contoso") is None
        uow.customers.upsert([Customer("contoso", "Contoso")])
        uow.rollback()
        assert uow.customers.get("contoso") is None
    with pytest.raises(ZeroDivisionError), uow:
        uow.customers.upsert([Customer("contoso", "Contoso")])
        _ = 1 / 0
    with uow:
        assert uow.customers.all_ids() == []
        uow.customers.upsert([Customer("contoso", "Contoso")])
        uow.commit()
    with uow:
        assert uow.customers.all_ids() == ["contoso"]


def test_a_unit_of_work_is_reusable_but_does_not_nest(uow: SqlUnitOfWork) -> None:
    for _ in range(3):
        with uow:
            assert uow.customers.lock("nobody") is None  # a fresh transaction each time, so lock() may come first
    with uow, pytest.raises(RuntimeError, match="already in use"), uow:
        pass
    with pytest.raises(RuntimeError, match="inside a `with` block"):
        uow.commit()


def test_a_lock_must_be_the_first_statement_of_its_transaction(world: SqlUnitOfWork) -> None:
    with world:
        world.customers.get("contoso")
        with pytest.raises(RuntimeError, match="first statement"):
            world.customers.lock("contoso")
        with pytest.raises(RuntimeError, match="first statement"):
            world.customers.lock_all()
    with world:
        assert world.customers.lock("contoso") == Customer("contoso", "Contoso Ltd")
        world.customers.get("contoso")  # reading after the lock is what the use cases do


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # PostgreSQL locks rows, not the database
def test_lock_begins_a_write_transaction_on_sqlite(world: SqlUnitOfWork, engine: Engine) -> None:
    seen: list[str] = []
    with _statements(engine, seen), world:
        world.customers.lock("contoso")
    with _statements(engine, seen), world:
        world.customers.get("contoso")
    assert [s for s in seen if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE", "BEGIN"]


@contextmanager
def _impatient(url: str, dialect: str) -> Iterator[Connection]:
    """Another client of the same database that gives up on a lock after 0.2 s instead of waiting."""
    if dialect == "sqlite":
        other = create_engine(url, connect_args={"timeout": 0.2})
    else:
        options = make_url(url).query.get("options", "")
        other = create_engine(make_url(url).update_query_dict({"options": f"{options} -clock_timeout=200"}))
    try:
        with other.connect() as conn:
            yield conn
    finally:
        other.dispose()


def _try_to_write(conn: Connection, customer_id: str) -> None:
    try:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # what our own writers begin with
        else:
            conn.execute(text("SELECT id FROM customers WHERE id = :id FOR UPDATE"), {"id": customer_id})
    finally:
        conn.rollback()


def test_the_import_lock_holds_off_writers_but_not_readers(world: SqlUnitOfWork, migrated_url: str) -> None:
    with world:
        world.customers.lock_all()
        with _impatient(migrated_url, world.customers._dialect) as other:
            assert other.execute(text("SELECT name FROM customers WHERE id = 'fabrikam'")).scalar_one() == "Fabrikam"
            other.rollback()
            for customer in ("contoso", "fabrikam"):
                with pytest.raises(OperationalError):
                    _try_to_write(other, customer)
    with _impatient(migrated_url, world.customers._dialect) as other:
        _try_to_write(other, "contoso")  # released with the transaction


def test_a_customer_lock_holds_off_writers_of_that_customer(world: SqlUnitOfWork, migrated_url: str) -> None:
    dialect = world.customers._dialect
    with world:
        assert world.customers.lock("contoso") is not None
        with _impatient(migrated_url, dialect) as other:
            with pytest.raises(OperationalError):
                _try_to_write(other, "contoso")
            if dialect == "postgresql":  # row locks: other customers carry on (SQLite has one writer at a time)
                _try_to_write(other, "fabrikam")


# --- finding users and customers ----------------------------------------------------------------------------------


def _people(uow: SqlUnitOfWork, names: dict[str, str]) -> None:
    with uow:
        _customer_with(uow, E3)
        uow.customers.upsert([Customer("other", "Other")])
        uow.users.upsert([User("contoso", i, n, "US", frozenset({E3} if i == "u1" else ())) for i, n in names.items()])
        uow.users.upsert([User("other", "o1", "Anna Other", None)])
        uow.commit()


NAMES = {
    "u1": "anna Berg",
    "u2": "Anna Andersson",
    "u3": "Émile Zola",
    "u4": "Zed 100% Real",
    "u5": "Straße Mann",
    "u6": "_underscore",
    "u7": "Bob",
    "u8": "ANNA Andersson",
    "x_9": "Carl",
}


def test_page_sorts_by_name_case_insensitively_then_id(uow: SqlUnitOfWork) -> None:
    _people(uow, NAMES)
    with uow:
        users, total = uow.users.page("contoso", query="", offset=0, limit=100)
    expected = sorted((User("contoso", i, n) for i, n in NAMES.items()), key=lambda u: u.sort_key)
    assert total == len(NAMES)
    assert [u.id for u in users] == [u.id for u in expected]
    assert [u.id for u in users][:3] == ["u6", "u2", "u8"]  # "_" sorts before letters; equal names by id
    assert next(u for u in users if u.id == "u1").licenses == {E3}


def test_page_offsets_and_limits_and_reports_the_total(uow: SqlUnitOfWork) -> None:
    _people(uow, NAMES)
    with uow:
        all_ids = [u.id for u in uow.users.page("contoso", query="", offset=0, limit=100)[0]]
        pages = [uow.users.page("contoso", query="", offset=o, limit=4) for o in (0, 4, 8, 12)]
    assert [[u.id for u in p] for p, _ in pages] == [all_ids[0:4], all_ids[4:8], all_ids[8:], []]
    assert {t for _, t in pages} == {len(NAMES)}


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("anna", {"u1", "u2", "u8"}),
        ("ANNA AND", {"u2", "u8"}),
        ("émile", {"u3"}),
        ("ÉMILE", {"u3"}),
        ("strasse", {"u5"}),  # casefolded: ß matches ss
        ("100%", {"u4"}),  # LIKE wildcards are literal
        ("_", {"u6", "x_9"}),  # in a name or an id
        ("%", {"u4"}),
        ("U7", {"u7"}),  # by id, case-insensitively
        ("berg", {"u1"}),
        ("nobody", set()),
        ("a\x1fu", set()),  # cannot match across a name and an id
    ],
)
def test_page_searches_a_case_insensitive_substring_of_name_or_id(
    uow: SqlUnitOfWork, query: str, ids: set[str]
) -> None:
    _people(uow, NAMES)
    with uow:
        users, total = uow.users.page("contoso", query=query, offset=0, limit=2)
    assert total == len(ids)
    assert len(users) == min(2, len(ids)) and {u.id for u in users} <= ids


def test_paging_through_a_search_matches_python_order_forwards_and_backwards(uow: SqlUnitOfWork) -> None:
    # Matches bunched at the end of the alphabet, scattered among others, and names differing only in case.
    names = {f"u{i:03}": f"{'Oliver' if i % 3 else 'oliver'} {chr(65 + i % 26)}" for i in range(40)}
    names |= {f"v{i:03}": f"Anna {i}" for i in range(60)} | {"w001": "Zed Olive", "w002": "Bob"}
    _people(uow, names)
    expected = [u.id for u in sorted((User("c", i, n) for i, n in names.items()), key=lambda u: u.sort_key)]
    olive = [i for i in expected if "olive" in names[i].casefold()]
    with uow:
        for query, wanted in (("olive", olive), ("", expected)):
            pages = [uow.users.page("contoso", query=query, offset=o, limit=7) for o in range(0, len(wanted) + 7, 7)]
            assert [i for users, _ in pages for i in (u.id for u in users)] == wanted
            assert {total for _, total in pages} == {len(wanted)}


def test_a_search_sees_users_written_earlier_in_the_same_transaction(uow: SqlUnitOfWork) -> None:
    _people(uow, {"u1": "Anna"})
    with uow:
        assert uow.users.page("contoso", query="zoe", offset=0, limit=10) == ([], 0)
        uow.users.upsert([User("contoso", "z1", "Zoe", "US")])
        users, total = uow.users.page("contoso", query="zoe", offset=0, limit=10)
        assert ([u.id for u in users], total) == (["z1"], 1)


def test_customer_search_by_name_or_id_within_the_operators_scope(uow: SqlUnitOfWork) -> None:
    customers = [Customer("contoso", "Contoso Ltd"), Customer("fab", "Fabrikam"), Customer("nw", "Northwind Fab")]
    with uow:
        uow.customers.upsert(customers)
        uow.commit()
    with uow:
        assert uow.customers.search("", only=None, limit=10) == customers
        assert uow.customers.search("FAB", only=None, limit=10) == [customers[1], customers[2]]
        assert uow.customers.search("nw", only=None, limit=10) == [customers[2]]  # by id
        assert uow.customers.search("fab", only=frozenset({"nw"}), limit=10) == [customers[2]]
        assert uow.customers.search("", only=frozenset(), limit=10) == []
        assert uow.customers.search("", only=None, limit=1) == [customers[0]]
        assert uow.customers.search("%", only=None, limit=10) == []
        assert uow.customers.all_ids() == ["contoso", "fab", "nw"]


def test_all_for_customer_streams_every_user_with_licenses(world: SqlUnitOfWork) -> None:
    with world:
        users = list(world.users.all_for_customer("contoso"))
        assert list(world.users.all_for_customer("nobody")) == []
    assert (
        sorted(users, key=lambda u: u.id) == sorted(world_users := [u for u in users], key=lambda u: u.id)
        and len(world_users) == 6
    )
    by_id = {u.id: u for u in users}
    assert by_id[uid("erin")].licenses == {E3, AUDIO}
    assert by_id[uid("bob")].licenses == frozenset()
    assert by_id[uid("dave")] == User("contoso", uid("dave"), "Dave Doe", None, frozenset({VISIO}))


def test_all_for_customer_pairs_licenses_with_users_whatever_the_ids(uow: SqlUnitOfWork) -> None:
    # The stream merges users and licenses by id: both databases must order ids as Python compares them.
    ids = ["b", "B", "é", "e", "Z", "a-1", "a_1", "a1", "ä", "ß", "\u4e2d", "user 1", "user10", "user2"]
    with uow:
        _customer_with(uow, E3, E5)
        uow.users.upsert(
            [User("contoso", i, f"N{n}", "US", frozenset({E3} if n % 2 else {E3, E5})) for n, i in enumerate(ids)]
        )
        uow.commit()
    with uow:
        got = {u.id: u.licenses for u in uow.users.all_for_customer("contoso")}
    assert got == {i: frozenset({E3} if n % 2 else {E3, E5}) for n, i in enumerate(ids)}


def test_set_location(world: SqlUnitOfWork) -> None:
    with world:
        world.users.set_location("contoso", [uid("alice"), uid("bob")], "FR")
        world.users.set_location("contoso", [], "FR")
        world.commit()
    with world:
        got = world.users.get_many("contoso", [uid("alice"), uid("bob"), uid("carol")])
    assert [got[uid(n)].location for n in ("alice", "bob", "carol")] == ["FR", "FR", "CN"]


# --- statement counts do not grow with the number of users ---------------------------------------------------------


def test_get_many_and_change_licenses_use_as_many_statements_for_1000_users_as_for_10(
    uow: SqlUnitOfWork, engine: Engine
) -> None:
    with uow:
        _customer_with(uow)
        uow.subscriptions.upsert([Subscription("contoso", E3, 2000), Subscription("contoso", E5, 2000)])
        uow.users.upsert([User("contoso", f"u{i:04}", f"User {i}", "US", frozenset({E3})) for i in range(1000)])
        uow.subscriptions.recount(["contoso"])
        uow.commit()

    def count(n: int) -> tuple[int, int]:
        ids = [f"u{i:04}" for i in range(n)]
        with uow:
            reads: list[str] = []
            with _statements(engine, reads):
                found = uow.users.get_many("contoso", ids)
            assert len(found) == n and all(u.licenses == {E3} for u in found.values())
            writes: list[str] = []
            with _statements(engine, writes):
                uow.users.change_licenses("contoso", grants=[(i, E5) for i in ids], removals=[(i, E3) for i in ids])
            uow.rollback()
        return len(reads), len(writes)

    small, large = count(10), count(1000)
    assert small == large
    assert small[1] == 3  # one DELETE, one INSERT, one UPDATE of the counters


# --- the migration is the schema ----------------------------------------------------------------------------------


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.migrate import include_object_for, target_metadata

    metadata = target_metadata()

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object_for(engine.dialect.name)}
        )
        assert compare_metadata(context, metadata) == []
        # ...and the comparison does notice a difference.
        # Alembic does not compare CHECK constraints: their names, which later migrations will need, are checked here.
        checks = {c["name"] for c in inspect(conn).get_check_constraints("subscriptions")}
        assert checks == {
            "ck_subscriptions_assigned_not_negative",
            "ck_subscriptions_assigned_within_quantity",
            "ck_subscriptions_quantity_not_negative",
        }
        conn.execute(text("DROP INDEX ix_users_page"))
        assert [d[0] for d in compare_metadata(context, metadata)] == ["add_index"]
        conn.rollback()


def test_the_migrations_downgrade_to_nothing_and_upgrade_again(migrated_url: str, engine: Engine) -> None:
    from alembic import command

    from storage.migrate import alembic_config, upgrade

    with engine.connect() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
        conn.commit()
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    upgrade(migrated_url)
    with engine.connect() as conn:
        assert {"audit", "users", "view_sessions"} <= set(inspect(conn).get_table_names())
        conn.execute(
            text(
                "INSERT INTO audit (batch_id, at, operator, customer_id, user_id, action, outcome) "
                "VALUES ('b', CURRENT_TIMESTAMP, 'o', 'c', 'u', 'none', 'failed')"
            )
        )
        with pytest.raises(IntegrityError, match="append-only"):  # the triggers came back too
            conn.execute(text("DELETE FROM audit"))


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite compares text by code point already
def test_postgresql_sorts_keys_by_code_point_whatever_the_database_collation(engine: Engine) -> None:
    with engine.connect() as conn:
        collations = dict(
            conn.execute(
                text(
                    "SELECT column_name, collation_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = 'users'"
                )
            ).all()
        )
    assert (collations["customer_id"], collations["id"], collations["name_key"]) == ("C", "C", "C")


# --- helpers --------------------------------------------------------------------------------------------------------


def _customer_with(uow: SqlUnitOfWork, *skus: str) -> None:
    uow.products.upsert(PRODUCTS)
    uow.customers.upsert([Customer("contoso", "Contoso")])
    uow.subscriptions.upsert([Subscription("contoso", sku, 10) for sku in skus])


class _statements:
    """Records the SQL an engine sends while in this context."""

    def __init__(self, engine: Engine, into: list[str]) -> None:
        self._engine, self._into = engine, into

    def _record(self, conn: object, cursor: object, statement: str, *args: object) -> None:
        self._into.append(statement.strip())

    def __enter__(self) -> None:
        from sqlalchemy import event

        event.listen(self._engine, "before_cursor_execute", self._record)

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import event

        event.remove(self._engine, "before_cursor_execute", self._record)

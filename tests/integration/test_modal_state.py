"""The SQL modal store on SQLite and PostgreSQL: what Manage licenses remembers across pages of products."""

from __future__ import annotations

from dataclasses import replace

from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from licensing.types import Desired, Switch
from storage.db import make_engine, make_session_factory
from storage.migrate import alembic_config, upgrade
from storage.modal_state import without_choices
from storage.modal_store import SqlModalStore


def test_choices_product_page_and_filter_round_trip(session_factory: sessionmaker[Session]) -> None:
    store = SqlModalStore(session_factory)
    modal = store.create("U1", "C1")
    assert (modal.choices, modal.product_page, modal.product_query) == ({}, 1, "")
    chosen = replace(
        modal,
        initial={"A": Desired.KEEP, "B": Desired.ASSIGN},
        choices={"A": Desired.REVOKE},
        product_page=3,
        product_query="visio",
    )
    store.save(chosen)
    assert store.get(modal.token) == chosen


def test_switching_customer_forgets_the_choices(session_factory: sessionmaker[Session]) -> None:
    store = SqlModalStore(session_factory)
    modal = store.create("U1", "C1")
    store.save(
        replace(modal, initial={"A": Desired.KEEP}, choices={"A": Desired.REVOKE}, product_page=2, product_query="x")
    )
    fresh = store.switch_customer(modal, "fabrikam", "Fabrikam")
    assert store.get(modal.token) == fresh
    assert (fresh.initial, fresh.choices, fresh.product_page, fresh.product_query) == (None, {}, 1, "")


def test_a_page_is_saved_with_how_many_are_selected_and_which_of_its_own(
    session_factory: sessionmaker[Session],
) -> None:
    store = SqlModalStore(session_factory)
    modal, other = store.create("U1", "C1"), store.create("U2", "C1")
    assert store.save_page(modal, ["ann", "bob"]) == (0, frozenset())
    store.select(modal.token, ["ann", "cy", "dee"])
    store.select(other.token, ["bob"])  # another operator's modal: not counted, not ticked here
    page = replace(modal, page=2, rev=modal.rev + 1, page_keys={"k1": "ann", "k2": "bob", "k3": "eve"})
    assert store.save_page(page, ["ann", "bob", "eve"]) == (3, frozenset({"ann"}))
    assert store.get(modal.token) == page  # saved, as `save` would
    assert store.save_page(page, []) == (3, frozenset())
    store.deselect(modal.token, ["ann"])
    assert store.save_page(page, ["ann", "cy"]) == (2, frozenset({"cy"}))


def test_a_modal_open_during_the_upgrade_gets_empty_choices(db_url: str, engine: Engine) -> None:
    with engine.connect() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0004")
        conn.execute(
            text(
                "INSERT INTO view_sessions (token, slack_user_id, query, page, showing_selected, rev, page_keys, "
                "updated_at) VALUES ('t', 'U1', '', 1, false, 0, '{}', CURRENT_TIMESTAMP)"
            )
        )
        conn.commit()
    upgrade(db_url)
    modal = SqlModalStore(make_session_factory(engine)).get("t")
    assert modal is not None and (modal.choices, modal.product_page, modal.product_query) == ({}, 1, "")


def test_service_choices_merge_and_a_stale_copy_never_undoes_them(session_factory: sessionmaker[Session]) -> None:
    store = SqlModalStore(session_factory)
    modal = store.create("U1", "C1")  # two clicks handled at once both start from this copy
    store.merge_services(modal.token, "E3", {"TEAMS1": Switch.OFF})
    merged = store.merge_services(modal.token, "E3", {"SWAY": Switch.ON})
    assert merged is not None and merged.service_choices == {"E3": {"TEAMS1": Switch.OFF, "SWAY": Switch.ON}}
    store.save(replace(modal, product_page=2, service_choices={"E3": {"TEAMS1": Switch.ON}}))  # a stale copy's save
    again = store.get(modal.token)
    assert again is not None and again.product_page == 2
    assert again.service_choices == {"E3": {"TEAMS1": Switch.OFF, "SWAY": Switch.ON}}
    store.save(without_choices(again))  # a new selection forgets them
    assert store.get(modal.token).service_choices == {}  # type: ignore[union-attr]
    assert store.merge_services("gone", "E3", {"TEAMS1": Switch.OFF}) is None


def test_what_modals_remember_is_committed_without_waiting_for_the_disk_and_nothing_else_is(migrated_url: str) -> None:
    """storage/db.py: the modal store's own engine; licensing data keeps its durable commits."""
    durable, quick = make_engine(migrated_url), make_engine(migrated_url, durable=False)
    try:
        sqlite = durable.dialect.name == "sqlite"
        setting = "PRAGMA synchronous" if sqlite else "SHOW synchronous_commit"
        with durable.connect() as a, quick.connect() as b:
            modes = (a.exec_driver_sql(setting).scalar(), b.exec_driver_sql(setting).scalar())
        assert modes == ((2, 1) if sqlite else ("on", "off"))  # SQLite: FULL, NORMAL
        store = SqlModalStore(make_session_factory(quick))
        modal = store.create("U1", "C1")
        store.select(modal.token, ["a@x.example"])
        assert store.get(modal.token) == modal and store.selected(modal.token) == ["a@x.example"]
    finally:
        durable.dispose()
        quick.dispose()

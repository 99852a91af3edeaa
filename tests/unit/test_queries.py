from __future__ import annotations

import pytest

from licensing.errors import Forbidden, InvalidRequest, UnknownCustomer
from licensing.model import Operator, Role
from licensing.queries import find_operator, list_customers, overview, page_users, selected_page, summary
from licensing.tenants import Tenant
from tests.world import ADMIN, AUDIO, E1, E3, E5, SCOPED, STRANGER, VISIO, uid, world


def test_summary_shows_seats_and_whether_all_some_or_none_of_the_selection_hold_each_product() -> None:
    s = summary("contoso", [uid("erin"), uid("alice"), uid("bob"), uid("zed")], actor=ADMIN, uow=world())
    assert [u.id for u in s.selected] == [uid("alice"), uid("bob"), uid("erin")]
    assert s.missing == (uid("zed"),)
    by_sku = {p.sku: p for p in s.products}
    assert set(by_sku) == {E1, E3, E5, AUDIO, VISIO}  # every product owned, not the whole catalogue
    e3 = by_sku[E3]
    assert (e3.quantity, e3.assigned, e3.available, e3.state) == (3, 2, 1, "some")
    assert e3.holders == (uid("alice"), uid("erin"))
    assert by_sku[E5].state == "none" and by_sku[E5].holders == ()
    assert by_sku[VISIO].available == 0 and by_sku[VISIO].alert_below == 1
    assert [p.name for p in s.products] == sorted(p.name for p in s.products)


def test_summary_state_is_all_when_every_selected_user_holds_it() -> None:
    s = summary("contoso", [uid("alice"), uid("erin")], actor=ADMIN, uow=world())
    assert {p.sku: p.state for p in s.products}[E3] == "all"


def test_page_users_sorts_by_name_searches_and_counts() -> None:
    page = page_users("contoso", actor=ADMIN, page=2, page_size=4, uow=world())
    assert [u.name for u in page.users] == ["Erin Evans", "Frank Fox"]
    assert (page.total, page.page, page.page_count) == (6, 2, 2)
    found = page_users("contoso", actor=ADMIN, query="  ALI ", uow=world())
    assert [u.id for u in found.users] == [uid("alice")] and found.query == "ALI"
    by_id = page_users("contoso", actor=ADMIN, query="frank@", uow=world())
    assert by_id.total == 1


def test_a_page_names_just_the_products_its_users_hold() -> None:
    page = page_users("contoso", actor=ADMIN, page=2, page_size=4, uow=world())  # Erin: E3 + Audio; Frank: E1
    assert page.product_names == {E1: "Office 365 E1", E3: "Office 365 E3", AUDIO: "Audio Conferencing"}
    assert page_users("contoso", actor=ADMIN, query="nobody", uow=world()).product_names == {}


def test_a_page_past_the_end_shows_the_last_page() -> None:
    page = page_users("contoso", actor=ADMIN, page=99, page_size=4, uow=world())
    assert page.page == 2 and [u.name for u in page.users] == ["Erin Evans", "Frank Fox"]


def test_empty_search_has_one_empty_page() -> None:
    page = page_users("contoso", actor=ADMIN, query="nobody", uow=world())
    assert (page.total, page.page, page.page_count, page.users) == (0, 1, 1, ())


def test_page_size_is_bounded() -> None:
    with pytest.raises(InvalidRequest, match="between 1 and 100"):
        page_users("contoso", actor=ADMIN, page_size=0, uow=world())


def test_customers_are_listed_within_the_operators_scope() -> None:
    assert [c.id for c in list_customers(actor=ADMIN, uow=world())] == ["contoso", "fabrikam"]
    assert [c.id for c in list_customers(actor=ADMIN, query="CONT", uow=world())] == ["contoso"]
    assert [c.id for c in list_customers(actor=SCOPED, uow=world())] == ["fabrikam"]


def test_the_trusted_local_caller_sees_every_customer_and_its_users() -> None:
    assert [c.id for c in list_customers(actor=None, uow=world())] == ["contoso", "fabrikam"]
    page = page_users("contoso", actor=None, query="erin", uow=world())
    assert [u.id for u in page.users] == [uid("erin")]


def test_the_overview_counts_each_customers_users_and_owned_products_within_scope() -> None:
    rows = [(o.customer.id, o.customer.name, o.users, o.products) for o in overview(actor=None, uow=world())]
    assert rows == [("contoso", "Contoso Ltd", 6, 5), ("fabrikam", "Fabrikam", 1, 1)]
    assert [o.customer.id for o in overview(actor=SCOPED, uow=world())] == ["fabrikam"]
    with pytest.raises(Forbidden):
        overview(actor=STRANGER, uow=world())


def test_find_operator_by_slack_user_id() -> None:
    found = find_operator(ADMIN, uow=world())
    assert found is not None and found.name == "Ada Admin"
    assert find_operator(STRANGER, uow=world()) is None


def test_queries_refuse_strangers_and_out_of_scope_operators() -> None:
    with pytest.raises(Forbidden, match="not a licensebot operator"):
        list_customers(actor=STRANGER, uow=world())
    with pytest.raises(Forbidden, match="not allowed to manage customer contoso"):
        page_users("contoso", actor=SCOPED, uow=world())
    with pytest.raises(Forbidden):
        summary("contoso", [uid("bob")], actor=SCOPED, uow=world())


def test_an_operator_the_request_has_read_is_held_to_its_scope_without_a_second_read() -> None:
    uow = world()
    scoped = find_operator(SCOPED, uow=uow)  # as bot/slack/roles.py reads it, once per request
    assert scoped is not None
    with pytest.raises(Forbidden, match="not allowed to manage customer contoso"):
        page_users("contoso", actor=scoped, uow=uow)
    with pytest.raises(Forbidden, match="not allowed to manage customer contoso"):
        selected_page("contoso", [uid("bob")], actor=scoped, uow=uow)
    # Not in the directory, so only the Operator given can be what let it in: the directory was not asked again.
    unlisted = Operator("UUNLISTED", Role.ADMIN_AGENT)
    assert page_users("contoso", actor=unlisted, page_size=4, uow=uow).total == 6
    assert [u.id for u in selected_page("contoso", [uid("bob")], actor=unlisted, uow=uow).users] == [uid("bob")]


def test_a_page_carries_its_customers_tenant_none_for_a_local_customer() -> None:
    uow = world()
    assert page_users("contoso", actor=ADMIN, uow=uow).tenant is None
    with uow:
        uow.mirror.upsert([Tenant("contoso", "contoso.onmicrosoft.com")])
        uow.commit()
    assert page_users("contoso", actor=ADMIN, uow=uow).tenant == Tenant("contoso", "contoso.onmicrosoft.com")
    assert selected_page("contoso", [], actor=ADMIN, uow=uow).tenant is not None


def test_unknown_customer() -> None:
    with pytest.raises(UnknownCustomer):
        page_users("initech", actor=ADMIN, uow=world())


def test_buy_more_records_a_request_and_audits_it() -> None:
    from licensing.purchases import request_more

    uow = world()
    request = request_more("contoso", VISIO, 5, actor=ADMIN, uow=uow)
    assert (request.id, request.product_name, request.customer_name) == (1, "Visio Plan 2", "Contoso Ltd")
    assert [(p.customer_id, p.sku, p.quantity, p.operator) for p in uow.state.purchases] == [
        ("contoso", VISIO, 5, ADMIN)
    ]
    assert [(e.action, e.sku, e.outcome) for e in uow.state.audit] == [("buy_more", VISIO, "requested")]


@pytest.mark.parametrize(
    ("sku", "quantity", "actor", "error", "message"),
    [
        (VISIO, 0, ADMIN, InvalidRequest, "between 1 and 10,000"),
        (VISIO, -3, ADMIN, InvalidRequest, "between 1 and 10,000"),  # a reduction is asked for with its own checks
        ("NOPE", 1, ADMIN, InvalidRequest, "No product with SKU 'NOPE'"),
        (VISIO, 1, SCOPED, Forbidden, "not allowed to manage customer contoso"),
    ],
)
def test_buy_more_refusals(sku: str, quantity: int, actor: str, error: type[Exception], message: str) -> None:
    from licensing.purchases import request_more

    uow = world()
    with pytest.raises(error, match=message):
        request_more("contoso", sku, quantity, actor=actor, uow=uow)
    assert uow.state.purchases == []

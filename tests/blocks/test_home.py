from __future__ import annotations

from blocks.home import home_view
from blocks.viewmodels import HomeVM
from fakes.slack.blockkit import validate_view
from tests.blocks.helpers import EVIL, assert_escaped
from tests.text import shown


def test_home_for_an_operator_shows_role_and_scope() -> None:
    view = home_view(HomeVM(operator_name="Pat Partner", role="admin", customers="all customers"))
    assert validate_view(view) == []
    assert view["type"] == "home"
    text = shown(view)
    assert "Type `/licenses` in any channel" in text
    assert "*You:* Pat Partner · role *admin*" in text
    assert "Customers you can manage: all customers" in text
    assert "not an operator" not in text


def test_home_for_someone_else_says_who_can_add_them() -> None:
    view = home_view(HomeVM(operator_name=None, role=None, customers=""))
    assert validate_view(view) == []
    text = shown(view)
    assert "Type `/licenses` in any channel" in text
    assert "You are not an operator yet. Ask a partner admin to add you" in text


def test_home_escapes_names_and_scopes() -> None:
    view = home_view(HomeVM(operator_name=EVIL, role=EVIL, customers=f"{EVIL}, Fabrikam"))
    assert validate_view(view) == []
    assert_escaped(view)

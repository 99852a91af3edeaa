"""The unit of work: one transaction per `with` block, kept only when committed."""

from __future__ import annotations

import pytest

from licensing.model import Customer
from tests.contract.backends import Backend

ACME = Customer("acme", "Acme")


def stored(backend: Backend) -> Customer | None:
    with backend.uow() as uow:
        return uow.customers.get("acme")


def test_what_is_not_committed_is_rolled_back_when_the_block_ends(backend: Backend) -> None:
    with backend.uow() as uow:
        uow.customers.upsert([ACME])
        assert uow.customers.get("acme") == ACME  # the transaction sees its own writes
    assert stored(backend) is None


def test_an_error_inside_the_block_keeps_nothing(backend: Backend) -> None:
    with pytest.raises(KeyError), backend.uow() as uow:
        uow.customers.upsert([ACME])
        raise KeyError("boom")
    assert stored(backend) is None


def test_commit_keeps_the_work_for_every_later_unit_of_work(backend: Backend) -> None:
    with backend.uow() as uow:
        uow.customers.upsert([ACME])
        uow.commit()
    assert stored(backend) == ACME


def test_work_after_a_commit_is_rolled_back_unless_committed_again(backend: Backend) -> None:
    with backend.uow() as uow:
        uow.customers.upsert([ACME])
        uow.commit()
        uow.customers.upsert([Customer("acme", "Acme Corp")])
    assert stored(backend) == ACME


def test_rollback_discards_the_work_so_far_and_the_block_carries_on(backend: Backend) -> None:
    with backend.uow() as uow:
        uow.customers.upsert([ACME])
        uow.rollback()
        assert uow.customers.get("acme") is None
        uow.customers.upsert([Customer("acme", "Acme Corp")])
        uow.commit()
    assert stored(backend) == Customer("acme", "Acme Corp")


def test_a_unit_of_work_is_reusable_but_does_not_nest(backend: Backend) -> None:
    uow = backend.uow()
    with uow:
        uow.customers.upsert([ACME])
        uow.commit()
        with pytest.raises(RuntimeError, match="nested"), uow:
            pass
    with uow:
        assert uow.customers.get("acme") == ACME


def test_commit_and_rollback_need_a_with_block(backend: Backend) -> None:
    uow = backend.uow()
    with pytest.raises(RuntimeError, match="inside a `with` block"):
        uow.commit()
    with pytest.raises(RuntimeError, match="inside a `with` block"):
        uow.rollback()


def test_a_lock_must_be_the_first_statement_of_its_transaction(world: Backend) -> None:
    with world.uow() as uow:
        uow.customers.get("contoso")
        with pytest.raises(RuntimeError, match="first statement"):
            uow.customers.lock("contoso")
        with pytest.raises(RuntimeError, match="first statement"):
            uow.customers.lock_all()
    with world.uow() as uow:
        assert uow.customers.lock("contoso") == Customer("contoso", "Contoso Ltd")
        assert uow.customers.get("contoso") is not None  # reading after the lock is what the use cases do
        uow.commit()
        assert uow.customers.lock("fabrikam") == Customer("fabrikam", "Fabrikam")  # a commit ends the transaction
        uow.rollback()
        uow.customers.lock_all()  # and so does a rollback
    with world.uow() as uow:
        assert uow.customers.lock("nobody") is None

from __future__ import annotations

from blocks.outcomes import breakdown, failures_first, outcome_line, summary
from blocks.viewmodels import OutcomeVM, ProblemVM, ResultVM
from tests.blocks.helpers import EVIL, EVIL_ESCAPED, LONG, outcome


def test_updated_line_lists_what_changed() -> None:
    o = OutcomeVM("Alice Adams", "alice", "updated", assigned=("Office 365 E3",), revoked=("Office 365 E1",))
    assert outcome_line(o) == ":white_check_mark: *Alice Adams* — assigned Office 365 E3; revoked Office 365 E1"


def test_location_change_is_listed() -> None:
    o = OutcomeVM("Alice", "alice", "updated", location="DE")
    assert outcome_line(o) == ":white_check_mark: *Alice* — usage location set to DE"


def test_unchanged_and_failed_lines() -> None:
    assert outcome_line(OutcomeVM("Bob", "bob", "unchanged")) == ":heavy_minus_sign: *Bob* — no change"
    failed = OutcomeVM(
        "Carol",
        "carol",
        "failed",
        errors=(ProblemVM("location", "Office 365 E3 is not available in CN"), ProblemVM("seats", "No seats left")),
    )
    assert outcome_line(failed) == ":x: *Carol* — Office 365 E3 is not available in CN; No seats left"


def test_line_escapes_names_products_and_messages_and_stays_short() -> None:
    o = OutcomeVM(
        f"{EVIL}\n{LONG}",
        "x",
        "failed",
        assigned=tuple(f"{EVIL} P{i}" for i in range(200)),
        errors=(ProblemVM("x", EVIL),),
    )
    line = outcome_line(o)
    assert line.startswith(f":x: *{EVIL_ESCAPED}")
    assert "<" not in line and "\n" not in line and len(line) <= 1000


def test_nameless_user_shows_the_id() -> None:
    assert "*u42*" in outcome_line(OutcomeVM("", "u42", "unchanged"))


def test_summary_counts() -> None:
    vm = ResultVM("C", "U1", (outcome(1), outcome(2), outcome(3), outcome(4), outcome(5, "failed")))
    assert summary(vm) == "Updated 4 of 5 users · 1 error"
    vm = ResultVM("C", "U1", (outcome(1), outcome(2, "unchanged")))
    assert summary(vm) == "Updated 1 of 2 users · 1 unchanged"


def test_failures_first_is_stable() -> None:
    outcomes = (outcome(1), outcome(2, "failed"), outcome(3, "unchanged"), outcome(4, "failed"))
    assert [o.name for o in failures_first(outcomes)] == ["User 2", "User 4", "User 1", "User 3"]


def test_breakdown() -> None:
    assert breakdown([outcome(1), outcome(2), outcome(3, "unchanged")]) == "2 updated, 1 unchanged"

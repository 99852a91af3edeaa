"""One line per user outcome and the counts above them, shared by the result modal and the confirmation thread."""

from __future__ import annotations

from blocks.text import fit_escaped, one_line, plural
from blocks.viewmodels import OutcomeStatus, OutcomeVM, ResultVM

LINE_MAX = 1000  # one user's line, so a section (≤3000) always holds at least one
NAME_MAX = 80
ICON: dict[OutcomeStatus, str] = {
    "updated": ":white_check_mark:",
    "unchanged": ":heavy_minus_sign:",
    "failed": ":x:",
}


def outcome_line(o: OutcomeVM) -> str:
    """ ":white_check_mark: *Alice* — assigned E3; revoked E1; Microsoft Teams off in E3", escaped mrkdwn of at most
    LINE_MAX characters."""
    parts: list[str] = []
    if o.assigned:
        parts.append("assigned " + ", ".join(o.assigned))
    if o.revoked:
        parts.append("revoked " + ", ".join(o.revoked))
    if o.location:
        parts.append(f"usage location set to {o.location}")
    parts += list(o.services)
    parts += [f"does not hold {name}: its services unchanged" for name in o.not_held]
    parts += [problem.message for problem in o.errors]
    if not parts:
        parts.append("could not be updated" if o.status == "failed" else "no change")
    name = fit_escaped(one_line(o.name) or o.user_id or "(no name)", NAME_MAX)
    head = f"{ICON[o.status]} *{name}* — "
    return head + fit_escaped(one_line("; ".join(parts)), LINE_MAX - len(head))


def unchanged(vm: ResultVM) -> int:
    return len(vm.outcomes) - vm.updated - vm.failed


def summary(vm: ResultVM) -> str:
    """ "Updated 4 of 5 users · 1 error": plain counts, no customer data."""
    line = f"Updated {vm.updated:,} of {plural(len(vm.outcomes), 'user')}"
    if unchanged(vm):
        line += f" · {unchanged(vm):,} unchanged"
    if vm.errors:
        line += f" · {plural(vm.errors, 'error')}"
    return line


def failures_first(outcomes: tuple[OutcomeVM, ...]) -> list[OutcomeVM]:
    """Failed users first (stable otherwise): when not every line fits, these are the ones the operator needs."""
    return sorted(outcomes, key=lambda o: o.status != "failed")


def breakdown(rest: list[OutcomeVM]) -> str:
    """ "1,650 updated, 50 unchanged" for the users a summary left out."""
    counts = {status: sum(1 for o in rest if o.status == status) for status in ICON}
    return ", ".join(f"{counts[status]:,} {status}" for status in ICON if counts[status])

"""Who the page can be: every operator in the directory, and one person who is not an operator (to see a refusal).

Read straight from the database (the directory's operators table): the playground shows whoever is there, with no
rules of its own about who may do what; the bot decides that on every request, as it does in Slack.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from licensing.model import Role
from storage.models import OperatorRow

VISITOR_ID = "U0VISITOR1"  # not in any directory: the bot must refuse them


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str | None  # in words, "Admin agent"; None: not an operator

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def people(sessions: sessionmaker[Session]) -> list[Person]:
    """The operators by name, then the visitor."""
    with sessions() as session:
        rows = session.scalars(select(OperatorRow).order_by(OperatorRow.name, OperatorRow.slack_user_id)).all()
        found = [Person(r.slack_user_id, r.name or r.slack_user_id, Role(r.role).label) for r in rows]
    visitor = Person(VISITOR_ID, "Vic Visitor", None)
    return [*found, visitor] if all(p.id != VISITOR_ID for p in found) else found

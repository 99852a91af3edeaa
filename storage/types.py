"""Column types whose behaviour must not depend on which database is underneath."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, BigInteger, DateTime, Dialect, Integer, String, TypeDecorator
from sqlalchemy.types import TypeEngine

# Identifiers and sort keys compare byte by byte on both databases, as Python compares strings; a PostgreSQL
# database created with a linguistic collation (en_US.UTF-8) would otherwise order pages differently from SQLite
# and from the domain's `User.sort_key`.
Key: TypeEngine[str] = String().with_variant(String(collation="C"), "postgresql")

# JSON `null` is not SQL NULL: `none_as_null` stores None as NULL so `IS NULL` finds it.
NullableJSON = JSON(none_as_null=True)

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY; the audit grows without bound.
AutoId: TypeEngine[int] = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC; SQLite keeps no offset, so the UTC is put back on reading."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Refusing a naive datetime: say which timezone it is in.")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

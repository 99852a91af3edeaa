"""Users and the licenses they hold. The repository the bot leans on hardest: large customers, paged and searched."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence

from sqlalchemy import ColumnElement, Select, bindparam, func, select, update
from sqlalchemy.orm import Session

from licensing.model import User
from storage.bulk import Row, chunks, contains, delete_many, insert_many, load, upsert_rows
from storage.db import note_bulk_load
from storage.models import (
    SEARCH_SEPARATOR,
    SubscriptionRow,
    UserLicenseRow,
    UserRow,
    name_key,
    search_key,
    table,
)

UserKey = tuple[str, str]  # (customer_id, user_id)
Held = tuple[bool, tuple[str, ...]]  # one license: whether a group gives it, and its disabled service plans
Found = tuple[int, str | None, str | None]  # how many users a search matched; the first and last name key among them

STREAM_BATCH = 1_000

# Built once, with parameters: a page click runs these, and building and keying a statement costs SQLAlchemy more than
# it costs SQLite to answer it (bench/bench_served.py). A search's own conditions are still built per search.
_u, _l = table(UserRow), table(UserLicenseRow)
OF_CUSTOMER = _u.c.customer_id == bindparam("customer")
COUNT = select(func.count()).select_from(_u).where(OF_CUSTOMER)
# Users with their licenses, in one statement: a user holding none comes back once, with no license.
USERS = (
    select(_u.c.id, _u.c.name, _u.c.location, _l.c.sku, _l.c.via_group, _l.c.disabled_plans)
    .select_from(_u.outerjoin(_l, (_l.c.customer_id == _u.c.customer_id) & (_l.c.user_id == _u.c.id)))
    .where(OF_CUSTOMER, _u.c.id.in_(bindparam("ids", expanding=True)))
)


def ordered(where: Sequence[ColumnElement[bool]]) -> tuple[Select[str], Select[str]]:
    """The ids of a window of matching users, in page order and in reverse (limit and offset are parameters)."""
    keys = select(_u.c.id).where(*where).limit(bindparam("limit")).offset(bindparam("offset"))
    return keys.order_by(_u.c.name_key, _u.c.id), keys.order_by(_u.c.name_key.desc(), _u.c.id.desc())


PAGE = ordered([OF_CUSTOMER])


class SqlUserRepository:
    _users = _u
    _licenses = _l
    _subscriptions = table(SubscriptionRow)
    _user_keys = ("customer_id", "id")
    _license_keys = ("customer_id", "user_id", "sku")
    _columns = ("name", "location", "name_key", "search")

    def __init__(self, session: Session) -> None:
        self._session = session
        self._dialect = session.get_bind().dialect.name
        # What searches found earlier in this transaction, by (customer, casefolded query): a page past the end is
        # asked again for the last page, and a large customer is slow to search twice. Any user write clears it.
        self._searches: dict[tuple[str, str], Found] = {}

    def get_many(self, customer_id: str, user_ids: Iterable[str]) -> dict[str, User]:
        found: dict[str, User] = {}
        for batch in chunks(dict.fromkeys(user_ids)):
            found |= self._load(customer_id, batch)
        return found

    def page(self, customer_id: str, *, query: str, offset: int, limit: int) -> tuple[list[User], int]:
        needle = query.casefold()
        if SEARCH_SEPARATOR in needle:
            return [], 0
        offset, limit = max(0, offset), max(0, limit)
        search = (customer_id, needle)
        if search not in self._searches:
            self._searches[search] = self._locate(customer_id, needle)
        total, first, last = self._searches[search]
        window = PAGE
        if needle:
            where = [OF_CUSTOMER, contains(UserRow.search, needle, self._dialect)]
            if first is not None and last is not None:
                # Matches are often bunched (everyone called Oliver sorts together): start the walk where they begin.
                where += [UserRow.name_key >= first, UserRow.name_key <= last]
            window = ordered(where)
        ids = self._page_ids(window, customer_id, total, offset, limit)
        if not ids:
            return [], total
        users = self._load(customer_id, ids)
        return [users[i] for i in ids if i in users], total

    def _load(self, customer_id: str, ids: Sequence[str]) -> dict[str, User]:
        people: dict[str, tuple[str, str | None]] = {}
        held: defaultdict[str, dict[str, Held]] = defaultdict(dict)
        rows = self._session.connection().execute(USERS, {"customer": customer_id, "ids": ids}).all()
        for uid, name, location, sku, via_group, disabled in rows:
            people[uid] = (name, location)
            if sku is not None:
                held[uid][sku] = _as_held(via_group, disabled)
        return {uid: _user(customer_id, uid, name, location, held[uid]) for uid, (name, location) in people.items()}

    def _locate(self, customer_id: str, needle: str) -> Found:
        """How many users match, and the first and last name key among them, in one pass over the page index."""
        connection = self._session.connection()
        if not needle:
            return connection.scalar(COUNT, {"customer": customer_id}) or 0, None, None
        stmt = select(func.count(), func.min(UserRow.name_key), func.max(UserRow.name_key)).where(
            UserRow.customer_id == customer_id, contains(UserRow.search, needle, self._dialect)
        )
        total, first, last = connection.execute(stmt).one()
        return total, first, last

    def _page_ids(
        self,
        window: tuple[Select[str], Select[str]],
        customer_id: str,
        total: int,
        offset: int,
        limit: int,
    ) -> list[str]:
        end = min(offset + limit, total)
        if offset >= end:
            return []
        forward, backward = window
        connection = self._session.connection()
        # Skipping rows is a walk along the page index, so a page past the middle is read backwards from the end:
        # no page walks more than half of the matches.
        if total - end < offset:
            params = {"customer": customer_id, "limit": end - offset, "offset": total - end}
            return list(connection.scalars(backward, params))[::-1]
        return list(connection.scalars(forward, {"customer": customer_id, "limit": end - offset, "offset": offset}))

    def all_for_customer(self, customer_id: str) -> Iterator[User]:
        """Streams, so checking a customer of any size holds one batch of rows in memory, not every user.

        Two streams in key order, merged here, rather than a join: the importer checks customers inside its own
        transaction, before PostgreSQL has statistics for the rows it just wrote, and a join planned without them can
        take quadratic time. Each stream is a plain walk along a primary key, whatever the statistics.
        """
        users = self._session.execute(
            select(UserRow.id, UserRow.name, UserRow.location)
            .where(UserRow.customer_id == customer_id)
            .order_by(UserRow.id)
            .execution_options(yield_per=STREAM_BATCH)
        )
        lic = UserLicenseRow
        licenses = self._session.execute(
            select(lic.user_id, lic.sku, lic.via_group, lic.disabled_plans)
            .where(lic.customer_id == customer_id)
            .order_by(lic.user_id, lic.sku)
            .execution_options(yield_per=STREAM_BATCH)
        )
        # Both sides order ids byte by byte (the "C" collation on PostgreSQL), as Python compares them.
        held = iter(licenses)
        pending = next(held, None)
        for uid, name, location in users:
            skus: dict[str, Held] = {}
            while pending is not None and pending[0] <= uid:
                if pending[0] == uid:
                    skus[pending[1]] = _as_held(pending[2], pending[3])
                pending = next(held, None)
            yield _user(customer_id, uid, name, location, skus)

    def set_location(self, customer_id: str, user_ids: Sequence[str], country: str) -> None:
        self._forget_searches()
        u = self._users
        for batch in chunks(dict.fromkeys(user_ids)):
            self._session.execute(
                update(u).where(u.c.customer_id == customer_id, u.c.id.in_(batch)).values(location=country)
            )

    def change_licenses(
        self, customer_id: str, grants: Sequence[tuple[str, str]], removals: Sequence[tuple[str, str]]
    ) -> None:
        self._forget_searches()
        granted = [self._license(customer_id, uid, sku) for uid, sku in dict.fromkeys(grants)]
        removed = [self._license(customer_id, uid, sku) for uid, sku in dict.fromkeys(removals)]
        deleted = delete_many(self._session, self._licenses, removed, keys=self._license_keys)
        if deleted != len(removed):
            # The counters below move by what was asked; a license that was not there would skew them.
            raise RuntimeError(f"Asked to remove {len(removed)} licenses of {customer_id}, but {deleted} were held.")
        insert_many(self._session, self._licenses, granted)
        deltas: Counter[str] = Counter(r["sku"] for r in granted)
        deltas.subtract(r["sku"] for r in removed)
        moves = [{"k_customer_id": customer_id, "k_sku": sku, "delta": n} for sku, n in sorted(deltas.items()) if n]
        if moves:
            s = self._subscriptions
            # Relative, so the CHECK (assigned <= quantity) judges the counter as it really is, not as read.
            stmt = (
                update(s)
                .where(s.c.customer_id == bindparam("k_customer_id"), s.c.sku == bindparam("k_sku"))
                .values(assigned=s.c.assigned + bindparam("delta"))
            )
            self._session.execute(stmt, moves)

    def set_disabled_plans(self, customer_id: str, lists: Sequence[tuple[str, str, frozenset[str]]]) -> None:
        self._forget_searches()
        lic = self._licenses
        rows = [
            {"k_customer_id": customer_id, "k_user_id": uid, "k_sku": sku, "plans": sorted(plans) or None}
            for uid, sku, plans in lists
        ]
        if not rows:
            return
        stmt = (
            update(lic)
            .where(
                lic.c.customer_id == bindparam("k_customer_id"),
                lic.c.user_id == bindparam("k_user_id"),
                lic.c.sku == bindparam("k_sku"),
            )
            .values(disabled_plans=bindparam("plans", type_=lic.c.disabled_plans.type))
        )
        self._session.execute(stmt, rows)

    def upsert(self, users: Sequence[User]) -> int:
        self._forget_searches()
        rows: dict[UserKey, Row] = {}
        wanted: dict[UserKey, dict[str, Held]] = {}
        for user in users:
            key = (user.customer_id, user.id)
            rows[key] = {
                "customer_id": user.customer_id,
                "id": user.id,
                "name": user.name,
                "location": user.location,
                "name_key": name_key(user.name),
                "search": search_key(user.name, user.id),
            }
            wanted[key] = {
                sku: _as_held(sku in user.group_licenses, user.disabled_plans.get(sku)) for sku in user.licenses
            }
        customers = sorted({c for c, _ in rows})
        new, changed = upsert_rows(
            self._session, self._users, rows.values(), keys=self._user_keys, columns=self._columns
        )
        held: defaultdict[UserKey, dict[str, Held]] = defaultdict(dict)
        stored = load(
            self._session,
            self._licenses,
            keys=self._license_keys,
            columns=("via_group", "disabled_plans"),
            where="customer_id",
            values=customers,
        )
        for (c, u, sku), (via_group, disabled) in stored.items():
            held[(c, u)][sku] = _as_held(via_group, disabled)
        granted: list[Row] = []
        removed: list[Row] = []
        relicensed: set[UserKey] = set()
        for (c, u), skus in wanted.items():
            have = held.get((c, u), {})
            # A license whose group flag or disabled plans moved is removed and granted again: rare, one code path.
            moved = {sku for sku in skus.keys() & have.keys() if skus[sku] != have[sku]}
            granted += [self._license(c, u, sku, skus[sku]) for sku in sorted(skus.keys() - have.keys() | moved)]
            removed += [self._license(c, u, sku) for sku in sorted(have.keys() - skus.keys() | moved)]
            if skus != have:
                relicensed.add((c, u))
        delete_many(self._session, self._licenses, removed, keys=self._license_keys)
        insert_many(self._session, self._licenses, granted)
        note_bulk_load(self._session, self._licenses.name, len(removed) + len(granted))
        touched = {(r["customer_id"], r["id"]) for r in (*new, *changed)} | relicensed
        return len(touched)

    def _forget_searches(self) -> None:
        self._searches.clear()

    @staticmethod
    def _license(customer_id: str, user_id: str, sku: str, held: Held = (False, ())) -> Row:
        via_group, disabled = held
        return {
            "customer_id": customer_id,
            "user_id": user_id,
            "sku": sku,
            "via_group": via_group,
            "disabled_plans": list(disabled) or None,
        }


_NONE: frozenset[str] = frozenset()


def _as_held(via_group: bool, disabled: Iterable[str] | None) -> Held:
    return bool(via_group), tuple(sorted(disabled)) if disabled else ()


def _user(customer_id: str, user_id: str, name: str, location: str | None, held: dict[str, Held]) -> User:
    # Most users hold a few licenses, none through a group or with services off: nothing to collect for them
    # (opening Manage licenses builds a User per selected user).
    groups, disabled = _NONE, {}
    if any(via_group or plans for via_group, plans in held.values()):
        groups = frozenset(sku for sku, (via_group, _) in held.items() if via_group)
        disabled = {sku: frozenset(plans) for sku, (_, plans) in held.items() if plans}
    return User(customer_id, user_id, name, location, frozenset(held) if held else _NONE, groups, disabled)

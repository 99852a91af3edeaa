"""`licensebot audit export` on SQLite and PostgreSQL: the CSV matches the audit table, dates and customers filter,
bad input is one line with exit 2, cells cannot become formulas, and memory stays flat however long the audit."""

from __future__ import annotations

import csv
import io
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from cli.audit import HEADER
from licensing.results import AuditEntry
from storage.db import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork

ADMIN = "UADMIN01"
T0 = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)


def append(db_url: str, entries: list[AuditEntry]) -> None:
    engine = make_engine(db_url)
    try:
        with SqlUnitOfWork(make_session_factory(engine)) as uow:
            uow.audit.append(entries)
            uow.commit()
    finally:
        engine.dispose()


def rows(output: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(output)))


def test_the_csv_is_the_audit_table_row_for_row(loaded, db_url: str) -> None:  # type: ignore[no-untyped-def]
    applied = loaded(
        "licenses",
        "apply",
        "contoso",
        "--users",
        "bob@contoso.com,carol@contoso.com",
        "--assign",
        "ENTERPRISEPACK",
        "--as",
        ADMIN,
    )
    assert applied.exit_code == 1  # carol is in CN: her line is a refusal, with its reason
    result = loaded("audit", "export")
    assert result.exit_code == 0, result.stderr
    header, *lines = rows(result.stdout)
    assert tuple(header) == HEADER
    engine = make_engine(db_url)
    with engine.connect() as conn:
        table = conn.execute(
            text(
                "SELECT id, batch_id, operator, customer_id, user_id, sku, action, outcome, reason FROM audit "
                "ORDER BY id"
            )
        ).all()
    engine.dispose()
    assert len(lines) == len(table) == 2
    for line, db in zip(lines, table, strict=True):
        assert [line[0], *line[2:]] == [str(db.id), *(v or "" for v in db[1:]), ""]  # detail: service lines only
        assert datetime.fromisoformat(line[1]).utcoffset() == timedelta(0) and line[1].endswith("Z")
    bob, carol = lines
    assert (bob[5], bob[7], bob[8]) == ("bob@contoso.com", "assign", "applied")
    assert (carol[5], carol[8]) == ("carol@contoso.com", "failed") and carol[9].startswith("location_not_allowed")


def test_dates_are_whole_utc_days_and_customers_filter(loaded, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def entry(n: int, hours: float, customer: str = "contoso") -> AuditEntry:
        at = T0 + timedelta(hours=hours)
        return AuditEntry(f"b{n}", at, ADMIN, customer, "bob@contoso.com", "ENTERPRISEPACK", "assign", "applied")

    # 2026-03-04 23:30, 03-05 00:30, 03-05 23:30, 03-06 00:30 (UTC), the last one fabrikam's
    append(db_url, [entry(1, 0), entry(2, 1), entry(3, 24), entry(4, 25, "fabrikam")])

    def batches(*args: str) -> list[str]:
        result = loaded("audit", "export", *args)
        assert result.exit_code == 0, result.stderr
        return [line[2] for line in rows(result.stdout)[1:]]

    assert batches("--since", "2026-03-05", "--until", "2026-03-05") == ["b2", "b3"]
    assert batches("--since", "2026-03-05") == ["b2", "b3", "b4"]
    assert batches("--until", "2026-03-04") == ["b1"]
    assert batches("--customer", "fabrikam") == ["b4"]
    out = tmp_path / "audit.csv"
    written = loaded("audit", "export", "--customer", "contoso", "--output", str(out))
    assert written.exit_code == 0 and written.stdout == ""
    assert [line[2] for line in rows(out.read_text())[1:]] == ["b1", "b2", "b3"]
    assert out.read_bytes().endswith(b"\r\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "2026-13-01"), "error: --since '2026-13-01' is not a date like 2026-03-31"),
        (("--until", "yesterday"), "error: --until 'yesterday' is not a date like 2026-03-31"),
        (("--since", "2026-03-05", "--until", "2026-03-04"), "error: --until 2026-03-04 is before --since 2026-03-05"),
        (("--customer", "initech"), "error: No customer with id 'initech'."),
    ],
)
def test_bad_input_is_one_line_and_exit_2(loaded, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    result = loaded("audit", "export", *args)
    assert (result.exit_code, result.stderr.strip(), result.stdout) == (2, message, "")


def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted(loaded, db_url: str) -> None:  # type: ignore[no-untyped-def]
    evil = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", 'quote " and, comma\nnewline']
    append(db_url, [AuditEntry("b1", T0, ADMIN, "contoso", user, None, "assign", "failed", user) for user in evil])
    lines = rows(loaded("audit", "export").stdout)[1:]
    assert [line[5] for line in lines] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        'quote " and, comma\nnewline',
    ]
    assert [line[9] for line in lines] == [line[5] for line in lines]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_exporting_200_000_lines_takes_constant_memory(loaded, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    count = 200_000
    engine = make_engine(db_url)
    with engine.begin() as conn:  # straight into the table: the fastest way to a long audit
        conn.execute(
            text(
                "INSERT INTO audit (batch_id, at, operator, customer_id, user_id, sku, action, outcome, reason) "
                "VALUES (:b, :at, :op, 'contoso', :u, 'ENTERPRISEPACK', 'assign', 'failed', :r)"
            ),
            [
                {
                    "b": f"batch-{i // 50:06d}",
                    "at": (T0 + timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S.%f"),
                    "op": ADMIN,
                    "u": f"user{i % 5000}@contoso.com",
                    "r": f"insufficient_licenses: none left ({i})",
                }
                for i in range(count)
            ],
        )
    engine.dispose()
    out = tmp_path / "big.csv"
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = loaded("audit", "export", "--output", str(out))
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.stderr
    with out.open(newline="") as f:
        assert sum(1 for _ in csv.reader(f)) == count + 1
    size = out.stat().st_size
    # Holding the rows would take several times the file's size; streaming holds a chunk of 1,000.
    assert peak < 8_000_000, f"peak {peak:,} bytes for a {size:,}-byte export"

from __future__ import annotations

import pytest

from blocks.text import escape, fit_escaped, json_size, names_line, one_line, plural, take_lines, truncate


def test_escape_replaces_only_the_three_control_characters() -> None:
    assert escape("<!channel> & <b>*bold* _x_ \"q\" 'a'") == "&lt;!channel&gt; &amp; &lt;b&gt;*bold* _x_ \"q\" 'a'"


def test_escape_does_not_double_escape_ampersands_it_made() -> None:
    assert escape("a&b") == "a&amp;b"
    assert escape("&lt;") == "&amp;lt;"  # a literal "&lt;" in a name must show as typed


@pytest.mark.parametrize(
    ("text", "n", "expected"),
    [("Alice", 5, "Alice"), ("Alice Adams", 6, "Alice…"), ("Alice", 1, "…"), ("Alice", 0, "")],
)
def test_truncate(text: str, n: int, expected: str) -> None:
    assert truncate(text, n) == expected
    assert len(truncate(text, n)) <= max(n, 0)


def test_fit_escaped_counts_the_entities_and_never_cuts_one() -> None:
    out = fit_escaped("<<<<<<<<<<", 12)
    assert out == "&lt;&lt;…"  # a third &lt; would make 13
    assert fit_escaped("a & b", 9) == "a &amp; b"
    for n in range(1, 30):
        fitted = fit_escaped("<!channel> & <b> Alice", n)
        assert len(fitted) <= n
        assert "<" not in fitted and "&am…" not in fitted and "&l…" not in fitted


def test_plural_uses_thousands_separators() -> None:
    assert plural(1, "user") == "1 user"
    assert plural(0, "user") == "0 users"
    assert plural(2000, "user") == "2,000 users"
    assert plural(2, "child", "children") == "2 children"


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([], ""),
        (["Alice"], "Alice"),
        (["Alice", "Bob"], "Alice and Bob"),
        (["Alice", "Bob", "Carol"], "Alice, Bob and Carol"),
        (["Alice", "Bob", "Carol", "Dan", "Eve"], "Alice, Bob and 3 more"),
    ],
)
def test_names_line(names: list[str], expected: str) -> None:
    limit = 2 if len(names) > 3 else 3
    assert names_line(names, limit) == expected


def test_names_line_counts_large_remainders_with_separators() -> None:
    assert names_line([f"U{i}" for i in range(1500)], 2) == "U0, U1 and 1,498 more"


def test_take_lines_keeps_every_chunk_under_the_limit_and_every_line_whole() -> None:
    lines = [f"line {i} " + "x" * (i % 50) for i in range(300)]
    chunks, taken = take_lines(lines, 500)
    assert taken == 300
    assert all(len(c) <= 500 for c in chunks)
    assert "\n".join(chunks).split("\n") == lines


def test_take_lines_stops_at_the_chunk_count_and_the_budget() -> None:
    lines = ["x" * 100] * 100
    chunks, taken = take_lines(lines, 250, max_chunks=3)
    assert len(chunks) == 3 and taken == 6
    chunks, taken = take_lines(lines, 1000, budget=350)
    assert taken == 3 and chunks == ["\n".join(lines[:3])]


def test_take_lines_always_takes_the_first_line() -> None:
    assert take_lines(["x" * 10], 100, budget=1) == (["x" * 10], 1)


def test_json_size_counts_ascii_escapes() -> None:
    assert json_size("abc") == 5
    assert json_size("é") == 8  # "\u00e9" in quotes


def test_one_line_collapses_newlines() -> None:
    assert one_line("a\nb\t c") == "a b c"

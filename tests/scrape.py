"""Reading a Prometheus text page the way a scraper does, for assertions on what moved."""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(page: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(page)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample with exactly these labels (a histogram's `le` aside); 0 when absent, as Prometheus would read it."""
    wanted = frozenset(labels.items())
    return samples.get((name, wanted), 0.0)


def eventually(read: Callable[[], Samples], check: Callable[[Samples], bool], timeout: float = 30.0) -> Samples:
    """Scrape until `check` holds: a listener records its end a moment after its last Slack call lands. `timeout`
    bounds a wait for what never comes; it is no measure (a loaded machine can take seconds to start a bot)."""
    deadline = time.monotonic() + timeout
    while True:
        samples = read()
        if check(samples) or time.monotonic() > deadline:
            return samples
        time.sleep(0.02)

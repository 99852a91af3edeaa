from __future__ import annotations

import pytest
import requests

from fakes.m365.seed import E1, E3
from tests.m365.helpers import Graph, assign_request, remove_request, statuses

T = "contoso.onmicrosoft.com"


def test_a_batch_runs_its_requests_like_the_direct_endpoints(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", usage_location=None)
    patch = {
        "id": "1",
        "method": "PATCH",
        "url": f"/users/{user.id}",
        "headers": {"Content-Type": "application/json"},
        "body": {"usageLocation": "NL"},
    }
    reply = graph.call("POST", "/$batch", {"requests": [patch, assign_request(2, user.id, [E1], dependsOn=["1"])]})
    assert statuses(reply) == {"1": 204, "2": 200}
    assert graph.m365.licenses(T, user.id) == {E1}


def test_a_failed_request_fails_those_that_depend_on_it(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E1,))
    batch = [assign_request(1, user.id, [E3]), assign_request(2, user.id, [E1], dependsOn=["1"])]
    assert statuses(graph.call("POST", "/$batch", {"requests": batch})) == {"1": 400, "2": 424}


@pytest.mark.parametrize("size", [2, 3, 7, 20])
def test_answers_come_out_of_order_but_the_requests_run_in_order(graph: Graph, size: int) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com")
    # Add, remove, add, remove… with no dependsOn: every one succeeds only if they run in the order sent.
    batch = [assign_request(n, user.id, [E1]) if n % 2 == 0 else remove_request(n, user.id, [E1]) for n in range(size)]
    reply = graph.call("POST", "/$batch", {"requests": batch})
    sent = [r["id"] for r in batch]
    answered = [r["id"] for r in reply.json()["responses"]]
    assert sorted(answered) == sorted(sent)
    assert answered != sent
    assert set(statuses(reply).values()) == {200}
    assert graph.m365.licenses(T, user.id) == ({E1} if size % 2 else set())


def test_the_answer_order_is_the_same_for_the_same_batch(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com")
    batch = [{"id": str(n), "method": "GET", "url": f"/users/{user.id}"} for n in range(5)]
    orders = [[r["id"] for r in graph.call("POST", "/$batch", {"requests": batch}).json()["responses"]] for _ in "ab"]
    assert orders[0] == orders[1] != [r["id"] for r in batch]


def test_more_than_twenty_requests_is_refused_whole(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com")
    reply = graph.call("POST", "/$batch", {"requests": [assign_request(n, user.id, [E1]) for n in range(21)]})
    assert reply.status_code == 400
    assert graph.m365.licenses(T, user.id) == set()


@pytest.mark.parametrize("status", [429, 503, 504])
def test_throttling_of_http_requests(graph: Graph, status: int) -> None:
    graph.m365.fail_next(2, status=status, retry_after=3, method="GET", path="^/v1.0/users")
    replies = [graph.call("GET", "/users") for _ in range(3)]
    assert [r.status_code for r in replies] == [status, status, 200]
    assert replies[0].headers["Retry-After"] == "3"


def test_throttling_inside_a_batch_hits_only_the_matching_requests(graph: Graph) -> None:
    users = [graph.m365.add_user(T, f"u{n}@contoso.onmicrosoft.com") for n in range(3)]
    graph.m365.fail_next(2, inner=True, retry_after=0.5, path="assignLicense")
    batch = [assign_request(n, u.id, [E1]) for n, u in enumerate(users)]
    responses = {r["id"]: r for r in graph.call("POST", "/$batch", {"requests": batch}).json()["responses"]}
    assert {i: r["status"] for i, r in responses.items()} == {"0": 429, "1": 429, "2": 200}
    assert responses["0"]["headers"]["Retry-After"] == "0.5"
    assert [graph.m365.licenses(T, u.id) for u in users] == [set(), set(), {E1}]


def test_a_crash_applies_the_first_requests_then_drops_the_connection(graph: Graph) -> None:
    users = [graph.m365.add_user(T, f"u{n}@contoso.onmicrosoft.com") for n in range(3)]
    graph.m365.crash_next_batch(after=2)
    with pytest.raises(requests.exceptions.RequestException):
        graph.call("POST", "/$batch", {"requests": [assign_request(n, u.id, [E1]) for n, u in enumerate(users)]})
    assert [graph.m365.licenses(T, u.id) for u in users] == [{E1}, {E1}, set()]


def test_requests_are_counted_by_endpoint(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com")
    graph.call("GET", "/subscribedSkus")
    graph.call("POST", "/$batch", {"requests": [assign_request(1, user.id, [E1])]})
    counts = graph.m365.requests
    assert counts["GET /v1.0/subscribedSkus"] == 1
    assert counts["POST /v1.0/$batch"] == 1
    assert counts["$batch POST /v1.0/users/{id}/assignLicense"] == 1
    assert counts["POST /{tenant}/oauth2/v2.0/token"] == 1
    assert graph.m365.graph_requests() == 2


def test_latency_is_added_to_every_request(graph: Graph) -> None:
    graph.m365.set_latency(0.2)
    reply = graph.call("GET", "/subscribedSkus")
    assert reply.elapsed.total_seconds() >= 0.2

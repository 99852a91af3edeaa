"""A write that ran but whose answer was lost: Graph did the work, the client hears a 5xx."""

from __future__ import annotations

import pytest

from fakes.m365.seed import E1
from tests.m365.helpers import Graph, assign_request, remove_request, statuses

T = "contoso.onmicrosoft.com"


@pytest.mark.parametrize(("status", "code"), [(504, "GatewayTimeout"), (503, "ServiceUnavailable")])
def test_a_removal_runs_its_answer_is_lost_and_the_retry_is_refused(graph: Graph, status: int, code: str) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E1,))
    graph.m365.fail_after_running(1, status=status, retry_after=0.1, method="POST", path="assignLicense")
    batch = {"requests": [remove_request(1, user.id, [E1])]}
    first = graph.call("POST", "/$batch", batch).json()["responses"][0]
    assert first["status"] == status
    assert first["headers"]["Retry-After"] == "0.1"
    assert first["body"]["error"]["code"] == code
    assert graph.m365.licenses(T, user.id) == set()  # it ran
    assert graph.m365.consumed(T, E1) == 0
    retried = graph.call("POST", "/$batch", batch).json()["responses"][0]
    assert retried["status"] == 400
    assert retried["body"]["error"]["message"] == "User does not have a corresponding license."


def test_only_the_matching_requests_lose_their_answers_and_only_count_of_them(graph: Graph) -> None:
    users = [graph.m365.add_user(T, f"u{n}@contoso.onmicrosoft.com", usage_location=None) for n in range(2)]
    graph.m365.fail_after_running(1)  # POST …/assignLicense, 504 by default
    located = {
        "id": "where",
        "method": "PATCH",
        "url": f"/users/{users[0].id}",
        "headers": {"Content-Type": "application/json"},
        "body": {"usageLocation": "NL"},
    }
    batch = [located, assign_request(1, users[0].id, [E1], dependsOn=["where"]), assign_request(2, users[1].id, [E1])]
    reply = graph.call("POST", "/$batch", {"requests": batch})
    assert statuses(reply) == {"where": 204, "1": 504, "2": 400}  # u1 has no usage location: a real refusal
    assert graph.m365.licenses(T, users[0].id) == {E1}
    assert graph.m365.user(T, users[0].id).usage_location == "NL"


def test_a_request_depending_on_a_lost_answer_is_not_run(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", licenses=(E1,))
    graph.m365.fail_after_running(1, path="assignLicense")
    batch = [remove_request(1, user.id, [E1]), assign_request(2, user.id, [E1], dependsOn=["1"])]
    assert statuses(graph.call("POST", "/$batch", {"requests": batch})) == {"1": 504, "2": 424}
    assert graph.m365.licenses(T, user.id) == set()


def test_a_direct_request_can_run_and_lose_its_answer(graph: Graph) -> None:
    user = graph.m365.add_user(T, "ann@contoso.onmicrosoft.com", usage_location=None)
    graph.m365.fail_after_running(1, inner=False, method="PATCH", path="^/v1.0/users/")
    reply = graph.call("PATCH", f"/users/{user.id}", {"usageLocation": "DE"})
    assert reply.status_code == 504 and reply.headers["Retry-After"] == "0.1"
    assert graph.m365.user(T, user.id).usage_location == "DE"
    assert graph.call("PATCH", f"/users/{user.id}", {"usageLocation": "DE"}).status_code == 204


def test_a_whole_batch_can_run_and_lose_its_answer(graph: Graph) -> None:
    users = [graph.m365.add_user(T, f"u{n}@contoso.onmicrosoft.com") for n in range(3)]
    graph.m365.fail_after_running(1, status=503, inner=False, method="POST", path=r"\$batch")
    reply = graph.call("POST", "/$batch", {"requests": [assign_request(n, u.id, [E1]) for n, u in enumerate(users)]})
    assert reply.status_code == 503
    assert "responses" not in reply.json()
    assert [graph.m365.licenses(T, u.id) for u in users] == [{E1}, {E1}, {E1}]

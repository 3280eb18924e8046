"""The bandit's state in GraphQL: staff read each source's posterior and its history;
readers and anonymous visitors are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.recommendations.models import SourceArm, SourceArmSnapshot
from tests.schema.conftest import make_user

QUERY = """
query Bandit($segment: String!, $history: Int!) {
  banditState(segment: $segment, history: $history) {
    segment segments enabled updatedAt
    sources { source alpha beta mean low high slotShare shown engaged }
    history { takenAt sources { source mean low high slotShare } }
  }
}
"""
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def arms(db) -> None:
    SourceArm.objects.create(source="graph", alpha=31, beta=71, shown=100, engaged=30)
    SourceArm.objects.create(source="trending", alpha=11, beta=91, shown=100, engaged=10)
    SourceArm.objects.create(source="graph", segment="content", alpha=2, beta=3, shown=3)
    for hours, (a, b) in enumerate([(11, 41), (31, 71)]):
        SourceArmSnapshot.objects.create(
            taken_at=T0 + timedelta(hours=hours), source="graph", alpha=a, beta=b
        )
    SourceArmSnapshot.objects.create(taken_at=T0, source="trending", alpha=11, beta=91)


def _ask(gql, segment: str = "", history: int = 100) -> dict:
    return gql(QUERY, {"segment": segment, "history": history})


def test_staff_read_the_posteriors_and_their_history(gql, arms, settings) -> None:
    settings.RECOMMENDATION_BANDIT = True
    gql.login(make_user("staffer", is_staff=True))
    result = _ask(gql)
    assert "errors" not in result, result
    state = result["data"]["banditState"]
    assert state["segment"] == "" and state["segments"] == ["", "content"]
    assert state["enabled"] is True
    sources = {s["source"]: s for s in state["sources"]}
    assert list(sources) == ["GRAPH", "CONTENT", "TRENDING", "NEW_ITEMS", "NEW_CREATORS"]
    graph = sources["GRAPH"]
    assert (graph["alpha"], graph["beta"], graph["shown"], graph["engaged"]) == (31, 71, 100, 30)
    assert graph["mean"] == pytest.approx(31 / 102)
    assert graph["low"] < graph["mean"] < graph["high"]
    assert sources["CONTENT"]["mean"] == 0.5 and sources["CONTENT"]["shown"] == 0
    assert sum(s["slotShare"] for s in state["sources"]) == pytest.approx(1.0)
    history = state["history"]
    assert [p["takenAt"] for p in history] == [
        "2026-03-02T09:00:00+00:00",
        "2026-03-02T10:00:00+00:00",
    ]
    first = {s["source"]: s for s in history[0]["sources"]}
    assert first["GRAPH"]["mean"] == pytest.approx(11 / 52)
    last = {s["source"]: s for s in history[1]["sources"]}
    assert last["TRENDING"]["mean"] == pytest.approx(11 / 102)  # carried forward
    segment = _ask(gql, "content")["data"]["banditState"]
    assert {s["source"]: s["alpha"] for s in segment["sources"]}["GRAPH"] == 2
    assert segment["history"] == []


def test_readers_and_anonymous_visitors_are_refused(gql, arms) -> None:
    anonymous = _ask(gql)
    assert anonymous["data"] is None
    assert [e["extensions"] for e in anonymous["errors"]] == [
        {"code": "UNAUTHENTICATED", "field": "banditState"}
    ]
    gql.login(make_user("reader"))
    reader = _ask(gql)
    assert reader["data"] is None
    assert [e["extensions"] for e in reader["errors"]] == [
        {"code": "FORBIDDEN", "field": "banditState"}
    ]


@pytest.mark.parametrize(
    ("segment", "history", "field"),
    [("", 0, "history"), ("", 501, "history"), ("x" * 17, 10, "segment")],
)
def test_bad_arguments_are_named(gql, db, segment: str, history: int, field: str) -> None:
    gql.login(make_user("staffer", is_staff=True))
    result = _ask(gql, segment, history)
    [error] = result["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == field

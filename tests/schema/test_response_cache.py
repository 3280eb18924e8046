"""Kept GraphQL results: a viewer's repeated dashboard read is replayed, behind Django's
own middleware, and only while nothing it depends on has changed. Driven through the real
ASGI application, on whichever cache the suite runs with."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from django.db import connection

from backend.accounts import sessions
from backend.asgi import application
from backend.interactions.models import Impression
from backend.recommendations import cache as recommendation_cache
from backend.recommendations import impressions
from schema.response_cache import cacheable
from tests.schema.conftest import PASSWORD, make_user

DASHBOARD = """query Dash { dashboard {
  me { username } stats { interactions }
  recommendations(first: 5) { method cached requestId items { item { id title } } }
  recentActivity(limit: 3) { kind item { id } } } }"""
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { username } }"
HIDE = "mutation($id: ID!) { recordInteraction(input: {itemId: $id, kind: HIDE}) { id } }"
DEMO_PASSWORD = "lupi-demo"

# The requests' own threads must see the fixture's rows.
pytestmark = pytest.mark.django_db(transaction=True)


class BrowserClient:
    """A browser-like client of the whole ASGI application (cookies, CSRF header)."""

    def __init__(self) -> None:
        transport = httpx.ASGITransport(app=application)
        self.http = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async def post(
        self, query: str, variables: dict | None = None, *, csrf: bool = True, **headers: str
    ) -> httpx.Response:
        if "csrftoken" not in self.http.cookies:
            await self.http.get("/graphql/")
        if csrf:
            headers["X-CSRFToken"] = self.http.cookies["csrftoken"]
        return await self.http.post(
            "/graphql/", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def login(self, username: str) -> None:
        response = await self.post(LOGIN, {"u": username, "p": DEMO_PASSWORD})
        assert response.json()["data"]["login"]["username"] == username

    async def dashboard(self, **headers: str) -> tuple[dict[str, Any], bool]:
        response = await self.post(DASHBOARD, **headers)
        assert response.status_code == 200, response.text
        return response.json(), response.headers.get("x-lupi-cache") == "hit"


def run(coroutine) -> Any:
    return asyncio.run(coroutine)


def recs(result: dict) -> dict:
    return result["data"]["dashboard"]["recommendations"]


def test_a_repeated_dashboard_is_replayed_as_a_new_served_list(served) -> None:
    async def scenario() -> tuple[dict, bool, dict, bool]:
        client = BrowserClient()
        await client.login("demo")
        first, first_hit = await client.dashboard()
        second, second_hit = await client.dashboard()
        return first, first_hit, second, second_hit

    before = recommendation_cache.cache_stats().hits
    first, first_hit, second, second_hit = run(scenario())
    assert not first_hit and second_hit
    assert recs(first)["method"] == "HYBRID" and recs(second)["cached"] is True
    assert recs(second)["items"] == recs(first)["items"]
    assert recs(second)["requestId"] != recs(first)["requestId"]
    assert second["data"]["dashboard"]["me"] == first["data"]["dashboard"]["me"]
    assert recommendation_cache.cache_stats().hits == before + 1
    # The replayed list is logged under its own request id, in its order.
    assert impressions.flush()
    logged = Impression.objects.filter(request_id=recs(second)["requestId"]).order_by("position")
    assert [str(i.item_id) for i in logged] == [r["item"]["id"] for r in recs(second)["items"]]
    assert {i.user.username for i in logged} == {"demo"}


def test_feedback_promotion_and_logout_end_the_replay(served) -> None:
    async def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        client = BrowserClient()
        await client.login("demo")
        first, _ = await client.dashboard()
        _, seen["hit"] = await client.dashboard()
        hidden = recs(first)["items"][0]["item"]["id"]
        await client.post(HIDE, {"id": hidden})
        seen["after_hide"] = await client.dashboard()
        seen["hidden"] = hidden
        _, seen["hit_again"] = await client.dashboard()
        await asyncio.to_thread(recommendation_cache.bump_model_token)
        _, seen["after_promotion_hit"] = await client.dashboard()
        _, seen["before_logout_hit"] = await client.dashboard()
        old_session = client.http.cookies["sessionid"]
        csrf = client.http.cookies["csrftoken"]
        await client.post("mutation { logout }")
        stale = BrowserClient()
        stale.http.cookies.set("sessionid", old_session)
        stale.http.cookies.set("csrftoken", csrf)
        response = await stale.post(DASHBOARD)
        seen["stale"] = (response.json(), response.headers.get("x-lupi-cache"))
        return seen

    seen = run(scenario())
    assert seen["hit"]
    after_hide, after_hide_hit = seen["after_hide"]
    assert not after_hide_hit
    assert seen["hidden"] not in [r["item"]["id"] for r in recs(after_hide)["items"]]
    assert after_hide["data"]["dashboard"]["recentActivity"][0]["kind"] == "HIDE"
    assert seen["hit_again"]
    assert not seen["after_promotion_hit"] and seen["before_logout_hit"]
    body, header = seen["stale"]
    assert header is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_a_deleted_account_gets_no_replay(served) -> None:
    def delete_creator() -> None:
        try:
            served["creator"].delete()
        finally:
            connection.close()  # this worker thread's own connection

    async def scenario() -> tuple[bool, dict, str | None]:
        client = BrowserClient()
        await client.login("creator")
        await client.dashboard()
        _, hit = await client.dashboard()
        assert await asyncio.to_thread(impressions.flush)  # the replay's rows are written
        await asyncio.to_thread(delete_creator)
        response = await client.post(DASHBOARD)
        return hit, response.json(), response.headers.get("x-lupi-cache")

    hit, body, header = run(scenario())
    assert hit and header is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_only_the_same_viewer_with_its_csrf_proof_gets_a_replay(served) -> None:
    async def scenario() -> dict[str, Any]:
        seen: dict[str, Any] = {}
        demo, creator = BrowserClient(), BrowserClient()
        await demo.login("demo")
        await creator.login("creator")
        await demo.dashboard()
        _, seen["demo_hit"] = await demo.dashboard()
        seen["creator"] = await creator.dashboard()
        no_csrf = await demo.post(DASHBOARD, csrf=False)
        seen["no_csrf"] = (no_csrf.status_code, no_csrf.headers.get("x-lupi-cache"))
        foreign = await demo.post(DASHBOARD, Origin="https://elsewhere.example")
        seen["foreign"] = (foreign.status_code, foreign.headers.get("x-lupi-cache"))
        hits = []
        for _ in range(2):
            response = await demo.post("mutation { updatePreferences(fontSize: 17) { fontSize } }")
            hits.append(response.headers.get("x-lupi-cache"))
        seen["mutation_hits"] = hits
        return seen

    seen = run(scenario())
    assert seen["demo_hit"]
    creator_result, creator_hit = seen["creator"]
    assert not creator_hit
    assert creator_result["data"]["dashboard"]["me"]["username"] == "creator"
    assert seen["no_csrf"] == (403, None)
    assert seen["foreign"] == (403, None)
    assert seen["mutation_hits"] == [None, None]


def test_a_replay_skips_execution_and_follows_aliases(served, monkeypatch) -> None:
    """The kept result answers without running a resolver; an aliased request id and a
    root-level list get their fresh id and ``cached`` by the path the resolver recorded."""
    from backend.recommendations import serving

    aliased = """{ top: recommendations(first: 3) { rid: requestId cached method }
      dashboard { recommendations(first: 2) { cached items { item { id } } } } }"""

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a replay ran the recommender")

    async def scenario() -> tuple[dict, dict, bool, bool]:
        client = BrowserClient()
        await client.login("demo")
        first = await client.post(aliased)
        monkeypatch.setattr(serving, "recommend_for_user", refuse)
        second = await client.post(aliased)
        other_session = BrowserClient()
        await other_session.login("demo")
        third = await other_session.post(aliased)
        hit = second.headers.get("x-lupi-cache") == "hit"
        return first.json(), second.json(), hit, third.headers.get("x-lupi-cache") == "hit"

    logged_before = Impression.objects.count()
    first, second, hit, other_session_hit = run(scenario())
    assert hit and other_session_hit  # kept per viewer, whichever session asks
    top, again = first["data"]["top"], second["data"]["top"]
    assert top["cached"] is False and again["cached"] is True
    assert again["rid"] != top["rid"] and len(again["rid"]) == 32
    nested = second["data"]["dashboard"]["recommendations"]
    assert nested["cached"] is True
    assert nested["items"] == first["data"]["dashboard"]["recommendations"]["items"]
    assert impressions.flush()
    assert Impression.objects.filter(request_id=again["rid"]).count() == 3
    # Both lists of each of the three answers are logged, 3 + 2 items each.
    assert Impression.objects.count() - logged_before == 15


def test_a_document_that_is_never_kept_does_not_look_for_a_kept_result(served, monkeypatch):
    """A catalogue page or a mutation is decided from the document alone: no session read,
    thread hop or cache round trip for a result that could not be there."""
    from schema import views

    def refuse(*_args: Any) -> None:
        raise AssertionError("looked up a document that is never kept")

    monkeypatch.setattr(views, "look_up", refuse)

    async def scenario() -> list[dict]:
        client = BrowserClient()
        await client.login("demo")
        catalogue = await client.post("{ items(first: 2) { edges { cursor } } }")
        mutation = await client.post(
            "mutation { updatePreferences(fontSize: 15) { preferences { fontSize } } }"
        )
        return [catalogue.json(), mutation.json()]

    catalogue, mutation = run(scenario())
    assert len(catalogue["data"]["items"]["edges"]) == 2
    assert mutation["data"]["updatePreferences"]["preferences"]["fontSize"] == 15


def test_without_a_ttl_nothing_is_replayed(served, settings) -> None:
    settings.RECOMMENDATION_CACHE_TTL = 0

    async def scenario() -> list[bool]:
        client = BrowserClient()
        await client.login("demo")
        return [(await client.dashboard())[1] for _ in range(3)]

    assert run(scenario()) == [False, False, False]


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (DASHBOARD, True),
        ("{ recommendations(first: 3) { cached items { score } } }", True),
        ("query A { dashboard { me { username } } } query B { me { username } }", False),
        ("{ dashboard { me { username } } items(first: 2) { edges { cursor } } }", False),
        ("mutation { logout }", False),
        ("{ dashboard { me { cached: username } } }", False),
        ("{ recommendations { isCached: cached } }", False),
        ("{ dashboard @include(if: true) { me { username } } }", False),
        ("{ ...F } fragment F on Query { dashboard { me { username } } }", False),
        ("{ dashboard { ", False),
    ],
)
def test_which_documents_may_be_replayed(document: str, expected: bool) -> None:
    assert cacheable(document) is expected


def test_a_named_operation_is_judged_by_itself() -> None:
    document = "query A { dashboard { me { username } } } query B { me { username } }"
    assert cacheable(document, "A") is True
    assert cacheable(document, "B") is False


def test_with_the_cache_down_requests_are_answered_uncached(db, settings) -> None:
    make_user("reader")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    async def scenario() -> list[tuple[int, str | None, str]]:
        client = BrowserClient()
        response = await client.post(LOGIN, {"u": "reader", "p": PASSWORD})
        assert response.json()["data"]["login"]["username"] == "reader"
        answers = []
        for _ in range(2):
            response = await client.post("{ dashboard { me { username } } }")
            answers.append(
                (
                    response.status_code,
                    response.headers.get("x-lupi-cache"),
                    response.json()["data"]["dashboard"]["me"]["username"],
                )
            )
        return answers

    try:
        assert run(scenario()) == [(200, None, "reader"), (200, None, "reader")]
    finally:
        # The outage back-off is process-wide; later tests must find the cache usable.
        sessions._unavailable_until = 0.0


CLICK_FROM = """mutation($id: ID!, $rid: String!) {
  recordInteraction(input: {itemId: $id, kind: CLICK, requestId: $rid}) { requestId position } }"""


def test_feedback_on_a_replayed_list_at_once_is_credited_to_it(served, settings) -> None:
    # The replay's impressions wait in the background writer far longer than the click
    # takes to come: the mutation finds them by writing the queue first.
    settings.RECOMMENDATION_IMPRESSIONS_LINGER_S = 30.0

    async def scenario() -> tuple[dict, dict]:
        client = BrowserClient()
        await client.login("demo")
        await client.dashboard()
        replayed, hit = await client.dashboard()
        assert hit
        second = recs(replayed)["items"][1]["item"]["id"]
        variables = {"id": second, "rid": recs(replayed)["requestId"]}
        return replayed, (await client.post(CLICK_FROM, variables)).json()

    replayed, clicked = run(scenario())
    assert clicked["data"]["recordInteraction"] == {
        "requestId": recs(replayed)["requestId"],
        "position": 1,
    }


def test_an_experiment_change_ends_the_replay_and_a_replay_keeps_the_variant(served) -> None:
    from backend.experiments import services as experiments
    from backend.experiments.assignment import pick
    from backend.experiments.services import VariantSpec

    async def dashboards(client: BrowserClient, count: int) -> list[tuple[dict, bool]]:
        return [await client.dashboard() for _ in range(count)]

    async def scenario() -> tuple[list, list]:
        client = BrowserClient()
        await client.login("demo")
        before = await dashboards(client, 2)
        view = await asyncio.to_thread(
            experiments.create_experiment,
            "everyone-plain",
            [
                VariantSpec("control", 0.5, {}, is_control=True),
                VariantSpec("plain", 0.5, {"knobs": {"diversity": 0.0}}),
            ],
            salt="replay-test",
        )
        await asyncio.to_thread(experiments.start_experiment, view.experiment_id)
        return before, await dashboards(client, 2)

    before, after = run(scenario())
    assert [hit for _, hit in before] == [False, True]
    # Started since: computed again under the variant, then replayed with it.
    assert [hit for _, hit in after] == [False, True]
    assert impressions.flush()
    variants = [
        set(Impression.objects.filter(request_id=recs(r)["requestId"]).values_list("variant"))
        for r, _ in after
    ]
    arm = pick("replay-test", served["demo"].pk, [(0.5, "control"), (0.5, "plain")])
    assert variants == [{(f"everyone-plain:{arm}",)}] * 2


def test_a_replayed_list_keeps_the_source_of_each_item(served, settings) -> None:
    settings.RECOMMENDATION_BANDIT = True

    async def scenario() -> list[tuple[dict, bool]]:
        client = BrowserClient()
        await client.login("demo")
        return [await client.dashboard() for _ in range(2)]

    (first, first_hit), (again, again_hit) = run(scenario())
    assert (first_hit, again_hit) == (False, True)
    assert impressions.flush()

    def sources(result: dict) -> list[str]:
        shown = Impression.objects.filter(request_id=recs(result)["requestId"])
        return list(shown.order_by("position").values_list("source", flat=True))

    assert any(sources(first)), "the bandit's list records where each item came from"
    # The bandit's arms count outcomes by source: a replay must not lose them.
    assert sources(again) == sources(first)

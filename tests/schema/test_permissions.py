"""Who may resolve which root field is declared with permission classes, and each one
refuses the wrong viewer with the field's GraphQL name."""

from __future__ import annotations

import pytest
from strawberry.permission import PermissionExtension

from schema import schema

EXPERIMENT_QUERIES = {"experiments", "experiment", "experiment_results", "simulation_report"}
EXPERIMENT_MUTATIONS = {
    "create_experiment",
    "start_experiment",
    "pause_experiment",
    "stop_experiment",
    "ship_experiment",
}
SIGNED_IN = {
    "Query": {
        "training_runs",
        "model_versions",
        "active_model",
        "embedding_atlas",
        "retraining_schedule",
        "cache_stats",
        "bandit_state",
        "dashboard",
        *EXPERIMENT_QUERIES,
    },
    "Mutation": {
        "update_preferences",
        "set_interests",
        "record_interaction",
        "record_interactions",
        "mark_not_interested",
        *EXPERIMENT_MUTATIONS,
    },
}
# Fields a service of the platform reaches with an API key, and the permission that says
# which scope (tests/schema/test_api_keys.py checks each one refuses the other scopes).
BY_KEY = {
    "Query": {
        "recommendations": "SignedInOrKeyWithRecommend",
        "creator_insights": "SignedInOrKeyWithReadInsights",
    },
    "Mutation": {
        "ingest_events": "KeyWithIngest",
        "upsert_items": "KeyWithIngest",
        "upsert_users": "KeyWithIngest",
    },
}
STAFF = {
    "Query": {"cache_stats", "bandit_state", *EXPERIMENT_QUERIES},
    "Mutation": EXPERIMENT_MUTATIONS,
}


def _declared(type_name: str) -> dict[str, list[str]]:
    fields = schema.get_type_by_name(type_name).fields
    return {
        f.python_name: [
            p.__class__.__name__
            for e in f.extensions
            if isinstance(e, PermissionExtension)
            for p in e.permissions
        ]
        for f in fields
    }


@pytest.mark.parametrize("type_name", ["Query", "Mutation"])
def test_the_fields_that_need_a_viewer_declare_it(type_name: str) -> None:
    declared = _declared(type_name)
    assert {name for name, perms in declared.items() if "SignedIn" in perms} == SIGNED_IN[type_name]
    assert {name for name, perms in declared.items() if "Staff" in perms} == STAFF[type_name]
    keyed = {name: perms for name, perms in declared.items() if any("Key" in p for p in perms)}
    assert keyed == {name: [perm] for name, perm in BY_KEY[type_name].items()}
    # the staff check reads the viewer the sign-in check has vouched for
    for name in STAFF[type_name]:
        assert declared[name] == ["SignedIn", "Staff"]


def test_anonymous_and_non_staff_viewers_are_refused_by_name(client, django_user_model) -> None:
    def ask(query: str) -> dict:
        return client.post("/graphql/", {"query": query}, content_type="application/json").json()

    anonymous = ask("{ cacheStats { hits } activeModel { version } }")
    codes = {e["extensions"]["field"]: e["extensions"]["code"] for e in anonymous["errors"]}
    assert codes == {"cacheStats": "UNAUTHENTICATED", "activeModel": "UNAUTHENTICATED"}
    client.force_login(django_user_model.objects.create_user("reader", password="pw-12345678"))
    reader = ask("{ cacheStats { hits } activeModel { version } }")
    assert [e["extensions"] for e in reader["errors"]] == [
        {"code": "FORBIDDEN", "field": "cacheStats"}
    ]
    assert "errors" not in ask("{ activeModel { version } }")  # a reader may read this one

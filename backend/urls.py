"""URLs: the GraphQL API, the admin, and the SPA at the root."""

from django.conf import settings
from django.contrib import admin
from django.urls import path, re_path
from django.views.decorators.csrf import ensure_csrf_cookie

from backend.content.covers import item_cover
from backend.health import healthz, readyz
from backend.metrics import metrics_view
from backend.spa import spa_index
from schema import schema
from schema.views import LupiGraphQLView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    # GET sets the CSRF cookie so GraphiQL and the SPA can send mutations.
    path(
        "graphql/",
        ensure_csrf_cookie(
            LupiGraphQLView.as_view(
                schema=schema, graphql_ide="graphiql" if settings.GRAPHIQL_ENABLED else None
            )
        ),
        name="graphql",
    ),
    path("covers/<int:item_id>.svg", item_cover, name="item-cover"),
    re_path(r"^(?!static/|admin/|graphql/|covers/).*$", ensure_csrf_cookie(spa_index), name="spa"),
]

# A request Django itself refuses (before any view) still gets a JSON answer on the API.
handler400 = "schema.http.bad_request"

"""Settings for the serving benchmark: Lupi's own plus the plain-Django comparison views.
Never used in production."""

from backend.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
RECOMMENDATION_IMPRESSIONS_ASYNC = True
# One account drives the load: per-viewer field rates would measure the throttle.
GRAPHQL_FIELD_RATES = ""

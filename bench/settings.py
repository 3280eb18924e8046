"""Settings for the serving benchmark: Lupi's own, plus the query-count header and the
plain-Django comparison views. Never used in production."""

from backend.settings import *  # noqa: F403
from backend.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.querycount.QueryCountMiddleware", *MIDDLEWARE]
DEBUG = False
RECOMMENDATION_IMPRESSIONS_ASYNC = True

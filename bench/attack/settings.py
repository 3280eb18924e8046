"""The attack suite's settings: ``backend.production``, or with ``DEBUG=1`` the debug
settings (``backend.settings``), with one change.

Passwords are hashed with a cheap hasher. A sign-in with Django's default costs a full
PBKDF2 hash, about a second on a small machine, and the suite signs in and guesses
passwords a few dozen times; what it attacks (sessions, lock-outs, limits) does not
depend on the hash. Every limit and throttle keeps its value. Never used to serve anyone.
"""

import os

if os.environ.get("DEBUG") == "1":
    from backend.settings import *  # noqa: F403
else:
    from backend.production import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

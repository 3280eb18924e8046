"""The attack suite: hostile input against real Lupi servers on loopback, and what each
ended in.

``python -m bench.attack [--database-url postgres://…/db] [--redis-url redis://…/n]``
creates a database of its own (a SQLite file, or a PostgreSQL database beside the given
one, dropped afterwards) with the accounts it needs, starts uvicorn with production
settings (``backend.production``: two workers on one database and cache) and with debug
settings, and tries:

* **requests** (:mod:`bench.attack.hostile`), on both: malformed bodies, fragment bombs,
  cost and alias abuse, bad cursors and ids, NUL and lone surrogates; and an unrelated
  request sent while a fragment bomb is answered;
* **sessions** (:mod:`bench.attack.sessions`), on production: logouts on another worker,
  replayed, planted, rotated and forged sessions, password changes, deactivations and
  deletions made by another process (with Redis: also by one that cannot reach it);
* **throttles** (:mod:`bench.attack.throttles`), on production: password guessing per
  account and per address, an expensive field past its rate;
* **writes** (:mod:`bench.attack.writes`), on production: sixteen sessions of one account
  sending ``setInterests`` or ``updatePreferences`` at once, across both workers;
* **commands** (:mod:`bench.attack.commands`): ``import_dataset``, ``train_gnn``,
  ``seed_demo`` and ``gnn_rollback`` with bad input, on the same database.

It prints, per settings and group: hostile inputs tried, rejected cleanly, server errors,
leaks, accepted (see :mod:`bench.attack.verdicts`), then every case that was not
rejected, and the outcomes as JSON on the last line; exit status 1 when any case was not
rejected. Only loopback addresses are used, and every request has a time limit.
``tests/security/test_attack.py`` runs it in the test suite, on both back ends.
"""

#!/usr/bin/env bash
# Serves Lupi for the browser tests: a fresh SQLite database in a temporary folder, a
# small seeded platform (with the staff account `admin`), a quickly trained model, the traffic
# simulator's scenarios run briefly, then uvicorn in the foreground.
#
#   PORT=8765 bash e2e/serve.sh
#
# PYTHON (default: the repository's .venv, else python3) runs manage.py. The SPA must be
# built first (npm run build): Django serves frontend/dist at / and /static/.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${PORT:-8765}"
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$root/.venv/bin/python" ]; then PYTHON="$root/.venv/bin/python"; else PYTHON=python3; fi
fi

if [ ! -f "$root/frontend/dist/index.html" ]; then
  echo "serve.sh: frontend/dist is missing; run 'npm run build' first" >&2
  exit 1
fi

var_dir="$(mktemp -d "${TMPDIR:-/tmp}/lupi-e2e.XXXXXX")"
server=""
stop() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$var_dir"
}
trap stop EXIT
trap 'exit 143' INT TERM

export LUPI_VAR_DIR="$var_dir"
export LUPI_ARTIFACT_DIR="$var_dir/models"
export DEBUG=1
export LOG_LEVEL="${LOG_LEVEL:-WARNING}"
# whitenoise serves files through sync iterators under ASGI, and Django warns on each one.
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore:StreamingHttpResponse must consume synchronous iterators}"

unset DATABASE_URL REDIS_URL SQLITE_PATH

cd "$root"
log="$var_dir/prepare.log"
# Chained with &&: errexit does not apply inside a function called from `if`.
prepare() {
  "$PYTHON" manage.py migrate --no-input -v0 &&
  "$PYTHON" manage.py seed_demo --users "${E2E_USERS:-150}" --items "${E2E_ITEMS:-400}" \
    --seed "${E2E_SEED:-5}" --admin &&
  "$PYTHON" manage.py train_gnn --no-progress &&
  simulate
}
# The simulator's scenarios, briefly, for the Experiments page: run on a copy of the
# database, so that its readers' simulated visits leave the served platform as seeded; its
# figures land in LUPI_SIMULATION_RESULTS (in $var_dir), which the server reads.
simulate() {
  "$PYTHON" -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))' \
    "$var_dir/lupi.sqlite3" "$var_dir/simulated.sqlite3" &&
  SQLITE_PATH="$var_dir/simulated.sqlite3" "$PYTHON" manage.py simulate_traffic --no-progress \
    --scenario ab --scenario aa --scenario bandit --scenario fatigue --users 40 --rounds 2 \
    --aa-runs 3 --aa-users 20 --debuts 3 --fatigue-users 20 --fatigue-rounds 2 >/dev/null
}
if ! prepare >"$log" 2>&1; then
  cat "$log" >&2
  echo "serve.sh: preparing the database failed" >&2
  exit 1
fi

echo "serve.sh: Lupi on http://127.0.0.1:$port/ (data in $var_dir)"
# Not exec: the trap stops the server and removes the temporary folder.
"$PYTHON" -m uvicorn backend.asgi:application --host 127.0.0.1 --port "$port" --log-level warning &
server=$!
wait "$server"

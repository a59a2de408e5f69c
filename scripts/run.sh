#!/usr/bin/env bash
# Run Jimaku locally: migrate, create the admin account once (password printed once), load the
# sample episode, then the web server on 127.0.0.1:8000 and the background worker together.
# Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY manage.py migrate --noinput
$PY manage.py setup_local
$PY manage.py resume_jobs --all
HOST="${JIMAKU_HOST:-127.0.0.1}"
PORT="${JIMAKU_PORT:-8000}"

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Jimaku stopped."
}
trap cleanup INT TERM EXIT

# The worker for the configured task backend (database queue by default, or RQ).
backend="$($PY manage.py shell -v0 -c 'from django.conf import settings; print(settings.TASK_BACKEND)')"
case "$backend" in
  django_tasks_rq.*) $PY manage.py rqworker default & ;;
  *) $PY manage.py db_worker --no-reload & ;;
esac
pids+=($!)
$PY manage.py runserver "$HOST:$PORT" &
pids+=($!)
echo "Jimaku is running on http://$HOST:$PORT/ (worker pid ${pids[0]}). Ctrl+C stops both."
wait -n "${pids[@]}"

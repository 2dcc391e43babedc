#!/usr/bin/env bash
# Superset for creditwh as a plain process (`./dev bi` runs this; the compose service too):
# set up its metadata database, import the dashboards kept as code (bi/superset/assets/), then serve them.
#   SUPERSET_BIND      address:port to listen on (default 127.0.0.1:8088)
#   SUPERSET_WORKERS   gunicorn worker processes (default 2)
# Settings and secrets: bi/superset/superset_config.py and bi/superset/manage.py say which, all from the
# environment (SUPERSET_ENV=production makes the missing ones fail the start).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export SUPERSET_CONFIG_PATH="${SUPERSET_CONFIG_PATH:-$here/superset_config.py}"
"$here/.venv/bin/python" "$here/manage.py" setup
exec "$here/.venv/bin/gunicorn" --workers "${SUPERSET_WORKERS:-2}" --threads 8 --timeout 120 \
  --bind "${SUPERSET_BIND:-127.0.0.1:8088}" --access-logfile - "superset.app:create_app()"

#!/usr/bin/env bash
# One-shot init (compose service airflow-init): migrate the metadata DB, create the data directory
# layout, and (re)create the card platform connection when its URI is given. Safe to run again.
set -euo pipefail

airflow db migrate
# Every task that opens the DuckDB warehouse takes this pool's one slot (creditwh.pipeline.policy).
airflow pools set creditwh_warehouse 1 "DuckDB warehouse: one writer at a time"

mkdir -p "${CREDITWH_DATA_DIR:?}/landing" "${CREDITWH_DATA_DIR}/outbox"

# Connections from the environment: CARD_PLATFORM_CONN_URI (PostgreSQL source of the daily snapshots).
# Delete + add keeps a rotated password in sync with .env.
if [[ -n "${CARD_PLATFORM_CONN_URI:-}" ]]; then
    airflow connections delete card_platform >/dev/null 2>&1 || true
    airflow connections add card_platform --conn-uri "${CARD_PLATFORM_CONN_URI}"
fi

for var in CREDITWH_BLACKLIST_KEY AIRFLOW__CORE__FERNET_KEY AIRFLOW__API_AUTH__JWT_SECRET; do
    if [[ -z "${!var:-}" ]]; then
        echo "airflow-init: ${var} is empty; set it in .env (see .env.example)" >&2
        exit 1
    fi
done
echo "airflow-init: done"

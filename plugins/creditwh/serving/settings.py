"""Where the serving database is and how the pipeline logs in, from the environment or an Airflow connection.

A production deployment must serve the marts: with nothing configured the daily task fails and names the
settings. The embedded demo and the tests have no serving server to assume, so they say so explicitly with
CREDITWH_SERVING=off, and the task is then skipped with that reason in its log (a skipped task, visible in
Airflow, never a silent success).

Settings (no password has a default):
    CREDITWH_SERVING_HOST, CREDITWH_SERVING_PORT (5432), CREDITWH_SERVING_DATABASE (creditwh_serving)
    CREDITWH_SERVING_WRITER_USER (creditwh_writer), CREDITWH_SERVING_WRITER_PASSWORD   -- the pipeline
    or instead of these five, the Airflow connection `creditwh_serving` (host, port, schema = database,
    login, password)
    CREDITWH_SERVING_BI_READER_PASSWORD, CREDITWH_SERVING_COLLECTIONS_PASSWORD  -- set by `serving init`
    CREDITWH_SERVING_ADMIN_USER, CREDITWH_SERVING_ADMIN_PASSWORD  -- `serving init` only: a role allowed to
    create databases and roles (never used by the daily run)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from creditwh.errors import PipelineError

SERVING_ENV = "CREDITWH_SERVING"
CONN_ID = "creditwh_serving"
DEFAULT_DATABASE = "creditwh_serving"

BI_SCHEMA = "bi"
COLLECTIONS_SCHEMA = "collections"
META_SCHEMA = "serving"  # the publication log; the writer's own

WRITER_ROLE = "creditwh_writer"
BI_READER_ROLE = "creditwh_bi_reader"
COLLECTIONS_ROLE = "creditwh_collections"


class ServingNotConfigured(PipelineError):
    """No serving database configured: production must serve the marts (retrying will not help)."""


class ServingDisabled(PipelineError):
    """CREDITWH_SERVING=off: this deployment (the demo, the tests) runs without a serving database."""


@dataclass(frozen=True)
class ServingSettings:
    host: str
    port: int = 5432
    database: str = DEFAULT_DATABASE
    user: str = WRITER_ROLE
    secret: str | None = None  # the login's password

    def conninfo(
        self, user: str | None = None, secret: str | None = None, database: str | None = None
    ) -> str:
        """A libpq connection string (psycopg's make_conninfo quotes every value)."""
        from psycopg.conninfo import make_conninfo

        params = {"host": self.host, "port": self.port, "dbname": database or self.database, "user": user or self.user,
                  "application_name": "creditwh", "connect_timeout": 10}  # fmt: skip
        secret = secret if user else self.secret
        if secret:
            params["password"] = secret
        return make_conninfo(**params)

    def describe(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"  # never the password


def serving_settings(conn_id: str = CONN_ID) -> ServingSettings:
    """The serving database of this deployment; ServingDisabled or ServingNotConfigured when there is none."""
    switch = os.environ.get(SERVING_ENV, "").strip().lower()
    if switch == "off":
        raise ServingDisabled(
            f"serving database not used: {SERVING_ENV}=off (the embedded demo and the tests set it; a production "
            "deployment sets CREDITWH_SERVING_HOST and the writer's password instead)"
        )
    if switch not in ("", "on"):
        raise ServingNotConfigured(f"{SERVING_ENV}={switch!r}: expected 'off' (no serving database) or unset")
    host = os.environ.get("CREDITWH_SERVING_HOST", "")
    if host:
        return ServingSettings(
            host=host,
            port=int(os.environ.get("CREDITWH_SERVING_PORT", "5432")),
            database=os.environ.get("CREDITWH_SERVING_DATABASE", DEFAULT_DATABASE),
            user=os.environ.get("CREDITWH_SERVING_WRITER_USER", WRITER_ROLE),
            secret=os.environ.get("CREDITWH_SERVING_WRITER_PASSWORD") or None,
        )
    conn = _airflow_connection(conn_id)
    if conn is not None and conn.host:
        return ServingSettings(host=conn.host, port=conn.port or 5432, database=conn.schema or DEFAULT_DATABASE,
                               user=conn.login or WRITER_ROLE, secret=conn.password or None)  # fmt: skip
    raise ServingNotConfigured(
        "serving database not configured: set CREDITWH_SERVING_HOST (and CREDITWH_SERVING_WRITER_PASSWORD; "
        f"optionally _PORT, _DATABASE, _WRITER_USER) or the Airflow connection '{conn_id}'; a deployment without "
        f"BI serving sets {SERVING_ENV}=off (docs/serving.md)"
    )


def role_password(role_env: str) -> str | None:
    """A login role's password for `serving init` (CREDITWH_SERVING_<ROLE>_PASSWORD), or None."""
    return os.environ.get(f"CREDITWH_SERVING_{role_env}_PASSWORD") or None


def _airflow_connection(conn_id: str):
    try:
        from airflow.sdk import Connection

        return Connection.get(conn_id)
    except Exception:  # noqa: BLE001 - not in a task, no such connection, no Airflow: not configured
        return None

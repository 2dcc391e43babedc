"""Superset settings for creditwh (SUPERSET_CONFIG_PATH points here; Superset imports it over its defaults).

Everything secret or site-specific comes from the environment:
  SUPERSET_SECRET_KEY        signs sessions and encrypts the stored connection passwords. Required when
                             SUPERSET_ENV=production (startup fails without it). Elsewhere, a key generated once
                             per install is kept in <data dir>/superset/secret_key (mode 0600) and reused.
  SUPERSET_METADATA_URI      Superset's own metadata database (users, dashboards, charts). Default: SQLite
                             under <data dir>/superset/ for the plain-process start; PostgreSQL in compose.
  CREDITWH_DATA_DIR          the project's data directory (default: <repo>/var), as for the pipeline.
The serving database Superset reads (as the BI reader role) is not set here: it is a Superset "database"
imported with the dashboards (bi/superset/assets.py, from CREDITWH_SERVING_BI_URI).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]
_DATA_DIR = Path(os.environ.get("CREDITWH_DATA_DIR") or _REPO_ROOT / "var") / "superset"
_PRODUCTION = os.environ.get("SUPERSET_ENV") == "production"


class MissingSupersetSetting(RuntimeError):
    """A setting production must provide is not set."""


def _secret_key() -> str:
    key = os.environ.get("SUPERSET_SECRET_KEY", "").strip()
    if key:
        return key
    if _PRODUCTION:
        raise MissingSupersetSetting(
            "SUPERSET_SECRET_KEY is not set: production Superset needs its own secret key "
            "(generate one with `openssl rand -base64 42` and keep it: it encrypts stored connection passwords)"
        )
    # Local start: one key per install, created once and kept beside the metadata database it protects.
    path = _DATA_DIR / "secret_key"
    if not path.exists():
        _DATA_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(42))
    return path.read_text().strip()


def _metadata_uri() -> str:
    uri = os.environ.get("SUPERSET_METADATA_URI", "").strip()
    if uri:
        return uri
    if _PRODUCTION:
        raise MissingSupersetSetting(
            "SUPERSET_METADATA_URI is not set: production Superset keeps its metadata in PostgreSQL"
        )
    _DATA_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{_DATA_DIR / 'superset.db'}"


SECRET_KEY = _secret_key()
SQLALCHEMY_DATABASE_URI = _metadata_uri()

# Dashboards are imported as code (bi/superset/assets/); no example data, no thumbnails or alerts workers.
# The BI marts are read-only for Superset: SQL Lab may only SELECT (the database role enforces it too).
PREVENT_UNSAFE_DB_CONNECTIONS = True
# Rate limits keep their in-memory store (one process); Superset enables them when SUPERSET_ENV=production.
RATELIMIT_STORAGE_URI = "memory://"
# Cached chart results would hide a new business date until expiry: the marts change once a day, and a
# query on the serving database is cheap, so results are not cached by default.
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}

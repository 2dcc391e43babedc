"""A serving database of its own for a test, on this machine's PostgreSQL (trust auth, admin `postgres`)."""

from __future__ import annotations

import contextlib
import os
import uuid

import psycopg
import pytest
from creditwh.serving.roles import init_serving
from creditwh.serving.settings import ServingSettings

ADMIN = "postgres"
HOST = "127.0.0.1"


def connect(database: str, user: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(host=HOST, port=5432, dbname=database, user=user, connect_timeout=10, **kwargs)


def use_serving(mp: pytest.MonkeyPatch, target: ServingSettings) -> None:
    """Point the CREDITWH_SERVING_* settings at the test's serving database (undone with `mp`)."""
    mp.delenv("CREDITWH_SERVING", raising=False)
    settings = {
        "HOST": target.host,
        "PORT": str(target.port),
        "DATABASE": target.database,
        "ADMIN_USER": ADMIN,
    }
    for key, value in settings.items():
        mp.setenv(f"CREDITWH_SERVING_{key}", value)


@contextlib.contextmanager
def serving_database():
    """Create and initialise `creditwh_serving_test_<pid>_<n>` (roles, schemas, grants) with `serving init`'s
    code, and drop it afterwards."""
    name = f"creditwh_serving_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    target = ServingSettings(host=HOST, database=name)
    try:
        init_serving(target, ADMIN)
        yield target
    finally:
        with connect("postgres", ADMIN, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')

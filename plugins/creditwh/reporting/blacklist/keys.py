"""The subject key: HMAC-SHA256(platform key, normalized id_type || ':' || id_number), computed in DuckDB.

An unkeyed hash of an 18-digit Chinese resident id is reversed by enumerating its small structured space
(credit-domain.md §6), so the key is a deployment secret: environment variable CREDITWH_BLACKLIST_KEY, or
the password of the Airflow connection `blacklist_hmac`. There is deliberately no default.

DuckDB has sha256 but no hmac, so HMAC (RFC 2104) is spelled out in SQL: sha256(K^opad || sha256(K^ipad || m))
with the two padded keys bound as BLOB parameters (never inlined in the SQL text, which may be logged).
"""

from __future__ import annotations

import hashlib
import os

from creditwh.errors import PipelineError

KEY_ENV = "CREDITWH_BLACKLIST_KEY"
KEY_CONN_ID = "blacklist_hmac"
_BLOCK = 64  # SHA-256 block size in bytes


class BlacklistKeyMissing(PipelineError):
    """No HMAC key configured: the blacklist cannot be published without it (retrying will not help)."""


def load_key(conn_id: str = KEY_CONN_ID) -> bytes:
    """The platform key from $CREDITWH_BLACKLIST_KEY, else from the Airflow connection's password."""
    value = os.environ.get(KEY_ENV, "")
    if not value:
        value = _key_from_airflow(conn_id)
    if not value:
        raise BlacklistKeyMissing(
            f"blacklist HMAC key missing: set the environment variable {KEY_ENV} or the password of the "
            f"Airflow connection '{conn_id}' (the key is a deployment secret; there is no default)"
        )
    return value.encode()


def _key_from_airflow(conn_id: str) -> str:
    try:
        from airflow.sdk import Connection

        return Connection.get(conn_id).password or ""
    except Exception:  # noqa: BLE001 - not in a task, no such connection, no Airflow: treated as missing
        return ""


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """(K ^ ipad, K ^ opad) for HMAC-SHA256."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_sha256_sql(message_sql: str, ipad_param: str = "$ipad", opad_param: str = "$opad") -> str:
    """SQL giving the hex HMAC-SHA256 of the VARCHAR expression `message_sql` (UTF-8); the pads are bound
    as named BLOB parameters (see `hmac_pads`)."""
    inner = f"unhex(sha256(CAST({ipad_param} AS BLOB) || encode({message_sql})))"
    return f"sha256(CAST({opad_param} AS BLOB) || {inner})"

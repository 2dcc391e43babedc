"""The subject key: HMAC-SHA256(platform key, the person's identity_key id_type:id_number), computed in DuckDB.

An unkeyed hash of an 18-digit Chinese resident id is reversed by enumerating its small structured space
(docs/domain.md §6), so the key is a deployment secret: environment variable CREDITWH_BLACKLIST_KEY, or
the password of the Airflow connection `blacklist_hmac`. There is deliberately no default, and a short or
low-entropy key is refused (a guessable key is as reversible as no key).

Each publication records the key's id (`key_id`: 16 hex of HMAC(key, "creditwh key id"), never the key), so
a changed key is noticed instead of silently re-keying the whole blacklist (see rotation.py).

DuckDB has sha256 but no hmac, so HMAC (RFC 2104) is spelled out in SQL: sha256(K^opad || sha256(K^ipad || m))
with the two padded keys bound as BLOB parameters (never inlined in the SQL text, which may be logged).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
from collections import Counter

from creditwh.errors import PipelineError

KEY_ENV = "CREDITWH_BLACKLIST_KEY"
KEY_CONN_ID = "blacklist_hmac"
_BLOCK = 64  # SHA-256 block size in bytes
MIN_KEY_BYTES = 32
MIN_KEY_BITS = 128  # estimated from the key's own character frequencies
KEY_GENERATE_HINT = "generate one with: openssl rand -hex 32"


class BlacklistKeyMissing(PipelineError):
    """No HMAC key configured: the blacklist cannot be published without it (retrying will not help)."""


class BlacklistKeyWeak(PipelineError):
    """The configured HMAC key is too short or too repetitive to protect the subject keys."""


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
    key = value.encode()
    check_key_strength(key, source=KEY_ENV if os.environ.get(KEY_ENV) else f"Airflow connection '{conn_id}'")
    return key


def check_key_strength(key: bytes, source: str = KEY_ENV) -> None:
    """Refuse keys under 32 bytes or under ~128 bits by their character frequencies (e.g. 'aaaa…', 'change-me')."""
    counts = Counter(key)
    bits = sum(n * math.log2(len(key) / n) for n in counts.values())
    if len(key) < MIN_KEY_BYTES or bits < MIN_KEY_BITS:
        raise BlacklistKeyWeak(
            f"blacklist HMAC key from {source} is too weak: {len(key)} bytes, ~{bits:.0f} bits by its character "
            f"frequencies (rule: at least {MIN_KEY_BYTES} bytes and {MIN_KEY_BITS} bits; {KEY_GENERATE_HINT})"
        )


def key_id(key: bytes) -> str:
    """Identifies a key without revealing it: recorded with each publication and its manifests."""
    return hmac.new(key, b"creditwh key id", hashlib.sha256).hexdigest()[:16]


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


def subject_identity_sql(pii: str, person_id: str) -> str:
    """The identity a subject key is made of, from columns dbt normalized (int_customers_cleaned) and carried
    into `pii` (a restricted.dim_customer_pii alias): the person's identity_key (a valid id number), else
    'PERSON:' || person_id. The same rule as the person merge: only a valid id number identifies a person.
    An invalid number is no identity: two persons holding the same one would share one subject key, and
    the day's delta flipped between them (seen at 1M accounts: a non-qualifying person's amount and dispute
    flag published under a listed person's key, and a re-run of the date issuing corrections). Nor is a
    valid number shared by persons of different names or birth dates (has_identity_conflict): it would list
    one person under another's key, and two listings of one key stopped the publication (seen at 10M)."""
    return (
        f"CASE WHEN coalesce({pii}.has_identity_conflict, false) THEN 'PERSON:' || {person_id} "
        f"ELSE coalesce({pii}.identity_key, 'PERSON:' || {person_id}) END"
    )


def hmac_sha256_sql(message_sql: str, ipad_param: str = "$ipad", opad_param: str = "$opad") -> str:
    """SQL giving the hex HMAC-SHA256 of the VARCHAR expression `message_sql` (UTF-8); the pads are bound
    as named BLOB parameters (see `hmac_pads`)."""
    inner = f"unhex(sha256(CAST({ipad_param} AS BLOB) || encode({message_sql})))"
    return f"sha256(CAST({opad_param} AS BLOB) || {inner})"

"""Key changes of the blacklist: noticed, refused unless declared, and published as a re-key.

Every publication records the id of the key it used (reporting.blacklist_publications.key_id, and each
manifest). A run whose key id differs from the last publication's is refused (BlacklistKeyChanged) unless
the operator declares the rotation for that run: CREDITWH_BLACKLIST_KEY_ROTATION=<old key id>. Without this
guard a different key would turn every listed person into a REMOVE (reason PAID, false) plus an ADD under a
new key with a new listing date.

A declared rotation publishes, besides the day's delta and snapshot (under the new keys), a re-key file
mapping each old subject key to its new one (previous_subject_key, subject_key, record_version). The state
keeps both: the old key gets a final REKEY version with status REKEYED (never listed, removed or re-added
again), the new key continues the subject's record versions with its listing unchanged (same listed date,
reasons, suppressed reasons). The new keys are recomputed from each subject's person_id and the person's
current identity (restricted.dim_customer_pii), as a daily run would compute them.

Dates before a rotation cannot be published again with the new key (their baseline is in old keys): such a
re-run is refused with the rotation date named.
"""

from __future__ import annotations

import datetime as dt
import logging

import duckdb

from creditwh.errors import PipelineError
from creditwh.reporting.blacklist.keys import hmac_sha256_sql, subject_identity_sql

log = logging.getLogger(__name__)

ROTATION_ENV = "CREDITWH_BLACKLIST_KEY_ROTATION"
REKEY = "bl_rekey"  # temp table: old -> new subject keys of this publication
REKEY_COLUMNS = ("previous_subject_key", "subject_key", "record_version")
_ROTATE_HOW = (
    f"if the key was changed on purpose, declare the rotation for one run with {ROTATION_ENV}=<old key id> "
    "(docs/operations.md, 'Rotate the blacklist HMAC key'); otherwise restore the previous key"
)


class BlacklistKeyChanged(PipelineError):
    """The configured key is not the key of the published blacklist and no rotation was declared."""


def check_key(
    con: duckdb.DuckDBPyConnection, business_date: dt.date, current: str, rotation_from: str | None,
    publications: str,
) -> str | None:
    """The old key id to re-key from in this run, or None for an ordinary run; raises BlacklistKeyChanged."""
    latest = con.execute(
        f"""SELECT business_date, publication_sequence, key_id FROM {publications}
            ORDER BY business_date DESC, publication_sequence DESC LIMIT 1"""
    ).fetchone()
    if latest is None:
        return None  # the first publication adopts the key
    last_date, last_seq, last_key = latest
    if last_key is None:  # written before key ids were recorded: adopt the current key from now on
        log.warning("blacklist: publications before %s carry no key id; recording %s from now on", business_date, current)
        return None
    if last_key == current:
        rotated_on = _rotation_date(con, current, publications)
        if rotated_on is not None and business_date < rotated_on:
            raise BlacklistKeyChanged(
                f"blacklist {business_date}: published before the key rotation of {rotated_on} (current key id "
                f"{current}); a date before a rotation cannot be re-published with the new key"
            )
        return None
    if rotation_from is None:
        raise BlacklistKeyChanged(
            f"blacklist {business_date}: the configured key has id {current}, but the last publication "
            f"({last_date} #{last_seq}) used key id {last_key}: {_ROTATE_HOW}"
        )
    if rotation_from != last_key:
        raise BlacklistKeyChanged(
            f"blacklist {business_date}: {ROTATION_ENV}={rotation_from} does not name the key of the last "
            f"publication ({last_date} #{last_seq}, key id {last_key})"
        )
    if business_date < last_date:
        raise BlacklistKeyChanged(
            f"blacklist {business_date}: a key rotation is published on or after the latest published date "
            f"({last_date})"
        )
    return last_key


def _rotation_date(con: duckdb.DuckDBPyConnection, current: str, publications: str) -> dt.date | None:
    """The business date of the first publication with key `current` after the last one with another key."""
    other = con.execute(
        f"""SELECT business_date, publication_sequence FROM {publications} WHERE key_id <> $k
            ORDER BY business_date DESC, publication_sequence DESC LIMIT 1""",
        {"k": current},
    ).fetchone()
    if other is None:
        return None
    return con.execute(
        f"""SELECT min(business_date) FROM {publications} WHERE key_id = $k
            AND (business_date > $d OR (business_date = $d AND publication_sequence > $s))""",
        {"k": current, "d": other[0], "s": other[1]},
    ).fetchone()[0]


def rekey_subjects(
    con: duckdb.DuckDBPyConnection, business_date: dt.date, sequence: int, published: str, pads: dict
) -> int:
    """Move every subject of the published state to its key under the new key (state rows of this
    publication, action REKEY) and leave the mapping in temp table bl_rekey; returns the subjects moved."""
    new_key = hmac_sha256_sql(subject_identity_sql("p", "l.person_id"))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {REKEY} AS
        WITH latest AS (
            SELECT * FROM {published}
            QUALIFY row_number() OVER (PARTITION BY subject_key ORDER BY record_version DESC) = 1
        ),
        live AS (
            SELECT l.*, {new_key} AS new_key FROM latest l
            LEFT JOIN restricted.dim_customer_pii p ON p.person_id = l.person_id
            WHERE l.status <> 'REKEYED'
        ),
        versions AS (SELECT subject_key, max(record_version) AS v FROM {published} GROUP BY ALL),
        ranked AS (
            -- two old subjects can meet under one new key (persons merged since): the listed one carries on
            SELECT live.*, greatest(live.record_version, coalesce(versions.v, 0)) + 1 AS new_version,
                   row_number() OVER (PARTITION BY new_key ORDER BY status = 'LISTED' DESC,
                                      live.record_version DESC, live.subject_key) = 1 AS carries
            FROM live LEFT JOIN versions ON versions.subject_key = live.new_key
        )
        SELECT subject_key AS previous_subject_key, record_version + 1 AS retired_version,
               new_key AS subject_key, max(new_version) FILTER (WHERE carries) OVER (PARTITION BY new_key)
                   AS record_version,
               carries, status, person_id, reason_codes, removal_reason, suppressed_reasons, listed_date,
               expiry_date, amount_band, dispute_flag, furnisher_id, display_name, display_id_number,
               display_mobile
        FROM ranked""",
        pads,
    )
    fields = """person_id, reason_codes, removal_reason, suppressed_reasons, listed_date, expiry_date, amount_band,
                dispute_flag, furnisher_id, display_name, display_id_number, display_mobile"""
    con.execute(
        f"""INSERT INTO {published}
            SELECT previous_subject_key, retired_version, $d, $seq, 'REKEY', 'REKEYED', {fields} FROM {REKEY}
            UNION ALL
            SELECT subject_key, record_version, $d, $seq, 'REKEY', status, {fields} FROM {REKEY} WHERE carries""",
        {"d": business_date, "seq": sequence},
    )
    (moved,) = con.execute(f"SELECT count(*) FROM {REKEY}").fetchone()
    return int(moved)

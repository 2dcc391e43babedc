"""The day's blacklist against what was actually published: ADD / UPDATE / REMOVE rows and the full snapshot.

All set-based in DuckDB over the warehouse and the published state. Who qualifies on the date and why is
a business rule built by dbt (restricted.rpt_blacklist_candidates: reasons DPD90 / CHARGE_OFF / FRAUD_CONFIRMED,
amount band, dispute flag, masked display fields, the expiry of a listing made that day; policy in the
dbt vars blacklist_*). Here: the comparison with what was published, an append-only version log kept in
the warehouse, the keyed subject and the ADD / UPDATE / REMOVE sequencing:

  reporting.blacklist_published    one row per subject per published change (record_version 1, 2, ...)
  reporting.blacklist_publications one row per published (date, sequence) with the key id it used
  reporting.blacklist_resolutions  operator input: person_id, reason_code (DISPUTE_UPHELD / ERROR),
                                   effective_date, note

Rules:
* subject = person (person_id from the identity-merged customer dimension), keyed by HMAC-SHA256 over the
  person's identity_key (restricted.dim_customer_pii, built by dbt; see keys.subject_identity_sql);
* a qualifying person not listed is ADDed (listed_date = the business date, expiry_date from the model);
* a listed person stays listed until removed: DISPUTE_UPHELD / ERROR (a resolution effective on or after the
  listed date), EXPIRED (business date >= expiry_date), PAID (no longer qualifying and nothing owed), or
  ERROR when a restated day shows that a listing added that very day should not have been;
* a listed person whose reasons, amount band, dispute flag or display fields change gets an UPDATE;
* after DISPUTE_UPHELD / ERROR / EXPIRED the reasons of the removed listing are suppressed: the person is
  listed again only for a reason it did not have (a new bad event), never for the same, now-removed one.

The baseline is the latest version of every subject published for a date <= the business date, so re-running
a date compares with what went out that day (including its own earlier publication): no change = no new
rows; a restated day gives correction rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from creditwh.errors import PipelineError
from creditwh.reporting.blacklist.keys import hmac_pads, hmac_sha256_sql, key_id, subject_identity_sql
from creditwh.reporting.blacklist.policy import CANDIDATES, BlacklistPolicy
from creditwh.reporting.blacklist.rotation import rekey_subjects

PUBLISHED = "reporting.blacklist_published"
PUBLICATIONS = "reporting.blacklist_publications"  # one row per published (date, sequence), even if empty
RESOLUTIONS = "reporting.blacklist_resolutions"
DELTA = "bl_delta"  # temp tables holding the result for the caller
SNAPSHOT = "bl_snapshot"

DELTA_COLUMNS = (
    "action",
    "subject_key",
    "record_version",
    "reason_codes",
    "removal_reason",
    "listed_date",
    "expiry_date",
    "amount_band",
    "dispute_flag",
    "furnisher_id",
    "display_name",
    "display_id_number",
    "display_mobile",
)
SNAPSHOT_COLUMNS = tuple(c for c in DELTA_COLUMNS if c not in ("action", "removal_reason"))


@dataclass(frozen=True)
class BlacklistResult:
    business_date: dt.date
    sequence: int  # 0 = the date's first publication, n = its n-th correction
    changed: bool  # False: a re-run with nothing new (no files to publish)
    actions: dict[str, int]
    listed: int  # subjects in the snapshot
    key_id: str  # id of the HMAC key the subject keys were made with (keys.key_id)
    rekeyed_from: str | None = None  # id of the previous key when this publication rotates the key
    rekeyed: int = 0  # subjects moved to the new key (rows of temp table bl_rekey)


def ensure_state_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS reporting")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {PUBLISHED} (
        subject_key VARCHAR NOT NULL, record_version INTEGER NOT NULL, business_date DATE NOT NULL,
        publication_sequence INTEGER NOT NULL, action VARCHAR NOT NULL, status VARCHAR NOT NULL,
        person_id VARCHAR, reason_codes VARCHAR, removal_reason VARCHAR, suppressed_reasons VARCHAR,
        listed_date DATE, expiry_date DATE, amount_band VARCHAR, dispute_flag BOOLEAN, furnisher_id VARCHAR,
        display_name VARCHAR, display_id_number VARCHAR, display_mobile VARCHAR,
        PRIMARY KEY (subject_key, record_version))""")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {PUBLICATIONS} (
        business_date DATE NOT NULL, publication_sequence INTEGER NOT NULL, delta_rows INTEGER NOT NULL,
        listed INTEGER NOT NULL, PRIMARY KEY (business_date, publication_sequence))""")
    # the key each publication used (NULL: published before key ids were recorded)
    con.execute(f"ALTER TABLE {PUBLICATIONS} ADD COLUMN IF NOT EXISTS key_id VARCHAR")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {RESOLUTIONS} (
        person_id VARCHAR NOT NULL, reason_code VARCHAR NOT NULL
            CHECK (reason_code IN ('DISPUTE_UPHELD', 'ERROR')),
        effective_date DATE NOT NULL, note VARCHAR)""")


class BlacklistInputMissing(PipelineError):
    """The dbt-built input of the blacklist is missing for the date: publishing would remove listed persons."""


def check_inputs(con: duckdb.DuckDBPyConnection, business_date: dt.date) -> None:
    """Refuse to compare against candidates that were not built for the date (every listed person would be
    removed as PAID) or a person dimension whose identity keys were not filled (subjects would be re-keyed)."""
    (accounts,) = con.execute(
        "SELECT count(*) FROM marts.fct_account_daily WHERE business_date = $d", {"d": business_date}
    ).fetchone()
    (candidates,) = con.execute(f"SELECT count(*) FROM {CANDIDATES} WHERE business_date = $d", {"d": business_date}).fetchone()
    if accounts and not candidates:
        raise BlacklistInputMissing(
            f"blacklist {business_date}: {CANDIDATES} has no rows for the date while marts.fct_account_daily "
            f"has {accounts}: the dbt build of the date did not build the model (re-run the date's dbt build)"
        )
    (unkeyed,) = con.execute(
        "SELECT count(*) FROM restricted.dim_customer_pii WHERE id_number_is_valid AND identity_key IS NULL"
    ).fetchone()
    if unkeyed:
        raise BlacklistInputMissing(
            f"blacklist {business_date}: restricted.dim_customer_pii has {unkeyed} persons with a valid id number "
            "but no identity_key (a warehouse built before the column existed): rebuild dim_customer_pii "
            "(docs/operations.md, 'Upgrading a warehouse'), or their subject keys would change"
        )


def build_blacklist(
    con: duckdb.DuckDBPyConnection,
    business_date: dt.date,
    policy: BlacklistPolicy,
    key: bytes,
    rekey_from: str | None = None,
) -> BlacklistResult:
    """Compute the day's delta and snapshot into temp tables bl_delta / bl_snapshot (not yet recorded).
    With `rekey_from` (a declared rotation, see rotation.py) the published state is first moved to the new
    key (state rows written now, mapping in temp table bl_rekey), so the delta holds only the day's changes."""
    ensure_state_tables(con)
    ipad, opad = hmac_pads(key)
    check_inputs(con, business_date)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE bl_current AS
        SELECT {hmac_sha256_sql(subject_identity_sql("p", "s.person_id"))} AS subject_key, s.person_id,
               s.reason_codes, s.qualifies, s.amount_owed AS owed, s.dispute_flag AS dispute, s.amount_band,
               s.listing_expiry_date,
               coalesce(c.local_name_masked, c.full_name_masked) AS display_name,
               c.id_number_masked AS display_id_number, c.mobile_phone_masked AS display_mobile
        FROM {CANDIDATES} s
        LEFT JOIN restricted.dim_customer_pii p USING (person_id)
        LEFT JOIN marts.dim_customer c USING (person_id)
        WHERE s.business_date = $d""",
        {"d": business_date, "ipad": ipad, "opad": opad},
    )
    (sequence,) = con.execute(
        f"SELECT coalesce(max(publication_sequence) + 1, 0) FROM {PUBLICATIONS} WHERE business_date = $d",
        {"d": business_date},
    ).fetchone()
    rekeyed = 0
    if rekey_from is not None:
        rekeyed = rekey_subjects(con, business_date, int(sequence), PUBLISHED, {"ipad": ipad, "opad": opad})
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE bl_next AS
        WITH baseline AS (
            SELECT * FROM {PUBLISHED} WHERE business_date <= $d
            QUALIFY row_number() OVER (PARTITION BY subject_key ORDER BY record_version DESC) = 1
        ),
        versions AS (SELECT subject_key, max(record_version) AS last_version FROM {PUBLISHED} GROUP BY ALL),
        resolution AS (
            SELECT person_id, reason_code, effective_date FROM {RESOLUTIONS} WHERE effective_date <= $d
            QUALIFY row_number() OVER (PARTITION BY person_id ORDER BY effective_date DESC, reason_code) = 1
        ),
        joined AS (
            SELECT coalesce(c.subject_key, b.subject_key) AS subject_key, c.*  EXCLUDE (subject_key),
                   b.status AS b_status, b.person_id AS b_person_id, b.reason_codes AS b_reasons,
                   b.suppressed_reasons AS b_suppressed, b.listed_date AS b_listed, b.expiry_date AS b_expiry,
                   b.amount_band AS b_band, b.dispute_flag AS b_dispute, b.display_name AS b_name,
                   b.display_id_number AS b_id, b.display_mobile AS b_mobile,
                   coalesce(v.last_version, 0) AS last_version,
                   r.reason_code AS resolution_reason, r.effective_date AS resolution_date
            FROM bl_current c
            FULL JOIN baseline b ON b.subject_key = c.subject_key
            LEFT JOIN versions v ON v.subject_key = coalesce(c.subject_key, b.subject_key)
            LEFT JOIN resolution r ON r.person_id = coalesce(c.person_id, b.person_id)
        ),
        decided AS (
            SELECT *,
                CASE WHEN b_status = 'LISTED' THEN CASE
                    WHEN resolution_date >= b_listed THEN resolution_reason
                    WHEN $d >= b_expiry THEN 'EXPIRED'
                    WHEN coalesce(qualifies, false) = false AND b_listed = $d THEN 'ERROR'
                    WHEN coalesce(qualifies, false) = false AND coalesce(owed, 0) <= 0 THEN 'PAID'
                END END AS removal_reason,
                -- reasons not suppressed by an earlier DISPUTE_UPHELD / ERROR / EXPIRED removal
                list_filter(string_split(nullif(reason_codes, ''), '|'),
                            lambda x: NOT list_contains(string_split(coalesce(b_suppressed, ''), '|'), x))
                    AS fresh_reasons
            FROM joined
        )
        SELECT subject_key, coalesce(person_id, b_person_id) AS person_id, last_version,
            CASE
                WHEN b_status = 'LISTED' AND removal_reason IS NOT NULL THEN 'REMOVE'
                WHEN b_status = 'LISTED' AND (
                        (qualifies AND reason_codes IS DISTINCT FROM b_reasons)
                        OR (person_id IS NOT NULL AND (amount_band, dispute, display_name, display_id_number,
                            display_mobile) IS DISTINCT FROM (b_band, b_dispute, b_name, b_id, b_mobile)))
                    THEN 'UPDATE'
                WHEN coalesce(b_status, 'REMOVED') = 'REMOVED' AND qualifies AND len(fresh_reasons) > 0
                    THEN 'ADD'
            END AS action,
            removal_reason,
            CASE WHEN b_status = 'LISTED' AND NOT coalesce(qualifies, false) THEN b_reasons
                 ELSE reason_codes END AS reason_codes,
            -- a listing withdrawn by a restatement of its own day (ERROR without a resolution) suppresses nothing
            CASE WHEN removal_reason IN ('DISPUTE_UPHELD', 'EXPIRED')
                      OR (removal_reason = 'ERROR' AND resolution_reason = 'ERROR')
                 THEN b_reasons END AS suppressed_reasons,
            CASE WHEN b_status = 'LISTED' THEN b_listed ELSE $d END AS listed_date,
            CASE WHEN b_status = 'LISTED' THEN b_expiry
                 ELSE listing_expiry_date END AS expiry_date,
            coalesce(amount_band, b_band) AS amount_band, coalesce(dispute, b_dispute) AS dispute_flag,
            coalesce(display_name, b_name) AS display_name, coalesce(display_id_number, b_id) AS display_id_number,
            coalesce(display_mobile, b_mobile) AS display_mobile
        FROM decided""",
        {"d": business_date},
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {DELTA} AS
        SELECT action, subject_key, last_version + 1 AS record_version, person_id,
               CASE WHEN action = 'REMOVE' THEN 'REMOVED' ELSE 'LISTED' END AS status,
               reason_codes, removal_reason, suppressed_reasons, listed_date, expiry_date, amount_band,
               dispute_flag, $furnisher AS furnisher_id, display_name, display_id_number, display_mobile
        FROM bl_next WHERE action IS NOT NULL
        ORDER BY subject_key""",
        {"furnisher": policy.furnisher_id},
    )
    # snapshot = the baseline's listed subjects with this delta applied
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE {SNAPSHOT} AS
        WITH baseline AS (
            SELECT * FROM {PUBLISHED} WHERE business_date <= $d
            QUALIFY row_number() OVER (PARTITION BY subject_key ORDER BY record_version DESC) = 1
        ),
        applied AS (
            SELECT subject_key, record_version, status, reason_codes, listed_date, expiry_date, amount_band,
                   dispute_flag, furnisher_id, display_name, display_id_number, display_mobile FROM {DELTA}
            UNION ALL
            SELECT subject_key, record_version, status, reason_codes, listed_date, expiry_date, amount_band,
                   dispute_flag, furnisher_id, display_name, display_id_number, display_mobile FROM baseline
            WHERE subject_key NOT IN (SELECT subject_key FROM {DELTA})
        )
        SELECT * EXCLUDE (status) FROM applied WHERE status = 'LISTED' ORDER BY subject_key""",
        {"d": business_date},
    )
    actions = dict(con.execute(f"SELECT action, count(*) FROM {DELTA} GROUP BY ALL").fetchall())
    (listed,) = con.execute(f"SELECT count(*) FROM {SNAPSHOT}").fetchone()
    changed = sequence == 0 or bool(actions) or rekey_from is not None
    return BlacklistResult(
        business_date=business_date,
        sequence=int(sequence),
        changed=changed,
        actions={a: int(actions.get(a, 0)) for a in ("ADD", "UPDATE", "REMOVE")},
        listed=int(listed),
        key_id=key_id(key),
        rekeyed_from=rekey_from,
        rekeyed=rekeyed,
    )


def record_publication(con: duckdb.DuckDBPyConnection, result: BlacklistResult) -> None:
    """Append the published delta to the version log (in the transaction that seals the files)."""
    con.execute(
        f"""INSERT INTO {PUBLISHED}
        SELECT subject_key, record_version, $d, $seq, action, status, person_id, reason_codes, removal_reason,
               suppressed_reasons, listed_date, expiry_date, amount_band, dispute_flag, furnisher_id,
               display_name, display_id_number, display_mobile
        FROM {DELTA}""",
        {"d": result.business_date, "seq": result.sequence},
    )
    con.execute(
        f"""INSERT INTO {PUBLICATIONS} (business_date, publication_sequence, delta_rows, listed, key_id)
            VALUES ($d, $seq, $rows, $listed, $key_id)""",
        {
            "d": result.business_date,
            "seq": result.sequence,
            "rows": sum(result.actions.values()),
            "listed": result.listed,
            "key_id": result.key_id,
        },
    )


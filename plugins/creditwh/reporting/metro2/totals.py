"""Trailer totals recomputed in SQL from the records themselves (used by the writer and by the validator).

Counting rules (docs/metro2.md §1.7, moov `trailer_record.go`): status counts are of base segments; J1/J2 and
K1-N1 counts skip blank- or 9-filled segments; SSN counts skip zero-, 9- and blank-filled SSNs; date-of-birth
and phone counts skip zero-filled values; ECOA Z is counted over base, J1 and J2; Block Count = header + data
records + trailer (every record is its own block).
"""

from __future__ import annotations

from creditwh.reporting.metro2.spec import J1, SEGMENTS, TRAILER_STATUS_FIELDS, TRAILER_TOTALS


def ssn_counted_sql(x: str) -> str:
    return f"(regexp_full_match({x}, '[0-9]{{9}}') AND {x} NOT IN ('000000000', '999999999'))"


def dob_counted_sql(x: str) -> str:
    return f"(regexp_full_match({x}, '[0-9]{{8}}') AND {x} <> '00000000')"


def phone_counted_sql(x: str) -> str:
    return f"(regexp_full_match({x}, '[0-9]{{10}}') AND {x} <> '0000000000')"


_SEGMENT_COUNT_FIELDS = {
    "J1": "total_consumer_segments_j1",
    "J2": "total_consumer_segments_j2",
    "K1": "total_original_creditor_segments",
    "K2": "total_purchased_to_segments",
    "K3": "total_mortgage_information_segments",
    "K4": "total_payment_information_segments",
    "L1": "total_change_segments",
    "N1": "total_employment_segments",
}
if set(_SEGMENT_COUNT_FIELDS) != set(SEGMENTS):  # the trailer must count every segment the spec knows
    raise ImportError("metro2 totals: segment counters out of step with spec.SEGMENTS")


def trailer_totals_sql(base_rel: str, segment_rel: str) -> str:
    """One-row SELECT with a column per `spec.TRAILER_TOTALS` field.

    base_rel: one row per base segment with raw text columns account_status, ecoa_code,
    social_security_number, date_birth, telephone_number. segment_rel: one row per appended segment with
    columns segment_identifier and segment (its full text). J1 and J2 share the consumer field positions.
    """
    ssn, dob, phone, ecoa = (
        J1.field(n) for n in ("social_security_number", "date_birth", "telephone_number", "ecoa_code")
    )
    seg_ssn, seg_dob, seg_phone, seg_ecoa = (f.sql("segment") for f in (ssn, dob, phone, ecoa))
    status_counts = ",\n".join(
        f"count(*) FILTER (WHERE account_status = '{code}') AS {name}"
        for code, name in TRAILER_STATUS_FIELDS.items()
    )
    seg_counts = ",\n".join(
        f"count(*) FILTER (WHERE segment_identifier = '{seg}' AND live) AS {name}"
        for seg, name in _SEGMENT_COUNT_FIELDS.items()
    )
    consumer = "segment_identifier IN ('J1', 'J2') AND live"
    columns = ", ".join(f"totals.{name}" for name in TRAILER_TOTALS)
    return f"""
    WITH base_totals AS (
        SELECT
            count(*) AS total_base_records,
            count(*) + 2 AS block_count,
            {status_counts},
            count(*) FILTER (WHERE ecoa_code = 'Z') AS base_ecoa_z,
            count(*) FILTER (WHERE {ssn_counted_sql("social_security_number")})
                AS total_social_numbers_base_segments,
            count(*) FILTER (WHERE {dob_counted_sql("date_birth")}) AS total_dates_birth_base_segments,
            count(*) FILTER (WHERE {phone_counted_sql("telephone_number")}) AS base_phones
        FROM {base_rel}
    ),
    live_segments AS (
        SELECT segment_identifier, segment,
               NOT regexp_full_match(substr(segment, 3), '[ 9]*') AS live
        FROM {segment_rel}
    ),
    segment_totals AS (
        SELECT
            {seg_counts},
            count(*) FILTER (WHERE {consumer} AND {seg_ecoa} = 'Z') AS segment_ecoa_z,
            count(*) FILTER (WHERE segment_identifier = 'J1' AND live AND {ssn_counted_sql(seg_ssn)})
                AS total_social_numbers_j1_segments,
            count(*) FILTER (WHERE segment_identifier = 'J2' AND live AND {ssn_counted_sql(seg_ssn)})
                AS total_social_numbers_j2_segments,
            count(*) FILTER (WHERE segment_identifier = 'J1' AND live AND {dob_counted_sql(seg_dob)})
                AS total_dates_birth_j1_segments,
            count(*) FILTER (WHERE segment_identifier = 'J2' AND live AND {dob_counted_sql(seg_dob)})
                AS total_dates_birth_j2_segments,
            count(*) FILTER (WHERE {consumer} AND {phone_counted_sql(seg_phone)}) AS segment_phones
        FROM live_segments
    ),
    totals AS (
        SELECT b.*, s.*,
            b.base_ecoa_z + s.segment_ecoa_z AS total_ecoa_code_z,
            b.total_social_numbers_base_segments + s.total_social_numbers_j1_segments
                + s.total_social_numbers_j2_segments AS total_social_numbers_all_segments,
            b.total_dates_birth_base_segments + s.total_dates_birth_j1_segments
                + s.total_dates_birth_j2_segments AS total_dates_birth_all_segments,
            b.base_phones + s.segment_phones AS total_telephone_numbers_all_segments
        FROM base_totals b CROSS JOIN segment_totals s
    )
    SELECT {columns} FROM totals
    """

"""Raw suites of the collections datasets (issue #15): is the day's collection activity complete, coded and
consistent with the day's book before dbt builds on it?

Row rules are ``UnexpectedRowsExpectation`` queries selecting the row's key, then the file it came from and
the offending values, so a rejection names the file, the row and the rule. The holder and collector code
lists come from the bank's seeds (dbt_project/seeds/collection_holders.csv, collectors.csv) when the
expectations are generated: regenerate them (``python -m creditwh.quality.project``) after editing a seed
(tests/quality/test_project.py fails until then).
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from creditwh.collection_holders import collection_holders
from creditwh.contract import (
    ASSIGNMENT_CLOSE_REASONS,
    COLLECTION_ACTIONS,
    COLLECTION_ASSIGNMENTS,
    COLLECTION_CHANNELS,
    COLLECTION_OUTCOMES,
    ONE_WAY_CHANNELS,
    VOICE_CHANNELS,
)
from creditwh.quality.severity import critical, warning
from creditwh.quality.suites_raw import TODAYS_ACCOUNTS, _manifest_query

HOLDERS = collection_holders()
MAX_TALK_SECONDS = 4 * 3600  # a longer call is a unit error (milliseconds), not a conversation
FILE = "regexp_extract(t._source_file, '[^/]+$') as file"


def _codes(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


# ---------------------------------------------------------------- raw.load_batches: the manifest vs the rows
def load_batch_checks(datasets, dated_rule: str, rows: str) -> list:
    """The day's batch of a group of datasets: each has its manifest's record count and control totals, and
    every row the batch loaded carries the batch's business date (`rows` names them in the description)."""
    dated = "\nunion all\n".join(
        f"select '{d.name}'{' as table_name' if i == 0 else ''}, t.{d.key[0]}{' as row_key' if i == 0 else ''}, "
        f"t.business_date\nfrom raw.{d.name} t, load_batch\n"
        "where t._batch_id = load_batch.batch_id and t.business_date <> load_batch.business_date"
        for i, d in enumerate(datasets)
    )
    return [
        *(
            critical(
                f"{d.name}_match_manifest",
                f"raw.{d.name} for the day has the manifest's record count and "
                f"{' and '.join(f'sum({c})' for c in d.control_totals)}.",
                gxe.UnexpectedRowsExpectation(unexpected_rows_query=_manifest_query(d.name, d.control_totals)),
            )
            for d in datasets
        ),
        critical(
            dated_rule,
            f"Every {rows} row loaded by this batch carries the batch's business date.",
            gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=f"\nwith load_batch as (select * from {{batch}})\n{dated}\n"
            ),
        ),
    ]


COLLECTION_LOAD_BATCHES = load_batch_checks(
    (COLLECTION_ACTIONS, COLLECTION_ASSIGNMENTS), "collection_rows_dated_other_day", "collections"
)

# ---------------------------------------------------------------- raw.collection_actions


def _not_in_snapshot(key: str) -> str:
    """Rows (named by `key`) of an account the day's accounts snapshot does not hold."""
    return f"""
with today as (select * from {{batch}}),{TODAYS_ACCOUNTS}
select t.{key}, {FILE}, t.account_id from today t
where not exists (select 1 from todays_accounts a where a.account_id = t.account_id)
"""


_ACTION_NOT_IN_SNAPSHOT = _not_in_snapshot("action_id")

_ACTION_OTHER_DAY = f"""
with today as (select * from {{batch}})
select t.action_id, {FILE}, t.action_ts, t.business_date from today t
where t.action_ts::date is distinct from t.business_date
"""

_BAD_PROMISE = f"""
with today as (select * from {{batch}})
select t.action_id, {FILE}, t.outcome, t.promised_amount, t.promised_date, t.action_ts from today t
where t.outcome = 'PTP'
  and (t.promised_amount is null or t.promised_amount <= 0
       or t.promised_date is null or t.promised_date < t.action_ts::date)
"""

_PROMISE_WITHOUT_PTP = f"""
with today as (select * from {{batch}})
select t.action_id, {FILE}, t.outcome, t.promised_amount, t.promised_date from today t
where t.outcome is distinct from 'PTP' and (t.promised_amount is not null or t.promised_date is not null)
"""

_NEGATIVE_TALK = f"""
with today as (select * from {{batch}})
select t.action_id, {FILE}, t.channel, t.talk_seconds from today t
where t.talk_seconds < 0 or t.talk_seconds > {MAX_TALK_SECONDS}
"""

_UNKNOWN_CODE = f"""
with today as (select * from {{batch}})
select t.action_id, {FILE}, t.channel, t.outcome from today t
where t.channel is null or t.channel not in ({_codes(COLLECTION_CHANNELS)})
   or t.outcome not in ({_codes(COLLECTION_OUTCOMES)})
"""

_OUTCOME_NOT_FOR_CHANNEL = f"""
with today as (select * from {{batch}})
select t.action_id, {FILE}, t.channel, t.outcome, t.talk_seconds from today t
where (t.outcome is null) <> (t.channel in ({_codes(ONE_WAY_CHANNELS)}))
   or (t.talk_seconds is not null and t.channel not in ({_codes(VOICE_CHANNELS)}))
"""

_ACTION_HOLDER_UNKNOWN = f"""
with today as (select * from {{batch}})
select t.action_id, {FILE}, t.holder_id, t.collector_id from today t
where t.holder_id is null or t.holder_id not in ({_codes(HOLDERS.holder_ids)})
   or t.collector_id not in ({_codes(HOLDERS.collector_ids)})
"""

RAW_COLLECTION_ACTIONS = [
    *(
        critical(f"not_null_{c}", f"{c} is never null.", gxe.ExpectColumnValuesToNotBeNull(column=c))
        for c in ("action_id", "account_id", "business_date", "action_ts")
    ),
    critical(
        "one_row_per_action",
        "action_id is unique within the day (a duplicate action id).",
        gxe.ExpectColumnValuesToBeUnique(column="action_id"),
    ),
    critical(
        "action_account_in_snapshot",
        "Every action is for an account in the day's accounts snapshot.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_ACTION_NOT_IN_SNAPSHOT),
    ),
    critical(
        "channel_and_outcome_known",
        f"channel is one of {', '.join(COLLECTION_CHANNELS)}; outcome, when present, one of "
        f"{', '.join(COLLECTION_OUTCOMES)}.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_UNKNOWN_CODE),
    ),
    critical(
        "action_on_business_date",
        "action_ts (local time) falls on the business date: an action stamped with another day belongs "
        "to that day's drop.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_ACTION_OTHER_DAY),
    ),
    critical(
        "promise_valid",
        "A promise to pay (PTP) has a positive promised_amount and a promised_date on or after the action.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_BAD_PROMISE),
    ),
    critical(
        "talk_seconds_within_bounds",
        f"talk_seconds is between 0 and {MAX_TALK_SECONDS}.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_NEGATIVE_TALK),
    ),
    critical(
        "action_holder_known",
        "holder_id and collector_id are in the bank's collection_holders / collectors seeds.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_ACTION_HOLDER_UNKNOWN),
    ),
    warning(
        "promise_fields_only_on_ptp",
        "promised_amount / promised_date are set only on PTP actions. WARNING: the KPI marts read them "
        "only on PTP rows.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_PROMISE_WITHOUT_PTP),
    ),
    warning(
        "outcome_fits_channel",
        f"One-way channels ({', '.join(ONE_WAY_CHANNELS)}) have no outcome, the others one; talk_seconds "
        f"only on voice channels ({', '.join(VOICE_CHANNELS)}). WARNING: contact rates count outcomes.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_OUTCOME_NOT_FOR_CHANNEL),
    ),
]

# ---------------------------------------------------------------- raw.collection_assignments
_ASSIGNMENT_NOT_IN_SNAPSHOT = _not_in_snapshot("assignment_id")

_ASSIGNMENT_HOLDER_UNKNOWN = f"""
with today as (select * from {{batch}})
select t.assignment_id, {FILE}, t.account_id, t.holder_id from today t
where t.holder_id is null or t.holder_id not in ({_codes(HOLDERS.holder_ids)})
"""

_BAD_VALIDITY = f"""
with today as (select * from {{batch}})
select t.assignment_id, {FILE}, t.valid_from, t.valid_to, t.close_reason, t.business_date from today t
where t.valid_from is null or t.valid_from > t.business_date
   or t.valid_to < t.valid_from or t.valid_to > t.business_date
   or (t.valid_to is null) <> (t.close_reason is null)
   or t.close_reason not in ({_codes(ASSIGNMENT_CLOSE_REASONS)})
"""

# One holder at a time: the day's assignments may not overlap each other nor the latest version of an
# assignment of the same account loaded on an earlier day (intervals [valid_from, valid_to), NULL = open).
# Only the accounts delivered today are compared, so the cost follows the day's rows.
_OVERLAP = f"""
with today as (select * from {{batch}}),
earlier as (
    select e.assignment_id, e.account_id, e.valid_from, e.valid_to
    from raw.collection_assignments e
    where e.business_date < (select max(business_date) from today)
      and e.account_id in (select account_id from today)
      and e.assignment_id not in (select assignment_id from today)
    qualify row_number() over (partition by e.assignment_id order by e.business_date desc) = 1
),
held as (
    select assignment_id, account_id, valid_from, valid_to from today
    union all
    select assignment_id, account_id, valid_from, valid_to from earlier
)
select t.assignment_id, {FILE}, t.account_id, t.valid_from, t.valid_to,
       h.assignment_id as overlapping_assignment_id, h.valid_from as overlapping_from,
       h.valid_to as overlapping_to
from today t
join held h on h.account_id = t.account_id and h.assignment_id <> t.assignment_id
where t.valid_from < coalesce(h.valid_to, date '9999-12-31')
  and h.valid_from < coalesce(t.valid_to, date '9999-12-31')
"""

RAW_COLLECTION_ASSIGNMENTS = [
    *(
        critical(f"not_null_{c}", f"{c} is never null.", gxe.ExpectColumnValuesToNotBeNull(column=c))
        for c in ("assignment_id", "account_id", "business_date", "balance_at_placement")
    ),
    critical(
        "one_row_per_assignment",
        "assignment_id is unique within the day.",
        gxe.ExpectColumnValuesToBeUnique(column="assignment_id"),
    ),
    critical(
        "assignment_account_in_snapshot",
        "Every assignment is for an account in the day's accounts snapshot.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_ASSIGNMENT_NOT_IN_SNAPSHOT),
    ),
    critical(
        "assignment_holder_known",
        "holder_id is a team, agency or legal holder of the bank's collection_holders seed.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_ASSIGNMENT_HOLDER_UNKNOWN),
    ),
    critical(
        "assignment_validity",
        "valid_from <= valid_to <= business date; valid_to and close_reason set together, close_reason "
        f"one of {', '.join(ASSIGNMENT_CLOSE_REASONS)}.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_BAD_VALIDITY),
    ),
    critical(
        "assignments_do_not_overlap",
        "An account is held by one holder at a time: no two assignments of an account overlap, within the "
        "day's rows or with the assignments already loaded.",
        gxe.UnexpectedRowsExpectation(unexpected_rows_query=_OVERLAP),
    ),
]

"""A hand-written reference of a business date's work: the least a competent engineer would write by hand
in one process with plain DuckDB SQL, to measure what the pipeline's machinery (Airflow, dbt, GX, the
publication protocol) costs on top of the work itself.

Per business date, on the same drops the pipeline reads (<data dir>/landing/YYYY-MM-DD/):
  verify      sha256 of every file against the manifest, record counts and control totals
  load        the date's rows into a reference database (a re-run replaces the date)
  classify    bucket (current, 1–30, 31–60, 61–90, 90+, charged off) and five-tier class per account
  aging       accounts, balance and past-due amount per bucket
  transitions bucket-to-bucket counts against the previous date
  early_warn  features from the day's snapshot and the previous day, a score and a tier per account
  blacklist   persons 90+ days past due, charged off or fraud, keyed by a hash, delta against yesterday's list,
              delta and snapshot written as CSV
  bureau      month ends only: one fixed-width text line per US consumer's account (Metro 2's 426 bytes) and
              one XML element per Chinese consumer's account, written as files

It is deliberately simpler than the pipeline (no validation suites, no history of customer versions, no
crash-safe publication, early warning from one day's features): a floor, not an equivalent.

    .venv/bin/python benchmarks/reference_day.py --data-dir /tmp/bench-1m \\
        [--nightly-json /tmp/bench-1m/nightly.json]

With --nightly-json (what benchmarks/nightly.py wrote for a run of the same drops) it prints the pipeline /
reference ratio per stage and for the whole day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

import duckdb

DATASETS = ("accounts", "customers", "payments")
KEY = "reference-benchmark-key-not-a-secret-0123456789"

# Which pipeline tasks do each reference stage's work (the rest of a run is the pipeline's own machinery).
PIPELINE_STAGES = {
    "verify": ("verify_drop",),
    "load": ("load_raw",),
    "transform": ("transform.dbt_build", "transform.area"),
    "blacklist": ("publish_blacklist",),
    "bureau": ("publish_notice_list", "publish_bureau_file", "publish_pboc_file"),
}
REFERENCE_STAGES = {
    "verify": ("verify",),
    "load": ("load",),
    "transform": ("classify", "aging", "transitions", "early_warn"),
    "blacklist": ("blacklist",),
    "bureau": ("bureau",),
}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify(con: duckdb.DuckDBPyConnection, drop: Path, day: dt.date) -> dict:
    manifest = json.loads(next(drop.glob("manifest_*.json")).read_text())
    if manifest["business_date"] != day.isoformat():
        raise ValueError(f"{drop}: manifest is for {manifest['business_date']}")
    for entry in manifest["files"].values():
        path = drop / entry["file"]
        if _sha256(path) != entry["sha256"]:
            raise ValueError(f"{path}: checksum")
        totals = entry["control_totals"]
        select = ", ".join(["count(*)"] + [f"coalesce(sum({column}), 0)::varchar" for column in totals])
        row = con.execute(f"select {select} from read_parquet(?)", [str(path)]).fetchone()
        if row[0] != entry["records"] or [Decimal(v) for v in row[1:]] != [
            Decimal(v) for v in totals.values()
        ]:
            raise ValueError(f"{path}: counts or control totals")
    return {name: entry["file"] for name, entry in manifest["files"].items()}


def load(con, drop: Path, files: dict, day: dt.date) -> None:
    for name in DATASETS:
        path = str(drop / files[name])
        con.execute(f"create table if not exists {name} as select * from read_parquet(?) limit 0", [path])
    con.execute("begin")
    for name in ("accounts", "payments"):
        con.execute(f"delete from {name} where business_date = ?", [day])
        con.execute(f"insert into {name} select * from read_parquet(?)", [str(drop / files[name])])
    # the customer file holds the day's new and changed customers: keep the latest version of each
    con.execute(
        "delete from customers where customer_id in (select customer_id from read_parquet(?))",
        [str(drop / files["customers"])],
    )
    con.execute("insert into customers select * from read_parquet(?)", [str(drop / files["customers"])])
    con.execute("commit")


ACCOUNT_CLASS = """
create table if not exists account_class (business_date date, account_id varchar, customer_id varchar,
    bucket varchar, five_tier varchar, days_past_due integer, balance decimal(18,2), past_due decimal(18,2))
"""

CLASSIFY = """
delete from account_class where business_date = $day;
insert into account_class
select business_date, account_id, customer_id,
    case when account_status = 'CHARGED_OFF' then 'CO' when days_past_due = 0 then 'CURRENT'
         when days_past_due <= 30 then '1-30' when days_past_due <= 60 then '31-60'
         when days_past_due <= 90 then '61-90' else '90+' end,
    case when account_status = 'CHARGED_OFF' or days_past_due > 360 then 'LOSS'
         when days_past_due > 180 then 'DOUBTFUL' when days_past_due > 90 then 'SUBSTANDARD'
         when days_past_due > 0 then 'SPECIAL_MENTION' else 'NORMAL' end,
    days_past_due, current_balance, amount_past_due
from accounts where business_date = $day;
"""

AGING = """
create table if not exists aging (business_date date, bucket varchar, accounts bigint, balance decimal(38,2),
    past_due decimal(38,2));
delete from aging where business_date = $day;
insert into aging select business_date, bucket, count(*), sum(balance), sum(past_due)
from account_class where business_date = $day group by all;
"""

TRANSITIONS = """
create table if not exists transitions (business_date date, from_bucket varchar, to_bucket varchar,
    accounts bigint);
delete from transitions where business_date = $day;
insert into transitions
select $day, coalesce(y.bucket, 'NEW'), t.bucket, count(*)
from (select * from account_class where business_date = $day) t
left join (select * from account_class where business_date = $previous) y using (account_id)
group by all;
"""

EARLY_WARNING = """
create table if not exists early_warning (business_date date, account_id varchar, score double, tier varchar);
delete from early_warning where business_date = $day;
insert into early_warning
with features as (
    select a.account_id,
        least(a.current_balance / nullif(a.credit_limit, 0), 1.5) as utilization,
        (a.ctd_payment_amount > 0 and a.ctd_payment_amount <= a.minimum_payment_due)::int as minimum_only,
        (a.ctd_cash_advance_count > 0)::int as cash_advance,
        (a.days_past_due > coalesce(y.days_past_due, 0))::int as rolling,
        ($day - coalesce(a.last_payment_date, a.open_date) > 35)::int as no_recent_payment
    from accounts a
    left join (select account_id, days_past_due from account_class where business_date = $previous) y
        using (account_id)
    where a.business_date = $day and a.account_status = 'OPEN'
)
select $day, account_id, s, case when s >= 0.6 then 'HIGH' when s >= 0.35 then 'MEDIUM' else 'LOW' end
from (select account_id, 0.35 * coalesce(utilization, 0) + 0.2 * minimum_only + 0.15 * cash_advance
        + 0.2 * rolling + 0.1 * no_recent_payment as s from features);
"""

BLACKLIST = """
create table if not exists listed (subject_key varchar primary key, listed_on date, reason varchar);
create or replace temp table candidates as
select sha256($key || '|' || c.id_type || '|' || c.id_number) as subject_key,
    min(case when a.account_status = 'CHARGED_OFF' then 'CHARGE_OFF' when a.fraud_flag then 'FRAUD'
             else 'DPD90' end) as reason
from accounts a join customers c using (customer_id)
where a.business_date = $day and (a.days_past_due > 90 or a.account_status = 'CHARGED_OFF' or a.fraud_flag)
group by 1;
create or replace temp table delta as
select 'ADD' as action, subject_key, reason from candidates anti join listed using (subject_key)
union all
select 'REMOVE', subject_key, reason from listed anti join candidates using (subject_key);
delete from listed where subject_key in (select subject_key from delta where action = 'REMOVE');
insert into listed select subject_key, $day, reason from delta where action = 'ADD';
"""

# Metro 2 base segment's length; the line is its fields padded to their widths, not a validated record.
METRO2_LINE = """
copy (
    select lpad('426', 4, '0') || '1' || strftime($day, '%m%d%Y') || rpad(a.account_id, 30, ' ')
        || case a.bucket when 'CURRENT' then '11' when 'CO' then '97' else '71' end
        || lpad((a.balance * 100)::bigint::varchar, 9, '0') || lpad((a.past_due * 100)::bigint::varchar, 9, '0')
        || rpad(upper(c.family_name), 25, ' ') || rpad(upper(c.given_name), 20, ' ') || lpad(regexp_replace(c.id_number, '[^0-9]', '', 'g'), 9, '0')
        || strftime(c.birth_date, '%m%d%Y') || rpad(upper(c.address_line1), 32, ' ') || rpad(upper(c.city), 20, ' ')
        || rpad(c.state_code, 2, ' ') || rpad(c.postal_code, 9, ' ') as line
    from account_class a join customers c using (customer_id)
    where a.business_date = $day and c.id_type = 'SSN'
    order by a.account_id
) to '{path}' (format csv, header false, quote '', escape '', delimiter '\x1f');
"""

PBOC_LINES = """
copy (
    select '<InAcctBsSgmt><AcctCode>' || a.account_id || '</AcctCode><Name>' || c.local_name
        || '</Name><IDNum>' || c.id_number || '</IDNum><RptDate>' || $day::varchar
        || '</RptDate><AcctBal>' || a.balance::varchar || '</AcctBal><OverdPrinc>' || a.past_due::varchar
        || '</OverdPrinc><FiveCateInfo>' || a.five_tier || '</FiveCateInfo><RpyStatus>'
        || case a.bucket when 'CURRENT' then 'N' when 'CO' then 'B' when '1-30' then '1' when '31-60' then '2'
                         when '61-90' then '3' else '4' end
        || '</RpyStatus></InAcctBsSgmt>' as line
    from account_class a join customers c using (customer_id)
    where a.business_date = $day and c.id_type = 'CN_RESIDENT_ID'
    order by a.account_id
) to '{path}' (format csv, header false, quote '', escape '', delimiter '\x1f');
"""


def _is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


def run_day(con, landing: Path, out: Path, day: dt.date) -> dict[str, float]:
    drop = landing / day.isoformat()
    seconds: dict[str, float] = {}

    def timed(stage: str, fn) -> None:
        started = time.perf_counter()
        fn()
        seconds[stage] = round(time.perf_counter() - started, 3)

    files: dict = {}
    timed("verify", lambda: files.update(verify(con, drop, day)))
    timed("load", lambda: load(con, drop, files, day))
    con.execute(ACCOUNT_CLASS)
    previous = con.execute(
        "select max(business_date) from account_class where business_date < ?", [day]
    ).fetchone()[0]
    params = {"day": day, "previous": previous}
    for stage, sql in (
        ("classify", CLASSIFY),
        ("aging", AGING),
        ("transitions", TRANSITIONS),
        ("early_warn", EARLY_WARNING),
    ):
        timed(stage, lambda sql=sql: _script(con, sql, params))

    def blacklist() -> None:
        _script(con, BLACKLIST, {"day": day, "key": KEY})
        target = out / "blacklist" / day.isoformat()
        target.mkdir(parents=True, exist_ok=True)
        con.execute(f"copy (select * from delta order by all) to '{target / 'delta.csv'}' (header)")
        con.execute(f"copy (select * from listed order by all) to '{target / 'snapshot.csv'}' (header)")

    timed("blacklist", blacklist)
    if _is_month_end(day):

        def bureau() -> None:
            target = out / "bureau" / day.isoformat()
            target.mkdir(parents=True, exist_ok=True)
            _script(con, METRO2_LINE.format(path=target / "metro2.txt"), {"day": day})
            _script(con, PBOC_LINES.format(path=target / "pboc.xml"), {"day": day})

        timed("bureau", bureau)
    return seconds


def _script(con, sql: str, params: dict) -> None:
    for statement in filter(str.strip, sql.split(";\n")):
        used = {k: v for k, v in params.items() if f"${k}" in statement}
        con.execute(statement, used)


def _pipeline_seconds(nightly: dict) -> dict[str, dict[str, float]]:
    """Per business date: the pipeline's seconds per reference stage, and its whole day (daily DAG run wall
    time plus, on a month end, the bureau DAG's)."""
    per_date: dict[str, dict[str, float]] = {}
    for task in nightly["tasks"]:
        day = task["business_date"]
        for stage, task_ids in PIPELINE_STAGES.items():
            if task["task_id"] in task_ids:
                per_date.setdefault(day, {}).setdefault(stage, 0.0)
                per_date[day][stage] += task["seconds"]
    for run in nightly["runs"]:
        per_date.setdefault(run["business_date"], {}).setdefault("whole day", 0.0)
        per_date[run["business_date"]]["whole day"] += run["wall_seconds"]
    return per_date


def to_markdown(reference: dict[str, dict[str, float]], nightly: dict | None) -> str:
    pipeline = _pipeline_seconds(nightly) if nightly else {}
    lines = ["| date | stage | reference s | pipeline s | pipeline / reference |", "|---|---|---:|---:|---:|"]
    for day, seconds in reference.items():
        stages = {
            name: sum(seconds.get(s, 0.0) for s in parts)
            for name, parts in REFERENCE_STAGES.items()
            if any(s in seconds for s in parts)
        }
        stages["whole day"] = sum(seconds.values())
        for stage, ref in stages.items():
            pipe = pipeline.get(day, {}).get(stage)
            ratio = f"{pipe / ref:.1f}×" if pipe is not None and ref > 0 else ""
            pipe_text = f"{pipe:.2f}" if pipe is not None else ""
            lines.append(f"| {day} | {stage} | {ref:.2f} | {pipe_text} | {ratio} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, required=True, help="holds landing/ (the simulated drops)")
    parser.add_argument("--out", type=Path, help="default: <data dir>/reference")
    parser.add_argument("--nightly-json", type=Path, help="benchmarks/nightly.py's JSON for the same drops")
    args = parser.parse_args(argv)
    landing = args.data_dir / "landing"
    out = args.out or args.data_dir / "reference"
    out.mkdir(parents=True, exist_ok=True)
    days = sorted(
        dt.date.fromisoformat(p.name) for p in landing.iterdir() if p.is_dir() and p.name[:2] == "20"
    )
    if not days:
        print(f"no drops under {landing}", file=sys.stderr)
        return 1
    database = out / "reference.duckdb"
    database.unlink(missing_ok=True)
    con = duckdb.connect(str(database))
    reference: dict[str, dict[str, float]] = {}
    for day in days:
        reference[day.isoformat()] = run_day(con, landing, out, day)
        print(
            f"{day}: {sum(reference[day.isoformat()].values()):.2f} s {reference[day.isoformat()]}",
            flush=True,
        )
    con.close()
    nightly = json.loads(args.nightly_json.read_text()) if args.nightly_json else None
    print(to_markdown(reference, nightly))
    (out / "reference.json").write_text(
        json.dumps(
            {
                "data_dir": str(args.data_dir),
                "cpus": os.cpu_count(),
                "load_average": os.getloadavg(),
                "seconds": reference,
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

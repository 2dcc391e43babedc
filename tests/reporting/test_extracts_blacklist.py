"""Daily shared-blacklist publication: ADD / UPDATE / REMOVE across days, corrections, keys and masking."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import os
import shutil

import duckdb
import pytest
from extracts_warehouse import TEST_KEY, rebuild_candidates

pytestmark = pytest.mark.slow

D26, D27, D28 = dt.date(2026, 2, 26), dt.date(2026, 2, 27), dt.date(2026, 2, 28)

QUALIFYING = """select distinct person_id from marts.fct_account_daily where business_date = ?
    and (days_past_due >= 90 or (account_status = 'CHARGED_OFF' and current_balance > 0) or fraud_flag)"""


def _con(settings, read_only=True):
    return duckdb.connect(str(settings.warehouse_path), read_only=read_only)


def _rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _folder(settings, day):
    return settings.outbox_dir / "blacklist" / f"{day:%Y-%m-%d}"


def _subject_key(con, person_id) -> str:
    """HMAC of the dbt-built identity_key; a person without a valid id number, or whose number other
    persons share (identity conflict), is keyed by person."""
    (identity_key, conflict) = con.execute(
        "select identity_key, has_identity_conflict from restricted.dim_customer_pii where person_id = ?",
        [person_id],
    ).fetchone()
    message = f"PERSON:{person_id}" if conflict else identity_key or f"PERSON:{person_id}"
    return hmac.new(TEST_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def test_first_day_adds_every_qualifying_person_with_keyed_ids_and_masked_fields(settings):
    from creditwh.pipeline.extracts import publish_blacklist

    result = publish_blacklist(D26, settings)
    delta = _rows(_folder(settings, D26) / "blacklist_delta_20260226.csv")
    snapshot = _rows(_folder(settings, D26) / "blacklist_snapshot_20260226.csv")
    with _con(settings) as con:
        persons = [r[0] for r in con.execute(QUALIFYING, [D26]).fetchall()]
        keys = {_subject_key(con, p) for p in persons}
    assert persons and result["actions"] == {"ADD": len(persons), "UPDATE": 0, "REMOVE": 0}
    assert {r["subject_key"] for r in delta} == keys == {r["subject_key"] for r in snapshot}  # one per person
    for row in delta:
        assert row["action"] == "ADD" and row["record_version"] == "1"
        assert row["listed_date"] == "2026-02-26" and row["expiry_date"] == "2031-02-26"
        assert set(row["reason_codes"].split("|")) <= {"DPD90", "CHARGE_OFF", "FRAUD_CONFIRMED"}
        assert "*" in row["display_name"] and "*" in row["display_id_number"]
        # CN ids keep 3 + 4 characters (110***********1234), others only the last 4
        assert row["display_id_number"].strip("*")[:3].isdigit() or row["display_id_number"].startswith("*")
        assert row["furnisher_id"] == os.environ["CREDITWH_BLACKLIST_FURNISHER_ID"]


def test_delta_across_days_add_update_remove(settings):
    from creditwh.pipeline.extracts import publish_blacklist

    publish_blacklist(D26, settings)
    with _con(settings, read_only=False) as con:
        listed = sorted(r[0] for r in con.execute(QUALIFYING, [D26]).fetchall())
        paid, disputed = listed[0], listed[1]
        clean = con.execute(f"""select min(person_id) from marts.fct_account_daily where business_date = ?
                                and person_id not in ({QUALIFYING})""", [D27, D27]).fetchone()[0]
        con.execute("""update marts.fct_account_daily set current_balance = 0, days_past_due = 0,
                       account_status = 'OPEN', fraud_flag = false where business_date = ? and person_id = ?""",
                    [D27, paid])  # fmt: skip
        con.execute("update marts.fct_account_daily set dispute_flag = true where business_date = ? and person_id = ?",
                    [D27, disputed])  # fmt: skip
        con.execute("""update marts.fct_account_daily set days_past_due = 95 where business_date = ?
                       and account_id = (select min(account_id) from marts.fct_account_daily
                                         where business_date = ? and person_id = ?)""", [D27, D27, clean])
        expected = {_subject_key(con, paid): ("REMOVE", "2"), _subject_key(con, disputed): ("UPDATE", "2"),
                    _subject_key(con, clean): ("ADD", "1")}  # fmt: skip
    rebuild_candidates(settings.warehouse_path, D27)
    publish_blacklist(D27, settings)
    delta = {r["subject_key"]: r for r in _rows(_folder(settings, D27) / "blacklist_delta_20260227.csv")}
    snapshot = {r["subject_key"] for r in _rows(_folder(settings, D27) / "blacklist_snapshot_20260227.csv")}
    for key, (action, version) in expected.items():
        assert (delta[key]["action"], delta[key]["record_version"]) == (action, version)
    paid_key, disputed_key, clean_key = expected
    assert delta[paid_key]["removal_reason"] == "PAID" and paid_key not in snapshot
    assert delta[disputed_key]["dispute_flag"] == "true" and disputed_key in snapshot
    assert delta[clean_key]["reason_codes"] == "DPD90" and clean_key in snapshot


def test_restated_day_gives_correction_rows_and_rerun_is_a_no_op(settings):
    from creditwh.pipeline.extracts import publish_blacklist

    publish_blacklist(D26, settings)
    folder = _folder(settings, D26)
    delivered = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert publish_blacklist(D26, settings)["status"] == "unchanged"
    with _con(settings, read_only=False) as con:
        listed = sorted(r[0] for r in con.execute(QUALIFYING, [D26]).fetchall())
        wrongly_listed = listed[0]  # the restated data shows this person was never 90+ / charged off
        con.execute("""update marts.fct_account_daily set days_past_due = 0, account_status = 'OPEN',
                       fraud_flag = false where business_date = ? and person_id = ?""", [D26, wrongly_listed])
        key = _subject_key(con, wrongly_listed)
    rebuild_candidates(settings.warehouse_path, D26)
    result = publish_blacklist(D26, settings)
    assert result["sequence"] == 1 and result["actions"] == {"ADD": 0, "UPDATE": 0, "REMOVE": 1}
    correction = _rows(folder / "blacklist_delta_20260226_c01.csv")
    assert [(r["subject_key"], r["action"], r["removal_reason"], r["record_version"]) for r in correction] == [
        (key, "REMOVE", "ERROR", "2")
    ]
    assert key not in {r["subject_key"] for r in _rows(folder / "blacklist_snapshot_20260226_c01.csv")}
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name in delivered} == delivered


def test_dispute_upheld_and_expiry_remove_and_suppress_relisting(settings):
    from creditwh.pipeline.extracts import publish_blacklist

    publish_blacklist(D26, settings)
    with _con(settings, read_only=False) as con:
        listed = sorted(r[0] for r in con.execute(QUALIFYING, [D26]).fetchall())
        upheld, expired = listed[0], listed[-1]
        con.execute("insert into reporting.blacklist_resolutions values (?, 'DISPUTE_UPHELD', ?, 'case 1')",
                    [upheld, D27])  # fmt: skip
        con.execute("update reporting.blacklist_published set expiry_date = ? where person_id = ?", [D27, expired])
        keys = {_subject_key(con, upheld): "DISPUTE_UPHELD", _subject_key(con, expired): "EXPIRED"}
    publish_blacklist(D27, settings)
    delta = {r["subject_key"]: r for r in _rows(_folder(settings, D27) / "blacklist_delta_20260227.csv")}
    for key, reason in keys.items():
        assert (delta[key]["action"], delta[key]["removal_reason"]) == ("REMOVE", reason)
    publish_blacklist(D28, settings)  # both still qualify on the data, for the same (suppressed) reasons
    snapshot = {r["subject_key"] for r in _rows(_folder(settings, D28) / "blacklist_snapshot_20260228.csv")}
    assert not set(keys) & snapshot


def test_missing_key_is_a_clear_error_and_publishes_nothing(settings, monkeypatch):
    from creditwh.pipeline.extracts import publish_blacklist
    from creditwh.reporting.blacklist import BlacklistKeyMissing

    monkeypatch.delenv("CREDITWH_BLACKLIST_KEY")
    monkeypatch.delenv("AIRFLOW_CONN_BLACKLIST_HMAC", raising=False)
    with pytest.raises(BlacklistKeyMissing, match="CREDITWH_BLACKLIST_KEY.*blacklist_hmac"):
        publish_blacklist(D26, settings)
    assert not settings.outbox_dir.exists()


def test_two_publishes_give_identical_bytes(extracts_warehouse, tmp_path, monkeypatch):
    from creditwh.config import Settings
    from creditwh.pipeline.extracts import publish_blacklist

    monkeypatch.setenv("CREDITWH_BLACKLIST_KEY", TEST_KEY)
    outputs = []
    for run in ("a", "b"):
        shutil.copytree(extracts_warehouse, tmp_path / run)
        monkeypatch.setenv("CREDITWH_DATA_DIR", str(tmp_path / run))
        settings = Settings.from_env()
        publish_blacklist(D26, settings)
        outputs.append({p.name: p.read_bytes() for p in sorted(_folder(settings, D26).iterdir())})
    assert outputs[0] == outputs[1] and len(outputs[0]) == 4


def test_dbt_unit_tests_of_the_blacklist_candidates_pass(settings):
    # DPD 89 / 90 / 91, charged off owing vs paid, fraud, a person with three accounts, a dispute, band edges,
    # the expiry of a 29 Feb listing, and the policy read from the dbt vars
    from extracts_warehouse import run_dbt
    from test_extracts_bureau import _unit_tests_of

    result = run_dbt(settings.warehouse_path, "test", "--select", "rpt_blacklist_candidates,resource_type:unit_test")
    ran = {r.node.name: str(r.status) for r in result.result.results}
    declared = {u["name"] for u in _unit_tests_of("rpt_blacklist_candidates")}
    assert len(declared) >= 2 and set(ran) == declared, (ran, declared)
    assert set(ran.values()) == {"pass"}, ran


def test_candidates_are_the_rows_the_publication_lists(settings):
    """The dbt model decides who qualifies: the first day ADDs exactly its qualifying persons, with its
    reasons, amount band and expiry."""
    from creditwh.pipeline.extracts import publish_blacklist

    publish_blacklist(D26, settings)
    delta = {r["subject_key"]: r for r in _rows(_folder(settings, D26) / "blacklist_delta_20260226.csv")}
    with _con(settings) as con:
        candidates = con.execute("""select person_id, reason_codes, amount_band, listing_expiry_date
            from restricted.rpt_blacklist_candidates where business_date = ? and qualifies""", [D26]).fetchall()
        expected = {_subject_key(con, p): (reasons, band, f"{expiry:%Y-%m-%d}") for p, reasons, band, expiry in candidates}
    assert candidates and len(expected) == len(candidates)
    assert {k: (r["reason_codes"], r["amount_band"], r["expiry_date"]) for k, r in delta.items()} == expected


def test_subject_key_is_made_of_the_identity_key_dbt_built(settings):
    """Before: keys.py re-normalized id_type / id_number itself (a second, different rule). Now the message is
    dim_customer_pii.identity_key (int_customers_cleaned's merge key); a person whose id number fails
    validation or is missing is keyed PERSON:<person_id>, so two persons holding one invalid number never
    share a subject."""
    from creditwh.pipeline.extracts import publish_blacklist

    with _con(settings, read_only=False) as con:
        valid, invalid, same_invalid = [r[0] for r in con.execute(
            """select person_id from restricted.rpt_blacklist_candidates where business_date = ? and qualifies
               order by person_id limit 3""", [D26]).fetchall()]  # fmt: skip
        con.execute("update restricted.dim_customer_pii set identity_key = 'CN_RESIDENT_ID:FROM-DBT' where person_id = ?",
                    [valid])  # fmt: skip
        con.execute("""update restricted.dim_customer_pii set identity_key = null, id_number_is_valid = false,
                       id_type = 'SSN', id_number = '000-BAD' where person_id in (?, ?)""", [invalid, same_invalid])
    publish_blacklist(D26, settings)
    keys = {r["subject_key"] for r in _rows(_folder(settings, D26) / "blacklist_delta_20260226.csv")}

    def hmac_of(message: str) -> str:
        return hmac.new(TEST_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()

    assert {hmac_of("CN_RESIDENT_ID:FROM-DBT"), hmac_of(f"PERSON:{invalid}"), hmac_of(f"PERSON:{same_invalid}")} <= keys
    assert hmac_of("SSN:000-BAD") not in keys


def test_candidates_missing_for_the_date_refuse_instead_of_removing_everyone(settings):
    """A date whose candidates were not built would compare an empty set with the published listing: every
    listed person removed as PAID. The publication refuses, naming the model and the date."""
    from creditwh.pipeline.extracts import publish_blacklist
    from creditwh.reporting.blacklist.delta import BlacklistInputMissing

    publish_blacklist(D26, settings)
    with _con(settings, read_only=False) as con:
        con.execute("delete from restricted.rpt_blacklist_candidates where business_date = ?", [D27])
    with pytest.raises(BlacklistInputMissing, match="rpt_blacklist_candidates has no rows for the date"):
        publish_blacklist(D27, settings)
    assert not _folder(settings, D27).exists()


def test_identity_keys_left_unfilled_refuse_instead_of_rekeying(settings):
    """A person dimension built before identity_key existed holds it null for valid ids: their subject keys
    would silently change. The publication refuses and names the rebuild."""
    from creditwh.pipeline.extracts import publish_blacklist
    from creditwh.reporting.blacklist.delta import BlacklistInputMissing

    with _con(settings, read_only=False) as con:
        con.execute("update restricted.dim_customer_pii set identity_key = null where id_number_is_valid")
    with pytest.raises(BlacklistInputMissing, match=r"persons with a valid id number but no identity_key"):
        publish_blacklist(D26, settings)
    assert not _folder(settings, D26).exists()


@pytest.fixture(scope="module")
def shared_id_data_dir(tmp_path_factory):
    """Two drops (26-27 Feb) of 400 simulated accounts where two different people, each holding a
    charged-off account with a balance (both blacklisted), carry one valid resident id number; built as the
    extracts warehouse is (load, dbt models per date, marts verdict recorded)."""
    from creditwh.config import Settings
    from creditwh.load import load_drop
    from creditwh.load.acceptance import record_marts_verdict
    from creditwh.quality.gate import GateResult
    from creditwh.simulate import CardPlatform, SimConfig, write_drop
    from creditwh.simulate.customers import CN
    from creditwh.simulate.ledger import CHARGED_OFF
    from extracts_warehouse import build_day

    root = tmp_path_factory.mktemp("shared_id")
    platform = CardPlatform(SimConfig(n_accounts=400, start_date=D26, seed=5))
    acc, people = platform.acc, platform.cust.store
    charged_off = acc.customer[(acc.status == CHARGED_OFF) & (acc.balance > 0)]
    holders = [int(c) for c in dict.fromkeys(charged_off.tolist()) if people.kind[c] == CN]
    first = holders[0]
    second = next(c for c in holders[1:] if people.family[c] != people.family[first])
    for field in ("id_region", "birth_day", "id_seq"):  # the second person gets the first's resident id
        getattr(people, field)[second] = getattr(people, field)[first]
    people.id_bad_check[[first, second]] = False
    for i in range(2):
        drop = write_drop(platform.step(), root / "landing")
        load_drop(root / "warehouse.duckdb", drop, D26 + dt.timedelta(days=i), accept=True)
        build_day(root / "warehouse.duckdb", D26 + dt.timedelta(days=i))
        record_marts_verdict(Settings(data_dir=root), GateResult("marts_gate", D26 + dt.timedelta(days=i)))
    return root, [f"C{c + 1:09d}" for c in (first, second)]


def test_a_resident_id_shared_by_two_people_is_flagged_not_merged_and_keyed_by_person(
    shared_id_data_dir, tmp_path, monkeypatch
):
    """Before: the two customers merged silently into one person (the id number was the whole merge rule),
    and at 10M accounts two persons keyed by one id number stopped record_publication on a duplicate key.
    Now: two persons, both flagged, each keyed PERSON:<person_id>; the dbt warn test counts the conflict;
    both days publish, and a re-run of the second day is a no-op."""
    from creditwh.config import Settings
    from creditwh.pipeline.extracts import publish_blacklist
    from extracts_warehouse import run_dbt

    root, customers = shared_id_data_dir
    shutil.copytree(root, tmp_path / "data")
    monkeypatch.setenv("CREDITWH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CREDITWH_BLACKLIST_KEY", TEST_KEY)
    settings = Settings.from_env()
    with _con(settings) as con:
        mapped = con.execute(
            """select customer_id, person_id, has_identity_conflict, identity_key
            from intermediate.int_customer_person where customer_id in (?, ?) order by 1""",
            customers,
        ).fetchall()
        persons = [m[1] for m in mapped]
        flagged = con.execute(
            """select person_id, has_identity_conflict from restricted.dim_customer_pii
            where person_id in (?, ?) order by 1""",
            persons,
        ).fetchall()
    assert len(mapped) == 2 and persons[0] != persons[1] and mapped[0][3] == mapped[1][3] is not None
    assert all(m[2] for m in mapped) and flagged == sorted((p, True) for p in persons)

    warn = run_dbt(settings.warehouse_path, "test", "--select", "identity_numbers_shared_by_different_people")
    (result,) = warn.result.results
    assert (str(result.status), result.failures) == ("warn", 1)
    units = run_dbt(settings.warehouse_path, "test", "--select", "int_customer_person,resource_type:unit_test",
                    "dim_customer_pii,resource_type:unit_test")  # fmt: skip
    ran = {r.node.name: str(r.status) for r in units.result.results}
    assert "test_person_merge_and_identity_conflicts" in ran and set(ran.values()) == {"pass"}, ran

    for day in (D26, D27, D27):
        publish_blacklist(day, settings)
    snapshot = _rows(_folder(settings, D27) / "blacklist_snapshot_20260227.csv")
    keys = [r["subject_key"] for r in snapshot]
    expected = {
        hmac.new(TEST_KEY.encode(), f"PERSON:{p}".encode(), hashlib.sha256).hexdigest() for p in persons
    }
    assert len(keys) == len(set(keys)) and expected <= set(keys)
    with _con(settings) as con:
        assert {_subject_key(con, p) for p in persons} == expected
        (publications,) = con.execute("select count(*) from reporting.blacklist_publications").fetchone()
    assert publications == 2  # the re-run of 27 Feb found nothing new

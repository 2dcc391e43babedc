"""The blacklist's HMAC key: weak keys refused, each publication records its key id, a changed key is refused
unless its rotation is declared, and a declared rotation re-keys the subjects without removing or re-adding
anyone."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import hashlib
import json
import shutil

import duckdb
import pytest
from creditwh.config import Settings
from extracts_warehouse import TEST_KEY

D26, D27, D28 = dt.date(2026, 2, 26), dt.date(2026, 2, 27), dt.date(2026, 2, 28)
NEW_KEY = hashlib.sha256(b"creditwh tests: the rotated blacklist key").hexdigest()  # a dummy, not a secret


def _rows(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _folder(settings, day):
    return settings.outbox_dir / "blacklist" / f"{day:%Y-%m-%d}"


@pytest.mark.parametrize("weak", ["change-me", "short-but-random-7f3a9c", "a" * 64, "ab" * 32])
def test_weak_keys_are_refused_with_a_clear_message(weak, tmp_path, monkeypatch):
    from creditwh.pipeline.extracts import publish_blacklist
    from creditwh.reporting.blacklist import BlacklistKeyWeak

    monkeypatch.setenv("CREDITWH_BLACKLIST_KEY", weak)
    with pytest.raises(
        BlacklistKeyWeak, match=r"CREDITWH_BLACKLIST_KEY is too weak: .*at least 32 bytes"
    ) as err:
        publish_blacklist(D26, Settings(data_dir=tmp_path))
    assert weak not in str(err.value)  # the message never shows the key
    assert not (tmp_path / "outbox").exists() and not (tmp_path / "warehouse.duckdb").exists()


@pytest.mark.slow
def test_key_id_is_recorded_with_the_publication_and_in_every_manifest_never_the_key(settings):
    from creditwh.pipeline.extracts import publish_blacklist
    from creditwh.reporting.blacklist import key_id

    expected = key_id(TEST_KEY.encode())
    assert len(expected) == 16 and expected != key_id(NEW_KEY.encode())
    publish_blacklist(D26, settings)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("select key_id from reporting.blacklist_publications").fetchall() == [(expected,)]
    folder = _folder(settings, D26)
    manifests = [json.loads(p.read_text()) for p in folder.glob("*.manifest.json")]
    assert len(manifests) == 2 and {m["key_id"] for m in manifests} == {expected}
    assert not any(TEST_KEY.encode() in p.read_bytes() for p in folder.iterdir())


@pytest.mark.slow
def test_a_changed_key_is_refused_without_a_declared_rotation(settings, monkeypatch):
    """Before: a different key re-keyed the blacklist silently (everyone REMOVEd as PAID and ADDed again)."""
    from creditwh.pipeline.extracts import publish_blacklist
    from creditwh.reporting.blacklist import BlacklistKeyChanged, key_id

    publish_blacklist(D26, settings)
    monkeypatch.setenv("CREDITWH_BLACKLIST_KEY", NEW_KEY)
    old, new = key_id(TEST_KEY.encode()), key_id(NEW_KEY.encode())
    with pytest.raises(
        BlacklistKeyChanged, match=rf"id {new}.*used key id {old}.*CREDITWH_BLACKLIST_KEY_ROTATION"
    ):
        publish_blacklist(D27, settings)
    monkeypatch.setenv("CREDITWH_BLACKLIST_KEY_ROTATION", "0123456789abcdef")  # not the old key's id
    with pytest.raises(BlacklistKeyChanged, match=f"does not name the key of the last publication.*{old}"):
        publish_blacklist(D27, settings)
    assert not _folder(settings, D27).exists()
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from reporting.blacklist_published where business_date > ?",
                           [D26]).fetchone()[0] == 0  # fmt: skip


@pytest.mark.slow
def test_a_declared_rotation_rekeys_every_subject_and_changes_nothing_else(
    extracts_warehouse, tmp_path, monkeypatch
):
    from creditwh.pipeline.extracts import publish_blacklist
    from creditwh.reporting.blacklist import BlacklistKeyChanged, key_id

    def publish_two_days(run: str, rotate: bool) -> Settings:
        shutil.copytree(extracts_warehouse, tmp_path / run)
        monkeypatch.setenv("CREDITWH_DATA_DIR", str(tmp_path / run))
        monkeypatch.setenv("CREDITWH_BLACKLIST_KEY", TEST_KEY)
        monkeypatch.delenv("CREDITWH_BLACKLIST_KEY_ROTATION", raising=False)
        settings = Settings.from_env()
        publish_blacklist(D26, settings)
        if rotate:
            monkeypatch.setenv("CREDITWH_BLACKLIST_KEY", NEW_KEY)
            monkeypatch.setenv("CREDITWH_BLACKLIST_KEY_ROTATION", key_id(TEST_KEY.encode()))
        publish_blacklist(D27, settings)
        return settings

    kept = publish_two_days("kept", rotate=False)
    rotated = publish_two_days("rotated", rotate=True)
    rekey = {r["previous_subject_key"]: r["subject_key"]
             for r in _rows(_folder(rotated, D27) / "blacklist_rekey_20260227.csv")}  # fmt: skip
    first_day = {r["subject_key"] for r in _rows(_folder(kept, D26) / "blacklist_delta_20260226.csv")}
    assert set(rekey) == first_day and not set(rekey.values()) & first_day  # every subject, all new keys

    def rekeyed(rows):  # the unrotated run's rows under the new keys, versions aside
        return collections.Counter(tuple(sorted({**r, "subject_key": rekey.get(r["subject_key"], "new"),
                                                 "record_version": ""}.items())) for r in rows)  # fmt: skip

    def plain(rows):
        return collections.Counter(tuple(sorted({**r, "subject_key": r["subject_key"] if r["subject_key"] in
                                                 rekey.values() else "new", "record_version": ""}.items()))
                                   for r in rows)  # fmt: skip

    for part in ("delta", "snapshot"):  # same actions, reasons, listing dates: no REMOVE/ADD from the key
        name = f"blacklist_{part}_20260227.csv"
        assert plain(_rows(_folder(rotated, D27) / name)) == rekeyed(_rows(_folder(kept, D27) / name)), part
    snapshot = _rows(_folder(rotated, D27) / "blacklist_snapshot_20260227.csv")
    assert {r["listed_date"] for r in snapshot if r["subject_key"] in rekey.values()} == {"2026-02-26"}
    manifest = json.loads((_folder(rotated, D27) / "blacklist_rekey_20260227.csv.manifest.json").read_text())
    assert (manifest["previous_key_id"], manifest["key_id"]) == (
        key_id(TEST_KEY.encode()),
        key_id(NEW_KEY.encode()),
    )
    with duckdb.connect(str(rotated.warehouse_path), read_only=True) as con:
        assert con.execute("select business_date, key_id from reporting.blacklist_publications order by 1").fetchall() \
            == [(D26, key_id(TEST_KEY.encode())), (D27, key_id(NEW_KEY.encode()))]  # fmt: skip
    assert publish_blacklist(D28, rotated)["status"] == "published"  # the next days run as usual
    assert publish_blacklist(D27, rotated)["status"] == "unchanged"  # a re-run of the rotation day is a no-op
    with pytest.raises(BlacklistKeyChanged, match="before the key rotation of 2026-02-27"):
        publish_blacklist(D26, rotated)  # its baseline is in old keys

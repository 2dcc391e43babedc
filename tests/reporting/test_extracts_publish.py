"""creditwh.publish: staged files, manifests, atomic and conflict-safe moves into the outbox."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from creditwh.config import Settings
from creditwh.publish import Publication, PublishConflict, PublishVerificationFailed

DAY = dt.date(2026, 1, 31)


def _publish(settings: Settings, content: bytes, name: str = "x.dat") -> list:
    with Publication(settings, "demo", DAY) as pub:
        pub.path(name).write_bytes(content)
        pub.add(name, records=2, control_totals={"current_balance": 10}, kind="original")
        return pub.commit()


def test_commit_moves_file_and_manifest_and_removes_staging(tmp_path):
    settings = Settings(data_dir=tmp_path)
    (path,) = _publish(settings, b"ab\ncd")
    assert path == tmp_path / "outbox/demo/2026-01-31/x.dat" and path.read_bytes() == b"ab\ncd"
    manifest = json.loads((path.parent / "x.dat.manifest.json").read_text())
    assert manifest["byte_size"] == 5 and manifest["record_count"] == 2 and manifest["as_of_date"] == "2026-01-31"
    assert manifest["sha256"] == hashlib.sha256(b"ab\ncd").hexdigest()
    assert list((tmp_path / "outbox/.staging").iterdir()) == []


def test_same_bytes_again_is_idempotent_different_bytes_conflict(tmp_path):
    settings = Settings(data_dir=tmp_path)
    _publish(settings, b"ab\ncd")
    _publish(settings, b"ab\ncd")
    with pytest.raises(PublishConflict, match="correction"):
        _publish(settings, b"ab\nXX")
    assert (tmp_path / "outbox/demo/2026-01-31/x.dat").read_bytes() == b"ab\ncd"


def test_a_file_changed_after_its_manifest_is_not_published(tmp_path):
    settings = Settings(data_dir=tmp_path)
    with Publication(settings, "demo", DAY) as pub:
        pub.path("x.dat").write_bytes(b"ab")
        pub.add("x.dat", records=1, control_totals={}, kind="original")
        pub.path("x.dat").write_bytes(b"abc")
        with pytest.raises(PublishVerificationFailed):
            pub.commit()
    assert not (tmp_path / "outbox/demo").exists()
    assert list((tmp_path / "outbox/.staging").iterdir()) == []


def _sealed_not_delivered(settings: Settings, con, content: bytes) -> Publication:
    """A publication whose warehouse transaction committed but whose process died before delivering."""
    pub = Publication(settings, "demo", DAY)
    with pub:
        pub.path("x.dat").write_bytes(content)
        pub.add("x.dat", records=2, control_totals={}, kind="original")
        con.execute("BEGIN")
        pub.seal(con)
        con.execute("COMMIT")
    return pub


def test_recover_delivers_a_sealed_publication_and_sweeps_orphan_staging(tmp_path):
    import duckdb
    from creditwh.publish import recover

    settings = Settings(data_dir=tmp_path)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    pub = _sealed_not_delivered(settings, con, b"ab\ncd")
    assert pub.staging_dir.exists() and not (tmp_path / "outbox/demo").exists()  # kept for recovery
    orphan = tmp_path / "outbox/.staging/demo-20260131-killedbeforeseal"
    orphan.mkdir()
    (orphan / "x.dat").write_bytes(b"never recorded")
    target = tmp_path / "outbox/demo/2026-01-31/x.dat"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"half-moved other bytes")  # no manifest: never delivered, so replaced
    assert recover(con, settings) == [target]
    assert target.read_bytes() == b"ab\ncd" and json.loads(Path(f"{target}.manifest.json").read_text())["sha256"]
    assert list((tmp_path / "outbox/.staging").iterdir()) == []
    assert con.execute("select file_name, delivered from reporting.outbox_files").fetchall() == [("x.dat", True)]
    assert recover(con, settings) == []  # nothing left to do


def test_recover_refuses_bytes_changed_after_sealing(tmp_path):
    import duckdb
    from creditwh.publish import PublishRecoveryFailed, recover

    settings = Settings(data_dir=tmp_path)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    pub = _sealed_not_delivered(settings, con, b"ab\ncd")
    pub.path("x.dat").write_bytes(b"tampered")
    with pytest.raises(PublishRecoveryFailed, match=r"x.dat: sha256 differs from the sealed publication"):
        recover(con, settings)
    assert not (tmp_path / "outbox/demo").exists()
    assert con.execute("select delivered from reporting.outbox_files").fetchall() == [(False,)]

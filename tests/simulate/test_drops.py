"""Landing drops: byte-deterministic per seed, different across seeds, manifests that match the files."""

import hashlib

import pyarrow.parquet as pq
from creditwh.contract import DATASETS
from creditwh.landing.manifest import read_manifest
from creditwh.simulate import SimConfig, simulate_to_landing

from .conftest import START


def _digests(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file()}  # fmt: skip


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    cfg = SimConfig(n_accounts=600, start_date=START, seed=42)
    seen = []
    drops = simulate_to_landing(cfg, 3, tmp_path / "a", progress=seen.append)
    simulate_to_landing(cfg, 3, tmp_path / "b")
    simulate_to_landing(SimConfig(n_accounts=600, start_date=START, seed=43), 3, tmp_path / "c")
    a, b, c = (_digests(tmp_path / x) for x in "abc")
    assert len(a) == 3 * (len(DATASETS) + 1) and a == b  # every dataset and the manifest, each day
    assert all(a[name] != c[name] for name in a if "accounts" in name or "payments" in name)
    assert [d.name for d in drops] == ["2026-01-01", "2026-01-02", "2026-01-03"]
    assert seen == [START.replace(day=d) for d in (1, 2, 3)]


def test_manifest_agrees_with_the_files(tmp_path):
    cfg = SimConfig(n_accounts=600, start_date=START, seed=9)
    for drop in simulate_to_landing(cfg, 2, tmp_path):
        business_date = START.replace(day=int(drop.name[-2:]))
        manifest = read_manifest(drop, business_date)
        assert manifest["source_system"] == "cardsim" and manifest["business_date"] == drop.name
        for dataset in DATASETS:
            entry = manifest["files"][dataset.name]
            path = drop / entry["file"]
            tbl = pq.read_table(path)
            assert entry["records"] == tbl.num_rows
            assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
            for column, total in entry["control_totals"].items():
                assert total == f"{sum(v for v in tbl.column(column).to_pylist() if v is not None):.2f}"

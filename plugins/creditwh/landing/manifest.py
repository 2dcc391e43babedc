"""Control manifests: what a drop claims about its files, written last so its presence means 'complete'.

Reading a manifest for a load goes through ``manifest_rules.read_checked_manifest``; ``read_manifest``
here is the unchecked reader for tools and tests.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path

import duckdb

from creditwh.checksums import sha256_file
from creditwh.contract import BY_NAME, DATASETS, manifest_name


def control_totals(
    con: duckdb.DuckDBPyConnection, relation: str, dataset: str, params: Sequence[object] = ()
) -> tuple[int, dict[str, str]]:
    """Record count and money totals of a relation, as the manifest states them (decimal strings).

    `relation` is SQL written by the caller, never input text: file paths go in `params` (e.g.
    ``control_totals(con, "read_parquet(?)", "accounts", [str(path)])``)."""
    columns = BY_NAME[dataset].control_totals
    sums = "".join(f", coalesce(sum({c}), 0)::DECIMAL(38,2)::VARCHAR" for c in columns)
    row = con.execute(f"select count(*){sums} from {relation}", list(params)).fetchone()
    return int(row[0]), dict(zip(columns, row[1:], strict=False))


def write_manifest(
    drop_dir: Path, business_date: dt.date, source_system: str, con: duckdb.DuckDBPyConnection | None = None
) -> Path:
    """Compute counts, totals and checksums of the drop's data files and write the manifest atomically."""
    con = con or duckdb.connect()
    files = {}
    for dataset in DATASETS:
        path = drop_dir / dataset.file_name(business_date)
        records, totals = control_totals(con, "read_parquet(?)", dataset.name, [str(path)])
        files[dataset.name] = {
            "file": path.name,
            "records": records,
            "sha256": sha256_file(path).sha256,
            "control_totals": totals,
        }
    manifest = {"business_date": business_date.isoformat(), "source_system": source_system, "files": files}
    target = drop_dir / manifest_name(business_date)
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, target)
    return target


def read_manifest(drop_dir: Path, business_date: dt.date) -> dict:
    return json.loads((drop_dir / manifest_name(business_date)).read_text())

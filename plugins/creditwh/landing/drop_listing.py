"""The drop folder holds exactly what its manifest lists: the contract's three files and the manifest.

* Every data file is present and a regular file in the folder itself: a symlink could make us load (and
  archive as "the input") bytes from anywhere, so links are rejected whatever they point at.
* Anything else visible in the folder is an error (rule ``unlisted_file``): another day's file, a second
  manifest, a sub-folder, and also a visible temporary (``*.tmp``, ``*.part``). The writers here (the
  simulator, the PostgreSQL extract, ``write_manifest``) rename their temporaries into place before the
  manifest appears, so a visible temporary next to a manifest means a writer still at work or a crashed
  re-delivery: the drop is not the one the manifest describes.
* Hidden entries (names starting with ".") are ignored: they are filesystem and transfer-tool artefacts
  (``.DS_Store``, NFS ``.nfs*`` silly-renames, rsync's ``.name.XXXXXX`` partial files), the loader never
  reads them (it opens only the contract's names), and rejecting them would fail a good delivery for
  something the platform did not send.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from creditwh.contract import DATASETS, manifest_name
from creditwh.errors import DropRejected


def expected_names(business_date: dt.date) -> set[str]:
    return {manifest_name(business_date)} | {d.file_name(business_date) for d in DATASETS}


def check_drop_listing(drop_dir: Path, business_date: dt.date) -> None:
    for dataset in DATASETS:
        check_regular_file(drop_dir / dataset.file_name(business_date))
    unlisted = sorted(
        p.name
        for p in drop_dir.iterdir()
        if not p.name.startswith(".") and p.name not in expected_names(business_date)
    )
    if unlisted:
        raise DropRejected(
            drop_dir / unlisted[0],
            "unlisted_file",
            f"not listed in {manifest_name(business_date)}: {unlisted} (a drop holds only the manifest and "
            f"{sorted(d.file_name(business_date) for d in DATASETS)})",
        )


def check_regular_file(path: Path) -> None:
    if path.is_symlink():
        raise DropRejected(
            path, "regular_file", f"a link (to {path.readlink()}), not a file delivered in the drop"
        )
    if not path.exists():
        raise DropRejected(path, "file_present", "file listed in the manifest is missing")
    if not path.is_file():
        raise DropRejected(path, "regular_file", "not a regular file")

"""What a valid manifest is. Nothing in it is trusted: every key and value is checked before it is used.

A manifest is a UTF-8 JSON object with exactly the keys ``business_date`` (the drop's date), ``source_system``
and ``files``; ``files`` has exactly one entry per contract dataset, and each entry exactly ``file`` (the
contract's name for the dataset and date: a plain name inside the drop, never a path), ``records`` (a
non-negative integer), ``sha256`` (64 lowercase hex digits) and ``control_totals`` (the dataset's money
columns, each a decimal string with two places). Duplicate keys, unknown keys and NaN/Infinity are errors:
a contract change has to be made here, not discovered in a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

from creditwh.contract import BY_NAME, manifest_name
from creditwh.errors import DropNotArrived, DropRejected

TOP_KEYS = frozenset({"business_date", "source_system", "files"})
ENTRY_KEYS = frozenset({"file", "records", "sha256", "control_totals"})
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# Sums of DECIMAL(18,2) values as DECIMAL(38,2), written with exactly two places ("-12.30", "0.00").
DECIMAL_TEXT = re.compile(r"-?[0-9]{1,36}\.[0-9]{2}")
MAX_SOURCE_SYSTEM = 200


def read_checked_manifest(drop_dir: Path, business_date: dt.date) -> tuple[dict, str]:
    """The drop's manifest, checked against the rules above, and the SHA-256 of the bytes that were parsed."""
    path = drop_dir / manifest_name(business_date)
    if not path.exists() and not path.is_symlink():
        raise DropNotArrived(f"{path}: manifest not found (the drop for {business_date} is not complete)")
    if path.is_symlink() or not path.is_file():
        raise DropRejected(
            path, "regular_file", "the manifest must be a regular file in the drop folder, not a link"
        )
    data = path.read_bytes()
    manifest = _parse(path, data)
    check_manifest(path, manifest, business_date)
    # Hash the bytes that were parsed (not the file again): the batch id then names exactly this manifest.
    return manifest, hashlib.sha256(data).hexdigest()


def check_manifest(path: Path, manifest: object, business_date: dt.date) -> None:
    if not isinstance(manifest, dict):
        raise DropRejected(
            path, "manifest_object", f"the manifest must be a JSON object, found {_kind(manifest)}"
        )
    _exact_keys(path, "", manifest, TOP_KEYS)
    stamped = manifest["business_date"]
    if stamped != business_date.isoformat():
        raise DropRejected(
            path,
            "manifest_business_date",
            f"key business_date: manifest is for {stamped!r}, expected {business_date}",
        )
    source = manifest["source_system"]
    if not isinstance(source, str) or not 0 < len(source) <= MAX_SOURCE_SYSTEM:
        raise DropRejected(
            path,
            "manifest_source_system",
            f"key source_system: a text of 1..{MAX_SOURCE_SYSTEM} characters, found {_show(source)}",
        )
    files = manifest["files"]
    if not isinstance(files, dict):
        raise DropRejected(path, "manifest_files", f"key files: must be an object, found {_kind(files)}")
    unknown = sorted(set(files) - set(BY_NAME))
    if unknown:
        raise DropRejected(
            path,
            "manifest_files",
            f"key files: unknown dataset(s) {unknown}, the contract has {list(BY_NAME)}",
        )
    missing = [name for name in BY_NAME if name not in files]
    if missing:
        raise DropRejected(path, "manifest_files", f"key files: no entry for {missing}")
    for name, entry in files.items():
        _check_entry(path, name, entry, business_date)


def _check_entry(path: Path, name: str, entry: object, business_date: dt.date) -> None:
    at = f"files.{name}"
    if not isinstance(entry, dict):
        raise DropRejected(path, "manifest_entry", f"key {at}: must be an object, found {_kind(entry)}")
    _exact_keys(path, f"{at}.", entry, ENTRY_KEYS)
    dataset = BY_NAME[name]
    expected_file = dataset.file_name(business_date)
    if entry["file"] != expected_file:
        raise DropRejected(
            path,
            "manifest_file_name",
            f"key {at}.file: {_show(entry['file'])} is not the contract's name {expected_file!r} "
            "(a manifest names only the contract's files inside its own drop folder)",
        )
    records = entry["records"]
    if isinstance(records, bool) or not isinstance(records, int) or records < 0:
        raise DropRejected(
            path,
            "manifest_records",
            f"key {at}.records: must be a non-negative integer, found {_show(records)}",
        )
    sha = entry["sha256"]
    if not isinstance(sha, str) or not SHA256_HEX.fullmatch(sha):
        raise DropRejected(
            path, "manifest_sha256", f"key {at}.sha256: must be 64 lowercase hex digits, found {_show(sha)}"
        )
    totals = entry["control_totals"]
    if not isinstance(totals, dict):
        raise DropRejected(
            path,
            "manifest_control_totals",
            f"key {at}.control_totals: must be an object, found {_kind(totals)}",
        )
    _exact_keys(
        path,
        f"{at}.control_totals.",
        totals,
        frozenset(dataset.control_totals),
        rule="manifest_control_totals",
    )
    for column, value in totals.items():
        if not isinstance(value, str) or not DECIMAL_TEXT.fullmatch(value):
            raise DropRejected(
                path,
                "manifest_control_totals",
                f"key {at}.control_totals.{column}: must be a decimal string with two places, found {_show(value)}",
            )


def _parse(path: Path, data: bytes) -> object:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DropRejected(path, "manifest_json", f"not UTF-8 text: {exc}") from exc
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except ValueError as exc:  # JSONDecodeError and the hooks' errors
        raise DropRejected(path, "manifest_json", f"not valid JSON: {exc}") from exc


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    # json.loads would keep the last of two entries silently; which one the platform meant is unknowable.
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen[key] = value
    return seen


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _exact_keys(
    path: Path, at: str, obj: dict, expected: frozenset[str], rule: str = "manifest_keys"
) -> None:
    missing = sorted(expected - set(obj))
    unknown = sorted(set(obj) - expected)
    if missing or unknown:
        raise DropRejected(
            path,
            rule,
            f"keys {at or '(top level)'}: missing {[at + k for k in missing]}, unknown {[at + k for k in unknown]}",
        )


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return (text if len(text) <= 80 else text[:77] + "...") + f" ({_kind(value)})"

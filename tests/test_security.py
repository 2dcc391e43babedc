"""What leaves the building is private: files the pipeline creates under the data directory (warehouse, outbox
extracts, staging, Airflow home, GX results) are readable by their owner only, or by the configured shared
group; and the repository holds no secrets or keys.

The permission tests run the real entry points (the `creditwh` CLI, the DAG through `creditwh run`; the
extracts' task bodies in tests/reporting/test_extract_permissions.py) in subprocesses started with the usual login umask 022, under which files used to
come out world-readable (0644)."""

from __future__ import annotations

import base64
import hashlib
import math
import os
import re
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sim_dates import START

REPO_ROOT = Path(__file__).resolve().parents[1]
CREDITWH = Path(sys.executable).with_name("creditwh")


def _run(args: list[str], data_dir: Path, **env) -> subprocess.CompletedProcess:
    done = subprocess.run(args, env={**os.environ, "CREDITWH_DATA_DIR": str(data_dir), **env},
                          preexec_fn=lambda: os.umask(0o022), capture_output=True, text=True, timeout=900,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done


def _too_open(root: Path, allowed: int, skip: tuple[str, ...] = ()) -> list[str]:
    """Paths under root (root included) whose mode grants more than `allowed` to group/others."""
    paths = [root, *(p for p in root.rglob("*") if p.relative_to(root).parts[0] not in skip)]
    return [f"{p.relative_to(root)} {stat.filemode(p.lstat().st_mode)}" for p in paths
            if stat.S_IMODE(p.lstat().st_mode) & 0o077 & ~allowed]  # fmt: skip


def test_the_cli_creates_a_private_warehouse_and_tightens_the_data_dir(data_dir):
    data_dir.chmod(0o755)  # as an earlier release or `mkdir` left it
    _run([str(CREDITWH), "load", "--date", START.isoformat()], data_dir)
    assert (data_dir / "warehouse.duckdb").exists()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    assert _too_open(data_dir, 0, skip=("landing",)) == []


def test_an_unknown_shared_group_is_a_clear_error(tmp_path, monkeypatch):
    from creditwh.config import SettingsError, settings

    monkeypatch.setenv("CREDITWH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CREDITWH_SHARED_GROUP", "no-such-group-creditwh")
    with pytest.raises(SettingsError, match="CREDITWH_SHARED_GROUP='no-such-group-creditwh': no such group"):
        settings()


@pytest.mark.slow
def test_a_daily_run_through_airflow_leaves_nothing_readable_by_others(data_dir, airflow_db):
    _run([str(CREDITWH), "run", "--start", START.isoformat(), "--end", START.isoformat()], data_dir)
    assert (data_dir / "warehouse.duckdb").exists() and (data_dir / "outbox" / "blacklist").exists()
    assert _too_open(data_dir, 0, skip=("landing",)) == []


# ---------------------------------------------------------------- secrets in the repository

# Values the documentation uses in place of a secret.
PLACEHOLDERS = {"change-me", "…", "...", "password", "pass", "<password>", "user:pass", "xxx"}
CONFIG_SUFFIXES = (
    ".yml",
    ".yaml",
    ".toml",
    ".ini",
    ".cfg",
    ".conf",
    ".json",
    ".env",
    ".example",
    ".properties",
)
LOCK_FILES = {"uv.lock"}  # package hashes, not secrets
RULES = {
    "private key block": re.compile(r"-{5}BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-{5}"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA|AGPA)[0-9A-Z]{16}\b"),
    "AWS secret access key": re.compile(r"(?i)aws_secret_access_key\s*[=:]\s*['\"]?[A-Za-z0-9/+]{40}\b"),
    "GitHub / Slack token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|xox[abprs]-[A-Za-z0-9-]{10,})"),
}
# a literal value, not a call such as os.environ.get(...)
PASSWORD = re.compile(
    r"""(?i)\b(?:password|passwd|pwd)\b["']?\s*[=:]\s*["']?(?P<value>[^\s"',;(){}]++)(?!\()"""
)
URI_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:(?P<value>[^@\s/'\"]+)@")
HEX_32_BYTES = re.compile(r"(?<![0-9A-Fa-f:])[0-9A-Fa-f]{64,}(?![0-9A-Fa-f])")
ASSIGNED_SECRET = re.compile(
    r"""(?i)(?:secret|token|api_?key|private_?key|fernet_?key|hmac_?key|_key)["']?\s*[=:]\s*["'](?P<value>[A-Za-z0-9+/=_-]{32,})["']"""
)


def _looks_random(value: str) -> bool:
    counts = Counter(value)
    bits_per_char = sum(n / len(value) * math.log2(len(value) / n) for n in counts.values())
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value) and bits_per_char >= 4.0


def _placeholder(value: str) -> bool:
    """Not a literal: a placeholder, a template or environment reference, a constant's name, an attribute
    reference (self.x) or the type annotation str."""
    return (value.lower() in PLACEHOLDERS or value.startswith(("$", "{{", "%(", "<"))
            or re.fullmatch(r"[A-Z_]+", value) is not None
            or re.fullmatch(r"[A-Za-z_]\w*(?:\.\w+)+", value) is not None
            or value == "str")  # fmt: skip


def scan_text(name: str, text: str) -> list[str]:
    """Findings as 'file:line: rule' (the value itself is never repeated)."""
    is_config = name.endswith(CONFIG_SUFFIXES) or Path(name).name.startswith((".env", "Dockerfile"))
    findings = []
    for number, line in enumerate(text.splitlines(), 1):
        found = [rule for rule, pattern in RULES.items() if pattern.search(line)]
        found += ["password literal" for m in PASSWORD.finditer(line) if not _placeholder(m["value"])]
        found += ["password in a URI" for m in URI_PASSWORD.finditer(line) if not _placeholder(m["value"])]
        found += ["assigned secret" for m in ASSIGNED_SECRET.finditer(line) if _looks_random(m["value"])]
        if is_config:
            found += ["hex string of 32+ bytes in config" for _ in HEX_32_BYTES.finditer(line)]
        findings += [f"{name}:{number}: {rule}" for rule in found]
    return findings


def scan_repository(root: Path) -> list[str]:
    names = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout
    findings = []
    for name in filter(None, names.decode().split("\0")):
        path = root / name
        if name in LOCK_FILES or not path.is_file():
            continue
        data = path.read_bytes()
        if b"\0" not in data[:8192]:  # text files only
            findings += scan_text(name, data.decode("utf-8", errors="replace"))
    return findings


def test_the_repository_holds_no_secrets_or_keys():
    assert scan_repository(REPO_ROOT) == []


def test_the_scanner_finds_each_kind_of_secret_and_passes_placeholders(tmp_path):
    def fake(label: str) -> str:  # deterministic random-looking values, built at run time
        return hashlib.sha256(label.encode()).hexdigest()

    planted = {  # so this file itself holds none of them
        "deploy/id_rsa": "-" * 5 + "BEGIN RSA PRIVATE KEY" + "-" * 5 + "\nMIIE...\n",
        "settings.py": f'AWS_KEY = "AKIA{fake("aws")[:16].upper()}"\n',
        "airflow.cfg": f"[database]\npassword = {fake('pw')[:20]}\n",
        "conn.env": f"CONN=postgresql://etl:{fake('uri')[:12]}@db:5432/x\n",
        "config.yml": f"hmac: {fake('hex')}\n",
        "keys.py": f'HMAC_KEY = "{base64.urlsafe_b64encode(bytes.fromhex(fake("b64"))).decode()}"\n',
    }
    for name, text in planted.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / ".env.example").write_text("POSTGRES_PASSWORD=change-me\nURI=postgresql://USER:PASSWORD@HOST/db\n"
                                           "password: '{{ env_var(\"PG_PASSWORD\", \"\") }}'\n")  # fmt: skip
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)  # a throwaway repository of its own
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    findings = scan_repository(tmp_path)
    assert {line.split(":")[0] for line in findings} == set(planted), findings


def test_references_and_annotations_are_not_literals():
    assert scan_text("a.py", "def f(password: str):\n    send(password=self.password)\n") == []
    literal = "pass" + "word = 'hunter2-literal'\n"  # split: this file is scanned too
    assert scan_text("a.py", literal) == ["a.py:1: password literal"]

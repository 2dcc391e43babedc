"""The docs site of the served run's data directory: built, published by a symlink swap, served over HTTP."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request

import pytest
from creditwh.config import Settings
from creditwh.serving.docs_site import build_site, serve, site_dir

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    for _ in range(50):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local test server
                return response.read().decode()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def test_the_docs_site_holds_dbt_docs_with_the_catalog_and_the_data_docs(served_run):
    s = Settings(data_dir=served_run.data_dir)
    first = build_site(s).resolve()
    dbt_page = (site_dir(s) / "dbt" / "index.html").read_text()
    # the catalog (the built warehouse's tables and column types) embedded next to the models' docs
    assert "fct_account_daily" in dbt_page and "catalog/v1.json" in dbt_page
    assert '"type": "DECIMAL(18,2)"' in dbt_page
    assert (site_dir(s) / "gx" / "index.html").exists()

    second = build_site(s).resolve()
    assert second != first and site_dir(s).is_symlink() and first.exists()  # swapped; the previous kept

    port = _free_port()
    threading.Thread(target=serve, args=(s, "127.0.0.1", port), daemon=True).start()
    index = _get(f"http://127.0.0.1:{port}/")
    assert 'href="dbt/index.html"' in index and 'href="gx/index.html"' in index
    assert "fct_account_daily" in _get(f"http://127.0.0.1:{port}/dbt/index.html")

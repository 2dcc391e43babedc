"""Superset, started from its own locked environment, serves the dashboards kept as code, reading the serving
database as the BI reader role.

The serving database is built here: a simulated book of ~two months (two month ends, so the roll-rate matrix,
flow rates and the early-warning performance have rows), dbt-built into DuckDB, then served into a PostgreSQL
database of this test's own by the serving package's init (roles, grants) and table shapes (schema bi, read
by the role creditwh_bi_reader). Superset is
set up by bi/superset/manage.py (metadata migrations, admin, import of bi/superset/assets/) and served by
gunicorn on a free port, as bi/superset/start.sh does.

Then, through the REST API logged in as the admin (/api/v1/security/login): every chart's saved query
(/api/v1/chart/<id>/data/) returns what the test computes itself - from the account-level fact in DuckDB for
the balances and overdue rates, from the serving marts in PostgreSQL for the rest. And every dashboard is
rendered in headless Chromium (DevTools protocol): each chart draws, none shows an error, and every chart
data request the page makes answers 200. CREDITWH_SAVE_SCREENSHOTS=1 also writes the screenshots to
docs/img/ (the README's picture).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json
import math
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SUPERSET_DIR = REPO / "bi" / "superset"
ASSETS = SUPERSET_DIR / "assets"
DOCS_IMG = REPO / "docs" / "img"
SERVING_DB = f"creditwh_superset_test_{os.getpid()}"  # dropped at the end
BI_ROLE = "creditwh_bi_reader"
START = dt.date(2026, 1, 1)
DAYS = 65  # 1 Jan - 6 Mar: month ends January and February, 30-day outcomes for January's scores
ACCOUNTS = 300
# The BI-facing marts the dashboards read (and what they are built from, with dbt's + selector).
BI_MARTS = (
    "fct_account_daily",
    "mart_aging_daily",
    "mart_aging_month_end",
    "mart_delinquency_rates",
    "mart_roll_rate_monthly",
    "mart_flow_rates_monthly",
    "mart_early_warning_daily",
    "mart_early_warning_performance",
)
OFF_BOOK = "('CHARGED_OFF', 'CLOSED', 'TRANSFERRED')"

pytestmark = pytest.mark.timeout(900)


# ---------------------------------------------------------------- the serving database


def _build_warehouse(work: Path) -> Path:
    """Simulate, load and dbt-build the BI marts of DAYS business dates (one backfill build)."""
    from creditwh.load import load_drop
    from creditwh.simulate import SimConfig, simulate_to_landing
    from dbt.cli.main import dbtRunner

    drops = simulate_to_landing(
        SimConfig(n_accounts=ACCOUNTS, start_date=START, seed=5), DAYS, work / "landing"
    )
    warehouse = work / "warehouse.duckdb"
    for i, drop in enumerate(drops):
        load_drop(warehouse, drop, START + dt.timedelta(days=i), accept=True)
    project = REPO / "dbt_project"
    previous = os.environ.get("CREDITWH_WAREHOUSE_PATH")
    os.environ["CREDITWH_WAREHOUSE_PATH"] = str(warehouse)
    try:
        result = dbtRunner().invoke(
            ["build", "--resource-type", "seed", "--resource-type", "model",
             "--select", *(f"+{name}" for name in BI_MARTS),
             "--project-dir", str(project), "--profiles-dir", str(project), "--target", "duckdb",
             "--target-path", str(work / "dbt-target"), "--log-path", str(work / "dbt-logs"), "--quiet"]
        )  # fmt: skip
    finally:
        if previous is None:
            os.environ.pop("CREDITWH_WAREHOUSE_PATH", None)
        else:
            os.environ["CREDITWH_WAREHOUSE_PATH"] = previous
    assert result.success, f"dbt build failed: {result.exception}"
    return warehouse


def _pg(dbname: str):
    import psycopg

    return psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname=dbname, autocommit=True)


def _publish(warehouse: Path) -> None:
    """Serve the warehouse's marts with the serving package's own pieces: `serving init` (roles, database,
    schemas, grants: creditwh_bi_reader reads schema bi only) and its table shapes (creditwh.serving.tables),
    every date copied at once. The daily publication (one transaction per date) refuses a date without a
    marts-gate verdict, which this dbt-only build does not record; tests/serving runs that path."""
    import duckdb
    from creditwh.serving.roles import init_serving
    from creditwh.serving.settings import BI_SCHEMA, WRITER_ROLE, ServingSettings
    from creditwh.serving.tables import MARTS_SCHEMA, align_table, marts_relations
    from psycopg import sql

    with _pg("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{SERVING_DB}" WITH (FORCE)')
    target = ServingSettings(host="127.0.0.1", database=SERVING_DB)
    init_serving(target, "postgres")
    # Not read-only: dbt, run in this process, still holds the file open read-write.
    with duckdb.connect(str(warehouse)) as source, _pg(SERVING_DB) as pg:
        pg.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(WRITER_ROLE)))
        for relation in marts_relations(source):
            align_table(pg, BI_SCHEMA, relation)
            columns = ", ".join(f'"{c}"' for c in relation.column_names)
            csv = (
                source.execute(f'SELECT {columns} FROM {MARTS_SCHEMA}."{relation.name}"')
                .df()
                .to_csv(index=False)
            )
            copy = sql.SQL("COPY {} FROM STDIN WITH (FORMAT csv, HEADER true)").format(
                sql.Identifier(BI_SCHEMA, relation.name)
            )
            with pg.cursor() as cur, cur.copy(copy) as stream:
                stream.write(csv)


# ---------------------------------------------------------------- Superset as a plain process


def _uv() -> str:
    found = shutil.which("uv") or str(Path.home() / ".local" / "bin" / "uv")
    assert Path(found).exists(), "uv is not installed (./dev installs it)"
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Superset:
    def __init__(self, url: str, password: str):
        self.url = url
        self.password = password
        self.api = httpx.Client(base_url=url, timeout=120)
        token = self.api.post(
            "/api/v1/security/login",
            json={"username": "admin", "password": password, "provider": "db", "refresh": False},
        )
        token.raise_for_status()
        self.api.headers["Authorization"] = f"Bearer {token.json()['access_token']}"

    def listing(self, kind: str, columns: list[str]) -> list[dict]:
        query = json.dumps({"page_size": 100, "columns": columns})
        response = self.api.get(f"/api/v1/{kind}/", params={"q": query})
        response.raise_for_status()
        return response.json()["result"]

    def session_cookie(self) -> str:
        """A browser session (the form login the web pages use)."""
        with httpx.Client(base_url=self.url, timeout=120) as browser:
            page = browser.get("/login/")
            token = re.search(r'name="csrf_token"\s+id="csrf_token"\s+value="([^"]+)"', page.text).group(1)
            browser.post(
                "/login/", data={"csrf_token": token, "username": "admin", "password": self.password}
            )
            assert browser.get("/api/v1/me/").status_code == 200, "form login failed"
            return browser.cookies["session"]


def _superset_env(work: Path, password: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env.update(
        SUPERSET_CONFIG_PATH=str(SUPERSET_DIR / "superset_config.py"),
        CREDITWH_DATA_DIR=str(work),
        SUPERSET_SECRET_KEY=secrets.token_urlsafe(32),
        SUPERSET_ADMIN_PASSWORD=password,
        CREDITWH_SERVING_BI_URI=f"postgresql+psycopg2://{BI_ROLE}@127.0.0.1:5432/{SERVING_DB}",
    )
    return env


def _manage(command: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    python = SUPERSET_DIR / ".venv" / "bin" / "python"
    with log.open("w") as out:
        return subprocess.Popen([str(python), str(SUPERSET_DIR / "manage.py"), command], env=env, stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(Superset, the DuckDB warehouse the serving database was published from)."""
    work = tmp_path_factory.mktemp("superset")
    password = secrets.token_urlsafe(12)
    env = _superset_env(work, password)
    subprocess.run(
        [_uv(), "sync", "--locked", "--quiet", "--project", str(SUPERSET_DIR)], check=True, env=env
    )
    # Superset's metadata set-up needs no data: it runs while the warehouse is built and published.
    init = _manage("init", env, work / "init.log")
    try:
        warehouse = _build_warehouse(tmp_path_factory.mktemp("superset-warehouse"))
        _publish(warehouse)
    finally:
        assert init.wait(timeout=600) == 0, f"manage.py init failed, see {work / 'init.log'}"
    assert _manage("import", env, work / "import.log").wait(timeout=600) == 0, f"see {work / 'import.log'}"
    port = _free_port()
    log = (work / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [str(SUPERSET_DIR / ".venv" / "bin" / "gunicorn"), "--workers", "1", "--threads", "8", "--timeout", "120",
         "--bind", f"127.0.0.1:{port}", "superset.app:create_app()"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, f"Superset exited, see {work / 'gunicorn.log'}"
            try:
                if httpx.get(f"{url}/health", timeout=5).text == "OK":
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (
                f"Superset not healthy after 180 s, see {work / 'gunicorn.log'}"
            )
            time.sleep(1)
        yield Superset(url, password), warehouse
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        with _pg("postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{SERVING_DB}" WITH (FORCE)')


@pytest.fixture(scope="module")
def superset(served) -> Superset:
    return served[0]


@pytest.fixture(scope="module")
def serving(served) -> Path:
    return served[1]


# ---------------------------------------------------------------- what each chart must show


def _duck(warehouse: Path, sql: str) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(warehouse)) as con:
        return con.execute(sql).fetchall()


def _serving(query: str) -> list[tuple]:
    with _pg(SERVING_DB) as connection:
        return connection.execute(query).fetchall()


def _overdue_rate(warehouse: Path, dimension: str) -> list[tuple]:
    """逾期率 from the account-level fact: on-book balance 1+ DPD over on-book balance (not the mart)."""
    return _duck(warehouse, f"""
        SELECT business_date, {dimension},
            COALESCE(SUM(current_balance) FILTER (WHERE bucket_code NOT IN {OFF_BOOK} AND days_past_due >= 1), 0)
            / NULLIF(SUM(current_balance) FILTER (WHERE bucket_code NOT IN {OFF_BOOK}), 0)
        FROM marts.fct_account_daily GROUP BY ALL""")  # fmt: skip


EXPECTED = {
    "portfolio_book_by_product": lambda wh: _duck(wh, f"""
        SELECT business_date, product_code, SUM(current_balance) FILTER (WHERE bucket_code NOT IN {OFF_BOOK})
        FROM marts.fct_account_daily GROUP BY ALL"""),
    "delinquency_rate_trend": lambda wh: _serving(
        "SELECT business_date, dq30_rate, dq60_rate, dq90_rate FROM bi.mart_delinquency_rates"),
    "overdue_rate_by_product": lambda wh: _overdue_rate(wh, "product_code"),
    "overdue_rate_by_vintage": lambda wh: _overdue_rate(wh, "CAST(year(vintage_month) AS INTEGER)"),
    "month_end_aging": lambda wh: _duck(wh, f"""
        SELECT date_trunc('month', business_date)::DATE, lpad(CAST(bucket_order AS VARCHAR), 2, '0') || ' ' || bucket_code,
            COUNT(*), SUM(current_balance),
            CASE WHEN bucket_code NOT IN {OFF_BOOK} THEN SUM(current_balance) / SUM(SUM(current_balance)) FILTER
                (WHERE bucket_code NOT IN {OFF_BOOK}) OVER (PARTITION BY business_date) END
        FROM marts.fct_account_daily WHERE is_month_end GROUP BY business_date, bucket_order, bucket_code"""),
    "roll_rate_matrix": lambda wh: _serving("""
        SELECT lpad(to_bucket_order::text, 2, '0') || ' ' || to_bucket,
            lpad(from_bucket_order::text, 2, '0') || ' ' || from_bucket, count_rate
        FROM bi.mart_roll_rate_monthly WHERE to_month_end = (SELECT max(to_month_end) FROM bi.mart_roll_rate_monthly)"""),
    "flow_rates": lambda wh: _serving("""
        SELECT to_month_end, step_order::text || ' ' || from_bucket || ' → ' || to_bucket, flow_rate
        FROM bi.mart_flow_rates_monthly"""),
    "early_warning_tier_mix": lambda wh: _serving(
        "SELECT business_date, tier, count(*) FROM bi.mart_early_warning_daily GROUP BY 1, 2"),
    "early_warning_auc_ks": lambda wh: _serving(
        "SELECT as_of_date, horizon_days, auc, ks FROM bi.mart_early_warning_performance WHERE tier = 'all'"),
}  # fmt: skip


def _chart_assets() -> dict[str, dict]:
    return {
        path.stem: yaml.safe_load(path.read_text()) for path in sorted((ASSETS / "charts").glob("*.yaml"))
    }


def _labels(chart: dict) -> tuple[list[str], list[str]]:
    """The grouping columns and metrics of a chart's saved query, in the order of the rows compared."""
    query = json.loads(chart["query_context"])["queries"][0]
    dimensions = [c["label"] if isinstance(c, dict) else c for c in query["columns"]]
    return dimensions, list(query["metrics"])


def _value(value, like):
    """Superset's JSON value in the type the test's own query returned (dates come as epoch milliseconds)."""
    if isinstance(like, dt.date) and isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value / 1000, dt.UTC).date()
    return value


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, int | float) or type(a).__name__ == "Decimal":
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-8)
    return a == b


def test_dashboards_cover_every_chart_and_the_test_checks_each():
    """Every chart asset is on a dashboard and has an independent expectation here (a new chart needs one)."""
    charts = _chart_assets()
    assert set(charts) == set(EXPECTED)
    placed = set()
    for path in (ASSETS / "dashboards").glob("*.yaml"):
        for item in yaml.safe_load(path.read_text())["position"].values():
            if isinstance(item, dict) and item.get("type") == "CHART":
                placed.add(item["meta"]["uuid"])
    assert placed == {chart["uuid"] for chart in charts.values()}


def test_each_chart_shows_what_the_serving_data_holds(superset, serving):
    ids = {c["uuid"]: c["id"] for c in superset.listing("chart", ["id", "uuid"])}
    for key, chart in _chart_assets().items():
        response = superset.api.get(f"/api/v1/chart/{ids[chart['uuid']]}/data/")
        assert response.status_code == 200, f"{key}: {response.text[:500]}"
        dimensions, metrics = _labels(chart)
        rows = response.json()["result"][0]["data"]
        expected = {tuple(row[: len(dimensions)]): row[len(dimensions) :] for row in EXPECTED[key](serving)}
        assert expected, f"{key}: the test's own query returned nothing (fixture too short?)"
        like = next(iter(expected))
        shown = {
            tuple(_value(row[d], like[i]) for i, d in enumerate(dimensions)): [row[m] for m in metrics]
            for row in rows
        }
        assert shown.keys() == expected.keys(), f"{key}: different groups"
        wrong = [(k, shown[k], v) for k, v in expected.items() if not all(map(_same, shown[k], v))]
        assert not wrong, f"{key}: {len(wrong)} groups differ, e.g. {wrong[:3]}"


# ---------------------------------------------------------------- rendering in headless Chromium


class Browser:
    """Headless Chromium driven over the DevTools protocol (no browser download: Debian's chromium)."""

    def __init__(self, profile: Path):
        from websockets.sync.client import connect

        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        assert chromium, "Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)"
        self.process = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=1600,1800", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            assert time.monotonic() < deadline, "chromium did not open its DevTools port"
            time.sleep(0.2)
        port = port_file.read_text().split()[0]
        targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        page = next(t for t in targets if t["type"] == "page")
        self._stack = contextlib.ExitStack()
        self.socket = self._stack.enter_context(connect(page["webSocketDebuggerUrl"], max_size=None))
        self.events: list[dict] = []
        self._next = 0
        self.call("Network.enable")
        self.call("Page.enable")

    def call(self, method: str, **params) -> dict:
        self._next += 1
        self.socket.send(json.dumps({"id": self._next, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv(timeout=60))
            if message.get("id") == self._next:
                assert "error" not in message, f"{method}: {message['error']}"
                return message["result"]
            self.events.append(message)

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def close(self):
        self._stack.close()
        self.process.terminate()
        self.process.wait(timeout=30)


# Per chart on the page: drawn (an echarts canvas/svg or a table), still loading, or showing an error.
_CHART_STATES = """JSON.stringify([...document.querySelectorAll('[data-test="chart-grid-component"]')].map(c => ({
    name: c.getAttribute('data-test-chart-name'),
    drawn: c.querySelector('.dashboard-chart canvas, .dashboard-chart svg, .dashboard-chart table') !== null,
    loading: c.querySelector('[aria-label="Loading"], .loading') !== null,
    errors: [...c.querySelectorAll('[role="alert"], .ant-alert-error')].map(e => e.innerText.slice(0, 300))})))"""


@pytest.fixture(scope="module")
def browser(superset, tmp_path_factory):
    opened = Browser(tmp_path_factory.mktemp("chromium"))
    opened.call("Network.setCookie", name="session", value=superset.session_cookie(), url=superset.url)
    yield opened
    opened.close()


@pytest.mark.parametrize("asset", sorted(p.stem for p in (ASSETS / "dashboards").glob("*.yaml")))
def test_dashboard_renders_every_chart_without_error(superset, browser, asset, tmp_path):
    dashboard = yaml.safe_load((ASSETS / "dashboards" / f"{asset}.yaml").read_text())
    charts = [i for i in dashboard["position"].values() if isinstance(i, dict) and i.get("type") == "CHART"]
    browser.events.clear()
    browser.call("Page.navigate", url=f"{superset.url}/superset/dashboard/{dashboard['slug']}/")
    deadline = time.monotonic() + 90
    while True:
        states = json.loads(browser.evaluate(_CHART_STATES) or "[]")
        settled = len(states) == len(charts) and all(
            (s["drawn"] or s["errors"]) and not s["loading"] for s in states
        )
        if settled or time.monotonic() > deadline:
            break
        time.sleep(1)
    time.sleep(1)  # let the last chart finish painting before the screenshot
    shot = base64.b64decode(browser.call("Page.captureScreenshot", format="png")["data"])
    (tmp_path / f"{asset}.png").write_bytes(shot)
    if os.environ.get("CREDITWH_SAVE_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        (DOCS_IMG / f"superset_{asset}.png").write_bytes(shot)
    assert len(states) == len(charts), f"{asset}: {len(states)} of {len(charts)} charts on the page"
    errors = {s["name"]: s["errors"] for s in states if s["errors"]}
    assert not errors, f"{asset}: charts in error: {errors}"
    undrawn = [s["name"] for s in states if not s["drawn"] or s["loading"]]
    assert not undrawn, f"{asset}: charts not drawn after 90 s: {undrawn}"
    answers = [
        e["params"]["response"]
        for e in browser.events
        if e.get("method") == "Network.responseReceived"
        and "/api/v1/chart/data" in e["params"]["response"]["url"]
    ]
    assert len(answers) >= len(charts), (
        f"{asset}: {len(answers)} chart data requests for {len(charts)} charts"
    )
    assert all(a["status"] == 200 for a in answers), [(a["url"], a["status"]) for a in answers]

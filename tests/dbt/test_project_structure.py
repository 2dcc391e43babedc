"""Static checks on the parsed project: contracts and docs on every core mart, exact schema names,
exposures wired to the marts, unit tests present for the status and cleaning logic, the layers read in
one direction (staging -> intermediate -> marts), every model and every column it yields documented."""

from __future__ import annotations

import re

import duckdb
import pytest
from warehouse_build import DBT_PROJECT_DIR, parsed_manifest, warehouse_env

pytestmark = pytest.mark.slow

CORE_MARTS = {
    "fct_account_daily", "mart_aging_daily", "mart_aging_month_end", "mart_delinquency_rates",
    "dim_customer", "dim_customer_pii",
}
FACT_COLUMNS = [
    "business_date", "account_id", "customer_id", "person_id", "joint_customer_id", "product_code", "branch_code",
    "open_date", "vintage_month", "months_on_book", "account_status", "status_reason", "closed_date",
    "charge_off_date", "charge_off_amount", "credit_limit", "current_balance", "statement_balance",
    "last_statement_date", "minimum_payment_due", "payment_due_date", "amount_past_due", "days_past_due",
    "cycles_past_due", "utilization", "bucket_code", "bucket_order", "five_tier_class", "ifrs9_stage",
    "metro2_account_status", "is_month_end", "ctd_purchase_amount", "ctd_cash_advance_amount",
    "ctd_cash_advance_count", "ctd_payment_amount", "last_payment_date", "last_payment_amount", "fraud_flag",
    "hardship_flag", "dispute_flag", "plan_id", "plan_type", "plan_status", "plan_start_date",
]


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    # parsed for a warehouse of its own, and the setting restored: later tests in this process build theirs
    with warehouse_env(tmp_path_factory.mktemp("parse") / "unused.duckdb"):
        return parsed_manifest("duckdb")


@pytest.fixture(scope="module")
def daily_manifest(manifest, tmp_path_factory):
    """The project parsed with a business_date var, as a daily run renders it: refs made only on the daily
    branch of a model or macro (e.g. the previous business date's lookup) are in its dependencies too."""
    from dbt.cli.main import dbtRunner

    artifacts = tmp_path_factory.mktemp("daily_parse")
    with warehouse_env(artifacts / "unused.duckdb"):
        result = dbtRunner().invoke([
            "parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
            "--target", "duckdb", "--target-path", str(artifacts / "target"), "--log-path", str(artifacts),
            "--vars", '{business_date: "2026-01-31"}', "--quiet",
        ])
    assert result.success, result.exception
    return result.result


def _models(manifest) -> dict:
    return {n.name: n for n in manifest.nodes.values() if n.resource_type == "model"}


def _layer(node) -> str:
    # models/<layer>/...: staging, intermediate or marts
    return node.original_file_path.split("/")[1]


def test_core_marts_have_enforced_contracts_and_documented_columns(manifest):
    models = _models(manifest)
    assert set(models) >= CORE_MARTS
    for name in CORE_MARTS:
        node = models[name]
        assert node.config.contract.enforced, name
        assert node.description.strip(), name
        undocumented = [c for c, col in node.columns.items() if not col.description.strip() or not col.data_type]
        assert not undocumented, (name, undocumented)


def test_fact_has_exactly_the_agreed_columns_in_order(manifest):
    assert list(_models(manifest)["fct_account_daily"].columns) == FACT_COLUMNS


def test_schemas_are_exact_names(manifest):
    models = _models(manifest)
    expected = {"stg_accounts": "staging", "int_accounts_classified": "intermediate", "fct_account_daily": "marts",
                "dim_customer": "marts", "dim_customer_pii": "restricted"}
    assert {name: models[name].schema for name in expected} == expected
    snapshots = [n for n in manifest.nodes.values() if n.resource_type == "snapshot"]
    assert [(s.name, s.schema) for s in snapshots] == [("snap_customers", "restricted")]


def test_incremental_marts_replace_by_business_date(manifest):
    models = _models(manifest)
    for name in ("fct_account_daily", "mart_aging_daily", "mart_delinquency_rates"):
        config = models[name].config
        assert (config.materialized, config.incremental_strategy, config.unique_key) == (
            "incremental", "delete+insert", "business_date"), name


def test_exposures_depend_on_the_marts(manifest):
    exposures = {e.name: set(e.depends_on.nodes) for e in manifest.exposures.values()}
    assert set(exposures) == {"credit_risk_dashboard", "shared_blacklist_extract", "metro2_bureau_extract"}
    assert "model.creditwh.mart_aging_daily" in exposures["credit_risk_dashboard"]
    # the extracts are written from the reporting models (who is listed, what is reported), not the fact
    assert exposures["shared_blacklist_extract"] == {"model.creditwh.rpt_blacklist_candidates",
                                                     "model.creditwh.dim_customer_pii"}
    assert exposures["metro2_bureau_extract"] == {"model.creditwh.rpt_bureau_accounts", "model.creditwh.rpt_bureau_j1"}


def test_unit_tests_cover_status_and_cleaning_logic(manifest):
    unit_tests = {u.name for u in manifest.unit_tests.values()}
    assert {
        "test_status_mappings_at_dpd_boundaries", "test_vintage_utilization_month_end",
        "test_cn_resident_id_validation", "test_name_cleaning_and_fullwidth_folding", "test_phone_normalization",
        "test_person_survivorship", "test_personal_data_masking",
    } <= unit_tests


def test_node_names_fit_postgresql_identifiers(manifest):
    """dbt names a unit test's and a model's relations after the node: PostgreSQL (the second target) cuts
    identifiers at 63 bytes, so a longer name works on DuckDB and fails only there."""
    names = [n.name for n in (*manifest.nodes.values(), *manifest.unit_tests.values())
             if n.resource_type in ("model", "snapshot", "seed", "unit_test")]  # fmt: skip
    assert len(names) > 100
    assert [name for name in names if len(name.encode()) > 63] == []


@pytest.mark.parametrize("parsed", ["manifest", "daily_manifest"])
def test_intermediate_models_never_read_marts(parsed, request):
    """Intermediate models read staging and intermediate only: a mart is built from them, never the reverse
    (a mart read by an intermediate model makes the layers a cycle in all but name)."""
    models = {uid: n for uid, n in request.getfixturevalue(parsed).nodes.items() if n.resource_type == "model"}
    reads_marts = {
        node.name: sorted(models[dep].name for dep in node.depends_on.nodes
                          if dep in models and _layer(models[dep]) == "marts")
        for node in models.values() if _layer(node) in ("staging", "intermediate")
    }
    assert {name: marts for name, marts in reads_marts.items() if marts} == {}
    assert {"int_account_statement_cycles", "int_early_warning_bad_entries"} <= set(reads_marts)


def test_incremental_settings_come_from_the_folder(manifest):
    """Strategy and schema-change policy are set once per folder in dbt_project.yml: a model's config()
    holds only what is its own (unique_key, its schema or hook), so folders cannot drift apart."""
    models = _models(manifest)
    repeated = [name for name, node in models.items()
                if re.search(r"config\([^)]*\b(incremental_strategy|on_schema_change)\s*=", node.raw_code)]
    assert repeated == []
    incremental = {name: (node.config.incremental_strategy, node.config.on_schema_change)
                   for name, node in models.items() if node.config.materialized == "incremental"}
    assert len(incremental) >= 18
    assert {strategy for strategy, _ in incremental.values()} == {"delete+insert"}
    appended = {name for name, (_, on_change) in incremental.items() if on_change == "append_new_columns"}
    assert appended == {"fct_account_daily", "mart_aging_daily", "mart_delinquency_rates", "dim_customer",
                        "dim_customer_pii"}
    assert {on_change for name, (_, on_change) in incremental.items() if name not in appended} == {"fail"}


def test_run_date_equality_is_spelled_by_the_macro(manifest):
    """`<column> = <the run's business date>` is written business_date_filter(column) everywhere (one rule
    for runs with and without the var), never as an inline comparison with business_date_literal()."""
    inline = sorted(name for name, node in _models(manifest).items()
                    if re.search(r"(?<![<>!])=\s*\{\{\s*business_date_literal\(\)", node.raw_code))
    assert inline == []


@pytest.fixture(scope="module")
def built_columns(tmp_path_factory) -> dict[str, list[str]]:
    """The columns every model really yields: the whole project built with `--empty` (no rows) on an empty
    raw schema (the snapshot too: a model reads it), read back from the warehouse's information schema."""
    from creditwh.load.raw import ensure_raw_schema
    from dbt.cli.main import dbtRunner

    artifacts = tmp_path_factory.mktemp("empty_build")
    warehouse = artifacts / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_raw_schema(con)
    with warehouse_env(warehouse):
        result = dbtRunner().invoke([
            "build", "--empty", "--resource-type", "seed", "--resource-type", "model", "--resource-type", "snapshot",
            "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--target", "duckdb",
            "--target-path", str(artifacts / "target"), "--log-path", str(artifacts), "--quiet",
        ])
    assert result.success, result.exception
    # ephemeral models have no relation: they are documented like the others but yield no table to read
    models = {r.node.name: r.node for r in result.result.results
              if r.node.resource_type == "model" and r.node.config.materialized != "ephemeral"}
    # same configuration as dbt's in-process connection (DuckDB refuses a second, read-only one)
    with duckdb.connect(str(warehouse)) as con:
        return {
            name: [row[0] for row in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?"
                " order by ordinal_position", [node.schema, node.alias]).fetchall()]
            for name, node in models.items()
        }


def test_every_model_and_every_column_it_yields_is_documented(manifest, built_columns):
    models = _models(manifest)
    assert set(built_columns) == {name for name, node in models.items() if node.config.materialized != "ephemeral"}
    assert [name for name, node in models.items() if not node.description.strip()] == []
    undocumented = {
        name: [c for c in columns if not (c in models[name].columns and models[name].columns[c].description.strip())]
        for name, columns in built_columns.items()
    }
    assert {name: cols for name, cols in undocumented.items() if cols} == {}
    # and no documented column that the model does not yield (a renamed or dropped column)
    stale = {name: sorted(set(models[name].columns) - set(columns)) for name, columns in built_columns.items()}
    assert {name: cols for name, cols in stale.items() if cols} == {}


def _compiled(manifest, artifacts, select: str, day: str) -> dict[str, str]:
    """{model: compiled SQL} of `select` for a run of business date `day`, on the manifest parsed once (as
    the nightly build applies the date)."""
    from dbt.cli.main import dbtRunner

    with warehouse_env(artifacts / "unused.duckdb"):
        result = dbtRunner(manifest=manifest).invoke([
            "compile", "--select", select, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
            str(DBT_PROJECT_DIR), "--target", "duckdb", "--target-path", str(artifacts / day), "--log-path",
            str(artifacts), "--vars", f'{{business_date: "{day}"}}', "--quiet",
        ])
    assert result.success, result.exception
    return {r.node.name: r.node.compiled_code for r in result.result.results}


def test_views_built_once_per_process_are_the_same_every_date(manifest, tmp_path):
    """The nightly build leaves out the views tagged date_independent_view: they are built once per process
    with the seeds, before the date's models (creditwh.transform.dbt). So such a view reads only sources,
    seeds and such views, has no data test (the nightly build would stop running it), and compiles to the
    same SQL whatever the run's date."""
    tagged = {uid: n for uid, n in manifest.nodes.items()
              if n.resource_type == "model" and "date_independent_view" in n.tags}  # fmt: skip
    assert {"stg_accounts", "stg_customers", "stg_payments"} <= {n.name for n in tagged.values()}
    assert {n.name: n.config.materialized for n in tagged.values() if n.config.materialized != "view"} == {}
    foreign = {n.name: [d for d in n.depends_on.nodes if not (d.startswith(("source.", "seed.")) or d in tagged)]
               for n in tagged.values()}  # fmt: skip
    assert {name: deps for name, deps in foreign.items() if deps} == {}
    tests = [t.name for t in manifest.nodes.values() if t.resource_type == "test" and set(t.depends_on.nodes) & set(tagged)]
    assert tests == []
    ordinary, month_end = (_compiled(manifest, tmp_path, "tag:date_independent_view", day)
                           for day in ("2026-01-30", "2026-01-31"))  # fmt: skip
    assert set(ordinary) == {n.name for n in tagged.values()}
    assert ordinary == month_end
    # the check can fail: a date-dependent view compiles differently
    changed = _compiled(manifest, tmp_path, "int_customers_changed", "2026-01-30")
    assert changed != _compiled(manifest, tmp_path, "int_customers_changed", "2026-01-31")


def test_tests_of_month_end_only_models_run_on_month_ends_only(manifest):
    """An ordinary date's build leaves out tag month_end_only (creditwh.transform.dbt), and dbt's cautious
    exclusion drops only the tests whose every parent is left out: a test that also reads another model
    must carry the tag itself, or an ordinary date runs it against a model not built (or never built yet)."""
    month_end = {uid for uid, n in manifest.nodes.items() if "month_end_only" in n.tags and n.resource_type == "model"}
    assert {"model.creditwh.rpt_bureau_accounts", "model.creditwh.mart_roll_rate_monthly"} <= month_end
    def reads_others(test) -> bool:  # a model or snapshot the ordinary build keeps
        return any(d.split(".")[0] in ("model", "snapshot") and d not in month_end for d in test.depends_on.nodes)

    untagged = sorted(t.name for t in manifest.nodes.values() if t.resource_type == "test"
                      and set(t.depends_on.nodes) & month_end and reads_others(t) and "month_end_only" not in t.tags)  # fmt: skip
    assert untagged == []

"""No clear personal data in anything BI-facing: every text column of every relation in DuckDB schema
`marts`, and of every table in serving schema `bi`, compared with the clear customer values
(tests/serving/pii_scan.py). The same scan finds them in schema `restricted`, where the bureau report
models live since they moved out of `marts` (before, marts.rpt_bureau_accounts and rpt_bureau_j1 held
clear names, id numbers, birth dates, phones and addresses)."""

from __future__ import annotations

import pytest
from pii_scan import scan_duckdb_schema, scan_values, scanner, serving_text_values
from serving_db import connect

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scan(served_run):
    con = scanner(served_run.warehouse)
    yield con
    con.close()


def test_no_relation_of_schema_marts_holds_a_clear_customer_value(scan):
    assert scan_duckdb_schema(scan, "marts") == []


def test_no_table_of_serving_schema_bi_holds_a_clear_customer_value(scan, served_run):
    with connect(served_run.database, "creditwh_bi_reader") as pg:
        values = serving_text_values(pg, "bi")
    assert len({relation for relation, _, _ in values}) >= 10
    assert scan_values(scan, values) == []


def test_the_scan_finds_the_clear_values_where_they_are(scan):
    """Schema restricted holds them (the person dimension and the customer snapshot with clear data; the
    bureau consumer fields are built on month ends only, and this run has none): the scan that passes on
    marts would fail on any of these relations had they stayed in marts."""
    hits = {(relation, column) for relation, column, _ in scan_duckdb_schema(scan, "restricted")}
    relations = {relation for relation, _ in hits}
    assert {"restricted.dim_customer_pii", "restricted.snap_customers"} <= relations, sorted(hits)
    columns = {column for _, column in hits}
    assert len(columns) >= 5, sorted(hits)

"""The classification honours the bank's tolerance (seed repayment_policy): int_accounts_classified's data
test passes on the simulated book and fails on an account-day past due for an amount within the tolerance."""

from __future__ import annotations

import duckdb
import pytest
from creditwh.repayment_policy import repayment_policy
from warehouse_build import copy_warehouse, run_dbt, warehouse_env

pytestmark = pytest.mark.slow

TOLERANCE_TEST = ["--select", "test_name:not_delinquent_within_tolerance"]


def test_no_account_within_tolerance_is_in_a_delinquent_bucket(dbt_warehouse, tmp_path):
    copy = tmp_path / dbt_warehouse.warehouse_path.name  # the parsed manifest names the database by the file's stem
    copy_warehouse(dbt_warehouse.warehouse_path, copy)
    with warehouse_env(copy):
        run_dbt(["test", *TOLERANCE_TEST])  # the whole book, every day
        con = duckdb.connect(str(copy))
        try:
            day, key = con.execute(  # raw statuses come in mixed case; staging cleans them
                "select business_date, account_id from raw.accounts where upper(trim(account_status)) = 'OPEN' "
                "order by business_date desc, account_id limit 1"
            ).fetchone()
            con.execute(
                "update raw.accounts set days_past_due = 40, amount_past_due = ? "
                "where business_date = ? and account_id = ?",
                [repayment_policy().tolerance_amount, day, key],
            )
        finally:
            con.close()
        with pytest.raises(RuntimeError, match="not_delinquent_within_tolerance"):
            run_dbt(["test", *TOLERANCE_TEST, "--vars", f'{{business_date: "{day:%Y-%m-%d}"}}'])

"""One home for the PBOC codes: the dbt macros (dbt_project/macros/pboc.sql) produce them, the validator's
code tables (creditwh.reporting.pboc.spec) check them; rendered here and held to each other."""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb
import jinja2
import pytest

MACROS = Path(__file__).resolve().parents[3] / "dbt_project" / "macros" / "pboc.sql"


def _render(call: str) -> str:
    env = jinja2.Environment(autoescape=False)  # noqa: S701 - renders SQL, not HTML
    return env.from_string(MACROS.read_text() + "{{ " + call + " }}").render()


def test_the_dpd_scale_of_the_macro_is_the_validators():
    from creditwh.reporting.pboc.spec import DPD_RANGES

    status = _render("pboc_dpd_status('dpd')")
    sql = f"select dpd, {status} from range(1, 400) t(dpd)"
    for dpd, status in duckdb.sql(sql).fetchall():
        low, high = DPD_RANGES[status]
        assert low <= dpd and (high is None or dpd <= high), (dpd, status)
    assert {s for _, s in duckdb.sql(sql).fetchall()} == set(DPD_RANGES)


@pytest.mark.parametrize("status", ["OPEN", "CLOSED", "CHARGED_OFF", "TRANSFERRED"])
def test_every_status_the_macros_produce_is_in_the_validators_code_sets(status):
    from creditwh.reporting.pboc.spec import CARD_ACCOUNT_STATUSES, OVERDUE_STATUSES, REPAYMENT_STATUSES

    acct = _render("pboc_account_status('s', 'bal')")
    rpy = _render("pboc_repayment_status('s', 'bal', 'dpd', 'past_due', 'stmt')")
    grid = list(itertools.product([0, 50], [0, 1, 31, 200], [0, 0.4, 20], [0, 80]))
    rows = duckdb.sql(
        f"select {acct}, {rpy}, dpd, past_due from (select '{status}' as s, * from (values "
        + ", ".join(str(g) for g in grid)
        + ") t(bal, dpd, past_due, stmt))"
    ).fetchall()
    for acct_status, rpy_status, dpd, past_due in rows:
        assert acct_status in CARD_ACCOUNT_STATUSES and rpy_status in REPAYMENT_STATUSES
        if rpy_status in OVERDUE_STATUSES:  # overdue only with a whole yuan past due (rule I2100H09)
            assert dpd > 0 and past_due >= 1

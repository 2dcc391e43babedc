"""The day's interest and fee postings (contract.CHARGES), collected per kind and numbered at the end.

Amounts are int64 cents: charges positive, WAIVER / REVERSAL negative. A waiver or reversal names the fee it
returns by the (day, sequence number) that fee was posted with; the late fee an account was last charged is
remembered on the account (ledger fields fee_day / fee_seq / fee_amount) once the day's rows are numbered.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from creditwh.contract import CHARGE_TYPES, CHARGES
from creditwh.simulate.arrow import NA_DAY, categories, dates, money, nullable_ids, prefixed_ids, table
from creditwh.simulate.cycles import yyyymmdd

KIND = {name: i for i, name in enumerate(CHARGE_TYPES)}


def charge_ids(days: np.ndarray, seq: np.ndarray) -> pa.Array:
    return prefixed_ids("CH", yyyymmdd(days) * 10**7 + seq, 15)


def plan_ids(plans: np.ndarray) -> pa.Array:
    """Plan row -> 'PL' + 10 digits (NULL for -1)."""
    return nullable_ids("PL", np.asarray(plans, np.int64) + np.where(np.asarray(plans) >= 0, 1, 0), 10)


class Charges:
    """Blocks of (rows, amount, kind, returned fee's day and seq, plan) added during the day."""

    def __init__(self):
        self.blocks: list[dict[str, np.ndarray]] = []

    def add(self, rows, amount, kind: str, of_day=None, of_seq=None, plan=None) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        amount = np.broadcast_to(np.asarray(amount, dtype=np.int64), len(rows))
        keep = amount != 0  # nothing posts for a zero amount
        k = int(keep.sum())

        def column(values, fill, dtype):
            if values is None:
                return np.full(k, fill, dtype)
            return np.broadcast_to(np.asarray(values, dtype), len(rows))[keep]

        self.blocks.append({
            "rows": rows[keep],
            "amount": amount[keep].copy(),
            "kind": np.full(k, KIND[kind], np.int8),
            "of_day": column(of_day, NA_DAY, np.int32),
            "of_seq": column(of_seq, 0, np.int32),
            "plan": column(plan, -1, np.int64),
        })  # fmt: skip

    def collect(self) -> dict[str, np.ndarray]:
        if not self.blocks:
            self.add(np.zeros(0, np.int64), 0, "INTEREST")
        cols = {name: np.concatenate([b[name] for b in self.blocks]) for name in self.blocks[0]}
        order = np.lexsort((cols["kind"], cols["rows"]))
        return {name: values[order] for name, values in cols.items()}

    def table(self, t: int, acc, account_ids) -> pa.Table:
        """The day's rows in (account, kind) order; remembers each account's late fee posted today."""
        c = self.collect()
        n = len(c["rows"])
        seq = np.arange(1, n + 1, dtype=np.int64)
        late = c["kind"] == KIND["LATE_FEE"]
        acc.fee_day[c["rows"][late]] = t
        acc.fee_seq[c["rows"][late]] = seq[late]
        acc.fee_amount[c["rows"][late]] = c["amount"][late]
        returns = c["of_day"] != NA_DAY
        of_ids = charge_ids(np.where(returns, c["of_day"], t), c["of_seq"])
        return table(CHARGES.columns, {
            "business_date": dates(np.full(n, t, np.int32)),
            "charge_id": charge_ids(np.full(n, t), seq),
            "account_id": account_ids.take(c["rows"]),
            "posting_date": dates(np.full(n, t, np.int32)),
            "charge_type": categories(list(CHARGE_TYPES), c["kind"]),
            "charge_amount": money(c["amount"]),
            "reverses_charge_id": pc.if_else(pa.array(returns), of_ids, pa.nulls(n, pa.string())),
            "plan_id": plan_ids(c["plan"]),
        })  # fmt: skip

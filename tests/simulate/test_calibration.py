"""The book looks like a card book (docs/domain.md §4): 30+ DPD balance share in the low single digits."""

import numpy as np
import pytest
from creditwh.simulate import CardPlatform, SimConfig

from .conftest import START, dense


def _shares(snap):
    acc = snap.accounts
    size = 30_000
    status, dpd = dense(acc, "account_status", size), dense(acc, "days_past_due", size)
    balance = np.maximum(dense(acc, "current_balance", size, fill=0), 0)
    book = status == "OPEN"
    total = balance[book].sum()
    return {k: balance[book & (dpd >= k)].sum() / total for k in (1, 30, 60, 90)}, status, dpd


@pytest.mark.slow
def test_delinquency_mix_and_roll_rates_are_plausible():
    platform = CardPlatform(SimConfig(n_accounts=20_000, start_date=START, seed=42))
    history = [_shares(platform.step()) for _ in range(60)]
    for shares, _, _ in history:
        assert 0.01 < shares[30] < 0.05  # FRED RCCCBBALDPD30P: 1.6-3.6 %
        assert 0.005 < shares[60] < shares[30]
    # Month-over-month transitions of accounts open on both days (day 1 -> day 31).
    (_, s0, d0), (_, s1, d1) = history[0], history[30]
    both = (s0 == "OPEN") & (s1 != "")
    current = both & (d0 == 0)
    roll_to_1_30 = (current & (d1 >= 1) & (d1 <= 30)).sum() / current.sum()
    early = both & (d0 >= 1) & (d0 <= 30)
    cure = (early & (d1 == 0)).sum() / early.sum()
    assert 0.005 < roll_to_1_30 < 0.06
    assert cure > 0.4
    print(f"30+ {history[-1][0][30]:.2%} 60+ {history[-1][0][60]:.2%} current->1-30 {roll_to_1_30:.2%} "
          f"1-30 cure {cure:.2%}")  # fmt: skip

"""The book on day 1 (seasoned: years of history, some accounts already delinquent) and new accounts later.

Seasoning draws, per account, how many cycles past due it was at its last statement from the stationary
distribution of the per-cycle delinquency chain its segment's behaviour implies (cure / stay / roll), so the
delinquency mix on day 1 is the one the daily dynamics then sustain. The ring is built from that: the unpaid
older cycles with their monthly due dates, plus the last statement. The current cycle's scheduled payment
is drawn with the same behaviour code as a real cut and posted if its day is already past.
"""

from __future__ import annotations

import numpy as np

from creditwh.simulate import behaviour, ledger, pools
from creditwh.simulate.arrow import NA_DAY
from creditwh.simulate.config import Segment, SimConfig
from creditwh.simulate.cycles import next_cycle, previous_cycle

YEAR = 365


def stationary_cycles(cfg: SimConfig, segment: int, max_cycles: int) -> np.ndarray:
    """Long-run share of accounts 0..max_cycles-1 cycles past due at a cut (charge-off renews to 0)."""
    current = behaviour.current_outcome_table(cfg)[segment]
    p_enter = current[behaviour.PARTIAL_LOW] + current[behaviour.MISS]
    states = max_cycles + 1
    transition = np.zeros((states, states))
    transition[0, 0], transition[0, 1] = 1 - p_enter, p_enter
    for c in range(1, states):
        cure, stay, roll = behaviour.delinquent_outcome(cfg, np.array([segment]), np.array([c]))[0]
        transition[c, 0] += cure
        transition[c, c] += stay
        transition[c, min(c + 1, max_cycles)] += roll
    transition[max_cycles] = 0
    transition[max_cycles, 0] = 1  # charged off, replaced by a new current account
    values, vectors = np.linalg.eig(transition.T)
    pi = np.real(vectors[:, np.argmin(np.abs(values - 1))])
    pi = np.abs(pi[:max_cycles])
    return pi / pi.sum()


def _choice(rng: np.random.Generator, p, k: int) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return rng.choice(len(p), size=k, p=p / p.sum())


def _account_attributes(
    cfg: SimConfig, rng: np.random.Generator, acc, rows: slice, open_day: np.ndarray
) -> None:
    k = rows.stop - rows.start
    b = cfg.behaviour
    acc.open_day[rows] = open_day
    product = _choice(rng, pools.PRODUCT_MIX, k)
    acc.product[rows] = product
    low, high = np.array(pools.PRODUCT_LIMITS).T
    acc.credit_limit[rows] = (rng.integers(low[product] // 100, high[product] // 100 + 1) * 100 * 100).astype(
        np.int64
    )
    acc.branch[rows] = rng.integers(0, len(pools.BRANCHES), k)
    acc.cycle_day[rows] = rng.integers(1, 29, k)
    acc.segment[rows] = _choice(rng, b.mix, k)
    acc.inactive[rows] = rng.random(k) < b.inactive_share
    acc.autopay[rows] = rng.random(k) < b.autopay_share
    acc.channel[rows] = _choice(rng, (0, 0.55, 0.3, 0.1, 0.05), k)  # ACH, CARD, BRANCH, MAIL


def _link_customers(cfg: SimConfig, rng: np.random.Generator, acc, cust, rows: slice, today: int,
                    reuse_share: float) -> None:  # fmt: skip
    """Give accounts their holders: new people, duplicate records of existing people, existing customers."""
    k = rows.stop - rows.start
    account_rows = np.arange(rows.start, rows.stop)
    age_of_account = today - acc.open_day[rows]
    draw = rng.random(k)
    fresh = draw >= reuse_share + cfg.duplicate_person_share
    customer = np.empty(k, dtype=np.int64)
    customer[fresh] = cust.add_people(
        rng, int(fresh.sum()), today, cfg.non_cn_share, 18 * YEAR + 5 + age_of_account[fresh]
    )
    # Second records of people already known, and existing customers opening another account.
    duplicate = ~fresh & (draw < cfg.duplicate_person_share)
    reuse = ~fresh & ~duplicate
    existing = cust.n
    if duplicate.any():
        customer[duplicate] = cust.add_duplicates(rng, rng.integers(0, existing, int(duplicate.sum())), today)
    if reuse.any():
        customer[reuse] = rng.integers(0, existing, int(reuse.sum()))
    acc.customer[rows] = customer
    # An account opens no earlier than its holder's 18th birthday (matters for reused/duplicate holders).
    adult = cust.store.birth_day[customer] + 18 * YEAR + 5
    acc.open_day[rows] = np.maximum(acc.open_day[rows], np.minimum(adult, today))
    joint = account_rows[rng.random(k) < cfg.joint_share]
    if len(joint):
        acc.joint[joint] = cust.add_people(
            rng, len(joint), today, cfg.non_cn_share, np.full(len(joint), 18 * YEAR + 5)
        )


def open_accounts(cfg: SimConfig, rng: np.random.Generator, acc, cust, today: int, k: int) -> None:
    """New accounts opened today: no statement yet, zero balance, a first statement on the next cycle day."""
    if k == 0:
        return
    rows = acc.append(k)
    _account_attributes(cfg, rng, acc, rows, np.full(k, today, np.int32))
    acc.credit_limit[rows] = np.minimum(acc.credit_limit[rows], 20_000_00)  # new accounts start modest
    _link_customers(cfg, rng, acc, cust, rows, today, reuse_share=0.2)


def season_book(cfg: SimConfig, rng: np.random.Generator, acc, cust, first_day: int) -> None:
    """Fill the empty platform with cfg.n_accounts accounts as they stand on the eve of first_day."""
    n = cfg.n_accounts
    rows = acc.append(n)
    idx = np.arange(n)
    age = 60 + np.minimum(rng.exponential(4 * YEAR, n), 20 * YEAR).astype(np.int64)
    _account_attributes(cfg, rng, acc, rows, (first_day - age).astype(np.int32))
    _link_customers(cfg, rng, acc, cust, rows, first_day, reuse_share=cfg.second_card_share / 2)
    cust.store.updated_day[:] = first_day  # everything appears in the first customers file

    segment = acc.segment[rows].astype(np.int64)
    limit = acc.credit_limit[rows]
    cycle_day = acc.cycle_day[rows]
    last_cut = previous_cycle(first_day, cycle_day)  # strictly before first_day

    # Cycles past due at the last cut, from each segment's stationary distribution, within the threshold.
    max_cycles = cfg.charge_off_dpd // 30 + 1
    cycles = np.zeros(n, dtype=np.int64)
    for s in Segment:
        members = np.flatnonzero(segment == s)
        cycles[members] = _choice(rng, stationary_cycles(cfg, int(s), max_cycles), len(members))
    oldest_due = previous_cycle(last_cut, cycle_day, np.maximum(cycles - 1, 0)) + cfg.due_days
    too_old = (cycles > 0) & (
        (first_day - oldest_due >= cfg.charge_off_dpd) | (oldest_due <= acc.open_day[rows])
    )
    cycles[too_old] = 0

    inactive = acc.inactive[rows]
    utilisation = np.select(
        [inactive, cycles > 0, segment == Segment.TRANSACTOR, segment == Segment.REVOLVER],
        [np.where(rng.random(n) < 0.8, 0.0, rng.uniform(0, 0.05, n)), rng.uniform(0.6, 1.05, n),
         rng.uniform(0.01, 0.3, n), rng.uniform(0.15, 0.85, n)],
        rng.uniform(0.35, 1.0, n),
    )  # fmt: skip
    statement = np.rint(limit * utilisation).astype(np.int64)
    hardship = rng.random(n) < cfg.initial_hardship_share * np.where(cycles > 0, 10, 0.5)
    acc.hardship[rows] = hardship
    mp = behaviour.minimum_payment(cfg, statement, hardship)

    acc.balance[rows] = statement
    acc.stmt_balance[rows] = statement
    acc.min_due[rows] = mp
    acc.last_stmt_day[rows] = last_cut
    acc.due_day[rows] = last_cut + cfg.due_days
    # Ring: the unpaid older cycles (oldest first), then the last statement's cycle.
    for back in range(max_cycles - 1, 0, -1):
        has = idx[cycles >= back]
        due = previous_cycle(last_cut[has], cycle_day[has], back - 1) + cfg.due_days
        ledger.push_cycle(acc.ring_mp, acc.ring_due, acc.alloc, acc.ring_sum, has, mp[has], due)
    ledger.push_cycle(acc.ring_mp, acc.ring_due, acc.alloc, acc.ring_sum, idx, mp, last_cut + cfg.due_days)
    acc.dpd[rows] = 0
    acc.cycles_past_due[rows] = cycles  # what the cut saw; the day's counters are refreshed by the platform

    # The previous cycle's payment, for last_payment_*: delinquent accounts paid long ago.
    paid_before = statement > 0
    acc.last_pay_day[rows] = np.where(paid_before, last_cut - rng.integers(3, 26, n) - 30 * cycles, NA_DAY)
    acc.last_pay_amount[rows] = np.where(paid_before, np.maximum(mp, np.rint(statement * 0.1)), 0).astype(
        np.int64
    )
    acc.last_pay_day[rows] = np.where(
        acc.last_pay_day[rows] > acc.open_day[rows], acc.last_pay_day[rows], NA_DAY
    )

    # This cycle so far: spending since the cut, then the scheduled payment if its day has passed.
    elapsed = first_day - last_cut
    spend = np.where(inactive | (cycles >= cfg.block_purchases_cycles), 0,
                     limit * rng.uniform(0, 0.006, n) * elapsed).astype(np.int64)  # fmt: skip
    spend = np.minimum(spend, np.maximum(limit - statement, 0))
    acc.balance[rows] += spend
    acc.ctd_purchase[rows] = spend
    behaviour.schedule(cfg, rng, acc, idx, last_cut, next_cycle(last_cut, cycle_day), cycles)
    posted = idx[(acc.pay_day[rows] != NA_DAY) & (acc.pay_day[rows] < first_day)]
    amount = np.minimum(acc.pay_amount[posted], np.maximum(acc.balance[posted], 0))
    ledger.allocate(acc.ring_sum, acc.alloc, posted, amount)
    acc.balance[posted] -= amount
    acc.ctd_payment[posted] = amount
    acc.last_pay_day[posted] = acc.pay_day[posted]
    acc.last_pay_amount[posted] = amount
    acc.pay_day[posted] = NA_DAY

    _season_charged_off(cfg, rng, acc, idx, first_day)
    flagged = idx[rng.random(n) < cfg.initial_dispute_share]
    acc.dispute[flagged] = True


def _season_charged_off(
    cfg: SimConfig, rng: np.random.Generator, acc, idx: np.ndarray, first_day: int
) -> None:
    """Accounts charged off in the last 18 months that still carry a balance being recovered."""
    n = len(idx)
    weight = np.array([0.2, 1.0, 4.0, 8.0])[acc.segment[idx]]
    chosen = idx[rng.random(n) < cfg.initial_charged_off_share * weight / weight.mean()]
    chosen = chosen[acc.open_day[chosen] < first_day - cfg.charge_off_dpd - 60]
    k = len(chosen)
    charge_off_day = first_day - rng.integers(1, 540, k)
    amount = (acc.credit_limit[chosen] * rng.uniform(0.7, 1.15, k)).astype(np.int64)
    acc.status[chosen] = ledger.CHARGED_OFF
    fraud = rng.random(k) < 0.05
    acc.reason[chosen] = np.where(fraud, ledger.FRAUD, ledger.DPD_THRESHOLD)
    acc.fraud[chosen] = fraud
    acc.charge_off_day[chosen] = charge_off_day
    acc.charge_off_amount[chosen] = amount
    acc.balance[chosen] = (amount * rng.uniform(0.3, 1.0, k)).astype(np.int64)
    # Ring: monthly unpaid minimums from the first missed due date (threshold days before charge-off).
    mp = np.rint(amount * cfg.min_payment_pct).astype(np.int64)
    first_due = charge_off_day - cfg.charge_off_dpd
    acc.ring_mp[chosen] = 0
    acc.ring_due[chosen] = ledger.FAR_DAY
    acc.alloc[chosen] = 0
    n_due = cfg.charge_off_dpd // 30 + 1
    for j in range(n_due):
        acc.ring_mp[chosen, j] = mp
        acc.ring_due[chosen, j] = first_due + 30 * j
    acc.ring_sum[chosen] = mp * n_due
    last_due = first_due + 30 * (n_due - 1)
    acc.last_stmt_day[chosen] = last_due - cfg.due_days
    acc.due_day[chosen] = last_due
    acc.stmt_balance[chosen] = amount
    acc.min_due[chosen] = mp
    for name in ("ctd_purchase", "ctd_cash", "ctd_payment", "ctd_cash_count", "pay_amount"):
        getattr(acc, name)[chosen] = 0
    acc.pay_day[chosen] = NA_DAY
    acc.last_pay_day[chosen] = np.where(rng.random(k) < 0.5, charge_off_day + rng.integers(1, 200, k), NA_DAY)
    acc.last_pay_day[chosen] = np.where(
        acc.last_pay_day[chosen] < first_day, acc.last_pay_day[chosen], NA_DAY
    )
    acc.last_pay_amount[chosen] = np.where(acc.last_pay_day[chosen] != NA_DAY, 50_00, 0)

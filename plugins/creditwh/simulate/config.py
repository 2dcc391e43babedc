"""Knobs of the simulated card platform. Every number that shapes the book lives here, with its default.

Money knobs are in cents (int) so the engine stays in exact integer arithmetic; the behaviour tables are per
risk segment, indexed by ``Segment``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum

from creditwh.fee_schedule import fee_schedule
from creditwh.repayment_plan_policy import repayment_plan_policy
from creditwh.repayment_policy import repayment_policy


class Segment(IntEnum):
    TRANSACTOR = 0  # pays in full
    REVOLVER = 1  # revolves, pays minimum to most of the statement
    RISKY = 2
    SUBPRIME = 3


@dataclass(frozen=True)
class Behaviour:
    """Per-segment probabilities. Tuples are indexed by Segment."""

    mix: tuple[float, ...] = (0.40, 0.42, 0.13, 0.05)
    # Outcome of a statement for an account that is current at the cut, as cumulative choices in this order:
    # FULL, MIN, PARTIAL_OK (between minimum and statement), LATE (>= minimum, a few days after the due date),
    # PARTIAL_LOW (< minimum, before the due date), MISS. The rest after the five listed goes to MISS.
    p_full: tuple[float, ...] = (0.955, 0.12, 0.04, 0.01)
    p_min: tuple[float, ...] = (0.0, 0.34, 0.48, 0.45)
    p_partial_ok: tuple[float, ...] = (0.035, 0.485, 0.31, 0.21)
    p_late: tuple[float, ...] = (0.006, 0.035, 0.07, 0.13)
    p_partial_low: tuple[float, ...] = (0.002, 0.008, 0.035, 0.055)
    # For an account already past due at the cut (c = cycles past due): cure = pay everything past due plus
    # the new minimum, with probability cure_base * cure_decay**(c-1); stay = pay the oldest unpaid minimum;
    # otherwise roll (pay nothing or less than the oldest minimum).
    cure_base: tuple[float, ...] = (0.93, 0.82, 0.68, 0.55)
    cure_decay: float = 0.45
    p_stay: float = 0.17
    p_roll_partial: float = 0.5  # a rolling account still pays something (less than the oldest minimum)
    # Daily spending: purchase probability and mean purchase as a share of the credit limit.
    p_purchase: tuple[float, ...] = (0.35, 0.25, 0.28, 0.30)
    purchase_share: float = 0.018
    p_cash_advance: tuple[float, ...] = (0.002, 0.006, 0.02, 0.035)
    inactive_share: float = 0.15  # accounts that barely use the card
    p_reversal: tuple[float, ...] = (0.001, 0.005, 0.02, 0.045)  # a payment bounces (NSF etc.)
    autopay_share: float = 0.25
    # How customers answer collections (creditwh.simulate.collections, which calibrates them): a promise
    # to pay is kept; a right-party contact without a promise makes the customer pay the oldest minimum; a
    # broken promise cancels the next scheduled payment (roll forward); a pre-due reminder makes a customer
    # who would have paid late or not at all pay by the due date.
    p_keep_promise: tuple[float, ...] = (0.62, 0.55, 0.48, 0.42)
    p_pay_after_contact: float = 0.15
    p_roll_after_broken_promise: float = 0.5
    p_reminder_lift: float = 0.3
    # Repayment plans (creditwh.simulate.plans, which calibrates them): a customer on a hardship plan misses
    # an instalment (cancels the statement's payment; a pre-due reminder rescues some of these misses, so
    # the rate is set with reminders on); a settled customer pays the agreed amount.
    p_miss_plan_instalment: float = 0.08
    p_keep_settlement: float = 0.7


@dataclass(frozen=True)
class SimConfig:
    n_accounts: int = 5000
    start_date: dt.date = dt.date(2026, 1, 1)
    seed: int = 42
    charge_off_dpd: int = 180

    # Statement and minimum-payment rule (per cycle): MP = min(statement balance, max(floor, pct * balance)).
    due_days: int = 25  # due date = statement date + due_days
    min_payment_pct: float = 0.02
    min_payment_floor_cents: int = 2_500
    hardship_min_pct: float = 0.01
    hardship_min_floor_cents: int = 1_000
    # The bank's repayment policy (docs/domain.md §2), from the seed repayment_policy.csv: past-due minimums
    # totalling at or under the tolerance count as paid; no delinquency within grace_days after a due date.
    dpd_tolerance_cents: int = field(default_factory=lambda: repayment_policy().tolerance_cents)
    grace_days: int = field(default_factory=lambda: repayment_policy().grace_days)
    # The bank's fee schedule, from the seed fee_schedule.csv (docs/domain.md §9); a hardship plan's rate is a
    # term of the plan.
    apr: float = field(default_factory=lambda: fee_schedule().fraction("INTEREST"))
    hardship_apr: float = 0.06
    late_fee_cents: int = field(default_factory=lambda: fee_schedule().cents("LATE_FEE"))
    penalty_apr: float = field(default_factory=lambda: fee_schedule().fraction("PENALTY_INTEREST"))
    annual_fee_cents: int = field(default_factory=lambda: fee_schedule().cents("ANNUAL_FEE"))
    cash_advance_fee_pct: float = field(default_factory=lambda: fee_schedule().fraction("CASH_ADVANCE_FEE"))
    block_purchases_cycles: int = 2  # card blocked from this many cycles past due

    # Book composition and events (daily rates unless named share).
    new_account_rate: float = 0.0003  # new accounts per day, as a share of n_accounts
    joint_share: float = 0.05
    second_card_share: float = 0.12  # accounts held by a customer who also holds another account
    duplicate_person_share: float = 0.03  # customer records that are a second id of an existing person
    non_cn_share: float = 0.08  # customers identified by SSN or passport instead of a CN resident id
    customer_change_rate: float = 0.001  # address/phone changes per customer per day
    initial_charged_off_share: float = 0.012
    initial_hardship_share: float = 0.004
    initial_dispute_share: float = 0.002
    p_fraud: float = 0.00002
    p_hardship_if_delinquent: float = 0.0008
    p_dispute: float = 0.00007
    p_dispute_resolved: float = 0.025
    p_limit_change: float = 0.0004
    p_close_inactive: float = 0.0006
    p_close_request: float = 0.0001  # customers asking to close (the account closes once paid off)
    p_recovery: float = 0.01
    p_settle_in_full: float = 0.08  # share of recovery payments that settle the whole balance
    p_debt_sale: float = 0.0012
    # Repayment plans (creditwh.simulate.plans): per statement of a current account, a bill instalment
    # (revolvers with a statement of 1,000.00 or more) or a cash instalment; a flat monthly instalment fee;
    # per day, a settlement offered on a charged-off balance; per late fee, a goodwill reversal on request.
    p_bill_instalment: float = 0.02
    p_cash_instalment: float = 0.002
    instalment_fee_monthly_pct: float = field(default_factory=lambda: fee_schedule().fraction("INSTALMENT_FEE"))
    p_settlement: float = 0.002
    p_late_fee_reversal: float = 0.05
    # The bank's plan policy, from the seed repayment_plan_policy.csv: RESET or STOP delinquency when a
    # hardship plan starts; how many missed instalments break a plan.
    hardship_reage: str = field(default_factory=lambda: repayment_plan_policy().hardship_reage)
    broken_after_missed_instalments: int = field(
        default_factory=lambda: repayment_plan_policy().broken_after_missed_instalments
    )

    # When received payments post (creditwh.simulate.banking): bank-cleared payments wait for a banking day
    # (no weekend, no bank holiday given as (month, day)); a share of mailed cheques also waits in lockbox
    # processing. Together they stay within contract.PAYMENT_MAX_BACKDATE_DAYS.
    bank_holidays: tuple[tuple[int, int], ...] = ((1, 1), (5, 1), (10, 1))
    mail_delay_share: float = 0.6
    mail_delay_max_days: int = 5

    behaviour: Behaviour = field(default_factory=Behaviour)
    source_system: str = "cardsim"

    @property
    def ring_cycles(self) -> int:
        """Statement cycles kept per account: enough that any unpaid one is charged off before it drops out."""
        return self.charge_off_dpd // 28 + 4

"""Synthetic Metro 2 writer input (base accounts, J1 consumers, header) shared by the metro2 tests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
from creditwh.reporting.metro2 import Metro2Header

# Independent samples: moov-io/metro2 test data (Apache-2.0, see fixtures/NOTICE.md), kept in the repository.
FIXTURES = Path(__file__).resolve().parent / "fixtures"
AS_OF = date(2024, 5, 31)

BASE_DDL = """
CREATE TABLE {name} (
    identification_number VARCHAR,
    consumer_account_number VARCHAR,
    portfolio_type VARCHAR,
    account_type VARCHAR,
    date_opened DATE,
    credit_limit DECIMAL(12, 2),
    highest_credit DECIMAL(12, 2),
    terms_duration VARCHAR,
    terms_frequency VARCHAR,
    scheduled_monthly_payment_amount DECIMAL(12, 2),
    actual_payment_amount DECIMAL(12, 2),
    account_status VARCHAR,
    payment_rating VARCHAR,
    payment_history_profile VARCHAR,
    special_comment VARCHAR,
    compliance_condition_code VARCHAR,
    current_balance DECIMAL(12, 2),
    amount_past_due DECIMAL(12, 2),
    original_charge_off_amount DECIMAL(12, 2),
    date_account_information DATE,
    date_first_delinquency DATE,
    date_closed DATE,
    date_last_payment DATE,
    interest_type_indicator VARCHAR,
    surname VARCHAR,
    first_name VARCHAR,
    middle_name VARCHAR,
    generation_code VARCHAR,
    social_security_number VARCHAR,
    date_birth DATE,
    telephone_number BIGINT,
    ecoa_code VARCHAR,
    consumer_information_indicator VARCHAR,
    country_code VARCHAR,
    first_line_address VARCHAR,
    second_line_address VARCHAR,
    city VARCHAR,
    state VARCHAR,
    zip_code VARCHAR,
    address_indicator VARCHAR,
    residence_code VARCHAR,
    correction_indicator INTEGER,
    time_stamp TIMESTAMP,
    cycle_identifier VARCHAR
)"""

_DEFAULT = dict(  # noqa: C408 - keyword form reads like the column list
    identification_number="1234567",
    portfolio_type="R",
    account_type="18",
    date_opened=date(2020, 1, 15),
    credit_limit=Decimal("5000.00"),
    highest_credit=Decimal("1234.56"),
    terms_duration="REV",
    terms_frequency="M",
    scheduled_monthly_payment_amount=Decimal("25.99"),
    actual_payment_amount=Decimal("100.00"),
    account_status="11",
    payment_rating="",
    payment_history_profile="000000000000",
    special_comment="",
    compliance_condition_code="",
    current_balance=Decimal("500.00"),
    amount_past_due=Decimal(0),
    original_charge_off_amount=Decimal(0),
    date_account_information=AS_OF,
    date_first_delinquency=None,
    date_closed=None,
    date_last_payment=date(2024, 5, 2),
    interest_type_indicator="F",
    surname="DOE",
    first_name="JOHN",
    middle_name="",
    generation_code="",
    social_security_number="123456789",
    date_birth=date(1980, 2, 29),
    telephone_number=5175550000,
    ecoa_code="1",
    consumer_information_indicator="",
    country_code="US",
    first_line_address="1 ELM ST",
    second_line_address="",
    city="LANSING",
    state="MI",
    zip_code="48901",
    address_indicator="Y",
    residence_code="O",
    correction_indicator=0,
    time_stamp=datetime(2024, 5, 31, 23, 0, 0),
    cycle_identifier="",
)
COLUMNS = list(_DEFAULT) + ["consumer_account_number"]


def account(consumer_account_number: str, **overrides) -> dict:
    row = {**_DEFAULT, "consumer_account_number": consumer_account_number}
    unknown = set(overrides) - set(row)
    assert not unknown, unknown
    row.update(overrides)
    return row


# Edge cases on purpose: lower-case, accented, too-long and apostrophe names; negative balance; cents; NULL
# dates.
SAMPLE_ACCOUNTS = [
    account(
        "ACC-1",
        account_status="71",
        payment_history_profile="0000",
        current_balance=Decimal("1234.99"),
        amount_past_due=Decimal("55.50"),
        date_first_delinquency=date(2024, 4, 10),
        surname="o'neil-smith",
        first_name="Élodie",
        middle_name="a very long middle name indeed yes",
        first_line_address="12 main st., #4",
        city="a city name that is far too long",
    ),
    account(
        "ACC-0",
        current_balance=Decimal("-50.50"),
        date_last_payment=None,
        date_birth=None,
        social_security_number=None,
        telephone_number=None,
        terms_duration="36",
        portfolio_type="I",
        account_type="01",
        correction_indicator=1,
    ),
    account(
        "ACC-2",
        account_status="13",
        payment_rating="1",
        current_balance=Decimal(0),
        date_account_information=date(2024, 5, 20),
        date_last_payment=date(2024, 5, 20),
        date_closed=date(2024, 5, 20),
    ),
    account(
        "ACC-3",
        account_status="97",
        payment_history_profile="654321000000",
        amount_past_due=Decimal(800),
        current_balance=Decimal("800.75"),
        original_charge_off_amount=Decimal("900.10"),
        date_first_delinquency=date(2023, 10, 5),
    ),
    account("A-9", identification_number="0000099", ecoa_code="Z"),
]

SAMPLE_J1 = [
    # (consumer_account_number, ordinal, surname, first_name, ecoa_code, ssn, date_birth, phone)
    ("ACC-1", 2, "Roe", "Jane", "2", "987654321", date(1985, 1, 1), None),
    ("ACC-1", 1, "Roe", "Jim", "3", None, None, "(517) 555-1111"),
    ("ACC-3", 1, "Poe", "Ann", "2", "111223333", None, None),
]

HEADER = Metro2Header(
    reporter_name="Acme Card Co",
    reporter_address="1 Bank St, Springfield IL 62701",
    activity_date=AS_OF,
    date_created=AS_OF,
    reporter_telephone_number="800-555-0100",
    equifax_program_identifier="EQ123",
    trans_union_program_identifier="TU12345",
)


def load_base(con: duckdb.DuckDBPyConnection, name: str, rows: list[dict]) -> None:
    con.execute(BASE_DDL.format(name=name))
    cols = list(rows[0])
    con.executemany(
        f"INSERT INTO {name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [[r[c] for c in cols] for r in rows],
    )


def load_j1(con: duckdb.DuckDBPyConnection, name: str, rows: list[tuple]) -> None:
    con.execute(f"""CREATE TABLE {name} (consumer_account_number VARCHAR, ordinal INTEGER, surname VARCHAR,
                    first_name VARCHAR, ecoa_code VARCHAR, social_security_number VARCHAR, date_birth DATE,
                    telephone_number VARCHAR)""")
    con.executemany(f"INSERT INTO {name} VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)

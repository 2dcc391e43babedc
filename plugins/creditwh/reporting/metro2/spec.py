"""Metro 2 (426-character format) record layouts and code tables: the one source of truth.

Positions are 1-based and transcribed from public sources (docs/metro2.md §1.2-§1.7; moov-io/metro2
`specifications.go`, cross-checked with cfpb/Metro2 `fields.py`). The writer builds its SQL from these
tables, the Python reader slices with them and the SQL validator generates its `substr` projections from
them, so a position fixed here is fixed everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Field kinds: A alphanumeric (left-justified, blank-filled, upper-case), N numeric (right-justified,
# zero-filled), M money (numeric, whole units, cents truncated), D date MMDDYYYY (zeros = none),
# T time stamp MMDDYYYYHHMMSS.
Kind = Literal["A", "N", "M", "D", "T"]
# moov requiredness: required = must be present; applicable = when it applies; nullable = may be blank/zero.
Requirement = Literal["required", "applicable", "nullable"]

RECORD_LENGTH = 426  # header, base segment and trailer in the character ("unpacked") format
DATE_ZERO = "00000000"
TIMESTAMP_ZERO = "0" * 14


@dataclass(frozen=True)
class Field:
    name: str  # snake_case; moov's camelCase JSON names map onto these one to one
    start: int  # 1-based position within the record / segment
    length: int
    kind: Kind
    requirement: Requirement = "nullable"

    @property
    def end(self) -> int:
        return self.start + self.length - 1

    @property
    def is_filler(self) -> bool:
        """Reserved areas are blank-filled by the writer and not type-checked (moov writes blanks there)."""
        return self.name.startswith("reserved")

    def slice(self, record: str) -> str:
        return record[self.start - 1 : self.end]

    def sql(self, record_expr: str) -> str:
        return f"substr({record_expr}, {self.start}, {self.length})"


@dataclass(frozen=True)
class Layout:
    name: str
    length: int
    fields: tuple[Field, ...]

    def __post_init__(self) -> None:
        pos = 1  # contiguity check: a typo in a position fails at import, not in a bureau's reject file
        for f in self.fields:
            if f.start != pos:
                raise AssertionError(f"{self.name}.{f.name} starts at {f.start}, expected {pos}")
            pos += f.length
        if pos - 1 != self.length:
            raise AssertionError(f"{self.name} fields cover {pos - 1} characters, expected {self.length}")

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


_REQ, _APP, _NUL = "required", "applicable", "nullable"
F = Field

HEADER = Layout(
    "header",
    RECORD_LENGTH,
    (
        F("record_descriptor_word", 1, 4, "N", _REQ),
        F("record_identifier", 5, 6, "A", _REQ),
        F("cycle_identifier", 11, 2, "A", _APP),
        F("innovis_program_identifier", 13, 10, "A", _APP),
        F("equifax_program_identifier", 23, 10, "A", _APP),
        F("experian_program_identifier", 33, 5, "A", _APP),
        F("trans_union_program_identifier", 38, 10, "A", _APP),
        F("activity_date", 48, 8, "D", _REQ),
        F("date_created", 56, 8, "D", _REQ),
        F("program_date", 64, 8, "D", _NUL),
        F("program_revision_date", 72, 8, "D", _NUL),
        F("reporter_name", 80, 40, "A", _REQ),
        F("reporter_address", 120, 96, "A", _REQ),
        F("reporter_telephone_number", 216, 10, "N", _NUL),
        F("software_vendor_name", 226, 40, "A", _APP),
        F("software_version_number", 266, 5, "A", _APP),
        F("prbc_program_identifier", 271, 10, "A", _APP),
        F("reserved", 281, 146, "A", _NUL),
    ),
)

BASE = Layout(
    "base",
    RECORD_LENGTH,
    (
        F("record_descriptor_word", 1, 4, "N", _REQ),
        F("processing_indicator", 5, 1, "N", _NUL),
        F("time_stamp", 6, 14, "T", _NUL),
        F("correction_indicator", 20, 1, "N", _NUL),
        F("identification_number", 21, 20, "A", _REQ),
        F("cycle_identifier", 41, 2, "A", _APP),
        F("consumer_account_number", 43, 30, "A", _REQ),
        F("portfolio_type", 73, 1, "A", _REQ),
        F("account_type", 74, 2, "A", _REQ),
        F("date_opened", 76, 8, "D", _REQ),
        F("credit_limit", 84, 9, "M", _APP),
        F("highest_credit", 93, 9, "M", _NUL),
        F("terms_duration", 102, 3, "A", _REQ),
        F("terms_frequency", 105, 1, "A", _APP),
        F("scheduled_monthly_payment_amount", 106, 9, "M", _APP),
        F("actual_payment_amount", 115, 9, "M", _APP),
        F("account_status", 124, 2, "A", _REQ),
        F("payment_rating", 126, 1, "A", _APP),
        F("payment_history_profile", 127, 24, "A", _REQ),
        F("special_comment", 151, 2, "A", _APP),
        F("compliance_condition_code", 153, 2, "A", _APP),
        F("current_balance", 155, 9, "M", _APP),
        F("amount_past_due", 164, 9, "M", _APP),
        F("original_charge_off_amount", 173, 9, "M", _APP),
        F("date_account_information", 182, 8, "D", _REQ),
        F("date_first_delinquency", 190, 8, "D", _APP),
        F("date_closed", 198, 8, "D", _APP),
        F("date_last_payment", 206, 8, "D", _APP),
        F("interest_type_indicator", 214, 1, "A", _NUL),
        F("reserved_2", 215, 17, "A", _NUL),
        F("surname", 232, 25, "A", _REQ),
        F("first_name", 257, 20, "A", _REQ),
        F("middle_name", 277, 20, "A", _APP),
        F("generation_code", 297, 1, "A", _APP),
        F("social_security_number", 298, 9, "N", _NUL),
        F("date_birth", 307, 8, "D", _NUL),
        F("telephone_number", 315, 10, "N", _NUL),
        F("ecoa_code", 325, 1, "A", _REQ),
        F("consumer_information_indicator", 326, 2, "A", _APP),
        F("country_code", 328, 2, "A", _NUL),
        F("first_line_address", 330, 32, "A", _REQ),
        F("second_line_address", 362, 32, "A", _APP),
        F("city", 394, 20, "A", _REQ),
        F("state", 414, 2, "A", _REQ),
        F("zip_code", 416, 9, "A", _REQ),
        F("address_indicator", 425, 1, "A", _NUL),
        F("residence_code", 426, 1, "A", _NUL),
    ),
)

J1 = Layout(
    "J1",
    100,
    (
        F("segment_identifier", 1, 2, "A", _REQ),
        F("reserved_1", 3, 1, "A", _NUL),
        F("surname", 4, 25, "A", _REQ),
        F("first_name", 29, 20, "A", _REQ),
        F("middle_name", 49, 20, "A", _APP),
        F("generation_code", 69, 1, "A", _APP),
        F("social_security_number", 70, 9, "N", _NUL),
        F("date_birth", 79, 8, "D", _NUL),
        F("telephone_number", 87, 10, "N", _NUL),
        F("ecoa_code", 97, 1, "A", _REQ),
        F("consumer_information_indicator", 98, 2, "A", _APP),
        F("reserved_2", 100, 1, "A", _NUL),
    ),
)

J2 = Layout(
    "J2",
    200,
    (
        F("segment_identifier", 1, 2, "A", _REQ),
        F("reserved_1", 3, 1, "A", _NUL),
        F("surname", 4, 25, "A", _REQ),
        F("first_name", 29, 20, "A", _NUL),
        F("middle_name", 49, 20, "A", _APP),
        F("generation_code", 69, 1, "A", _APP),
        F("social_security_number", 70, 9, "N", _NUL),
        F("date_birth", 79, 8, "D", _NUL),
        F("telephone_number", 87, 10, "N", _NUL),
        F("ecoa_code", 97, 1, "A", _REQ),
        F("consumer_information_indicator", 98, 2, "A", _APP),
        F("country_code", 100, 2, "A", _NUL),
        F("first_line_address", 102, 32, "A", _REQ),
        F("second_line_address", 134, 32, "A", _APP),
        F("city", 166, 20, "A", _REQ),
        F("state", 186, 2, "A", _REQ),
        F("zip_code", 188, 9, "A", _REQ),
        F("address_indicator", 197, 1, "A", _NUL),
        F("residence_code", 198, 1, "A", _NUL),
        F("reserved_2", 199, 2, "A", _NUL),
    ),
)

K1 = Layout(
    "K1",
    34,
    (
        F("segment_identifier", 1, 2, "A", _REQ),
        F("original_creditor_name", 3, 30, "A", _REQ),
        F("creditor_classification", 33, 2, "N", _REQ),
    ),
)

K2 = Layout(
    "K2",
    34,
    (
        F("segment_identifier", 1, 2, "A", _REQ),
        F("purchased_indicator", 3, 1, "N", _REQ),
        F("purchased_name", 4, 30, "A", _REQ),
        F("reserved", 34, 1, "A", _NUL),
    ),
)

K3 = Layout(
    "K3",
    40,
    (
        F("segment_identifier", 1, 2, "A", _REQ),
        F("agency_identifier", 3, 2, "N", _APP),
        F("account_number", 5, 18, "A", _APP),
        F("mortgage_identification_number", 23, 18, "A", _NUL),
    ),
)

K4 = Layout(
    "K4",
    30,
    (
        F("segment_identifier", 1, 2, "A", _REQ),
        F("specialized_payment_indicator", 3, 2, "N", _REQ),
        F("deferred_payment_start_date", 5, 8, "D", _APP),
        F("balloon_payment_due_date", 13, 8, "D", _APP),
        F("balloon_payment_amount", 21, 9, "M", _APP),
        F("reserved", 30, 1, "A", _NUL),
    ),
)

L1 = Layout(
    "L1",
    54,
    (
        F("segment_identifier", 1, 2, "A", _REQ),
        F("change_indicator", 3, 1, "N", _REQ),
        F("new_consumer_account_number", 4, 30, "A", _APP),
        F("new_identification_number", 34, 20, "A", _APP),
        F("reserved", 54, 1, "A", _NUL),
    ),
)

N1 = Layout(
    "N1",
    146,
    (
        F("segment_identifier", 1, 2, "A", _REQ),
        F("employer_name", 3, 30, "A", _REQ),
        F("first_line_employer_address", 33, 32, "A", _NUL),
        F("second_line_employer_address", 65, 32, "A", _NUL),
        F("employer_city", 97, 20, "A", _NUL),
        F("employer_state", 117, 2, "A", _NUL),
        F("zip_code", 119, 9, "A", _NUL),
        F("occupation", 128, 18, "A", _APP),
        F("reserved", 146, 1, "A", _NUL),
    ),
)

TRAILER = Layout(
    "trailer",
    RECORD_LENGTH,
    (
        F("record_descriptor_word", 1, 4, "N", _REQ),
        F("record_identifier", 5, 7, "A", _REQ),
        F("total_base_records", 12, 9, "N", _REQ),
        F("reserved_1", 21, 9, "A", _NUL),
        F("total_status_code_df", 30, 9, "N", _NUL),
        F("total_consumer_segments_j1", 39, 9, "N", _APP),
        F("total_consumer_segments_j2", 48, 9, "N", _APP),
        F("block_count", 57, 9, "N", _REQ),
        F("total_status_code_da", 66, 9, "N", _NUL),
        F("total_status_code_05", 75, 9, "N", _NUL),
        F("total_status_code_11", 84, 9, "N", _NUL),
        F("total_status_code_13", 93, 9, "N", _NUL),
        F("total_status_code_61", 102, 9, "N", _NUL),
        F("total_status_code_62", 111, 9, "N", _NUL),
        F("total_status_code_63", 120, 9, "N", _NUL),
        F("total_status_code_64", 129, 9, "N", _NUL),
        F("total_status_code_65", 138, 9, "N", _NUL),
        F("total_status_code_71", 147, 9, "N", _NUL),
        F("total_status_code_78", 156, 9, "N", _NUL),
        F("total_status_code_80", 165, 9, "N", _NUL),
        F("total_status_code_82", 174, 9, "N", _NUL),
        F("total_status_code_83", 183, 9, "N", _NUL),
        F("total_status_code_84", 192, 9, "N", _NUL),
        F("total_status_code_88", 201, 9, "N", _NUL),
        F("total_status_code_89", 210, 9, "N", _NUL),
        F("total_status_code_93", 219, 9, "N", _NUL),
        F("total_status_code_94", 228, 9, "N", _NUL),
        F("total_status_code_95", 237, 9, "N", _NUL),
        F("total_status_code_96", 246, 9, "N", _NUL),
        F("total_status_code_97", 255, 9, "N", _NUL),
        F("total_ecoa_code_z", 264, 9, "N", _NUL),
        F("total_employment_segments", 273, 9, "N", _NUL),
        F("total_original_creditor_segments", 282, 9, "N", _NUL),
        F("total_purchased_to_segments", 291, 9, "N", _NUL),
        F("total_mortgage_information_segments", 300, 9, "N", _NUL),
        F("total_payment_information_segments", 309, 9, "N", _NUL),
        F("total_change_segments", 318, 9, "N", _NUL),
        F("total_social_numbers_all_segments", 327, 9, "N", _NUL),
        F("total_social_numbers_base_segments", 336, 9, "N", _NUL),
        F("total_social_numbers_j1_segments", 345, 9, "N", _NUL),
        F("total_social_numbers_j2_segments", 354, 9, "N", _NUL),
        F("total_dates_birth_all_segments", 363, 9, "N", _NUL),
        F("total_dates_birth_base_segments", 372, 9, "N", _NUL),
        F("total_dates_birth_j1_segments", 381, 9, "N", _NUL),
        F("total_dates_birth_j2_segments", 390, 9, "N", _NUL),
        F("total_telephone_numbers_all_segments", 399, 9, "N", _NUL),
        # the public layout types this "numeric"; moov (and the fixtures) blank-fill it, so it is filler here.
        F("reserved_2", 408, 19, "A", _NUL),
    ),
)

# Appended segments in the order they must follow the base segment (J1/J2 may repeat, L1 may not).
SEGMENTS: dict[str, Layout] = {s.name: s for s in (J1, J2, K1, K2, K3, K4, L1, N1)}
SEGMENT_ORDER: dict[str, int] = {name: i for i, name in enumerate(SEGMENTS)}
SEGMENT_LENGTHS: dict[str, int] = {name: s.length for name, s in SEGMENTS.items()}

HEADER_IDENTIFIER = "HEADER"
TRAILER_IDENTIFIER = "TRAILER"

# Trailer count fields, in layout order (everything except RDW, identifier and filler).
TRAILER_TOTALS: tuple[str, ...] = tuple(
    f.name for f in TRAILER.fields if f.kind == "N" and f.name != "record_descriptor_word"
)

# ---------------------------------------------------------------- code tables (docs/metro2.md §1.5, moov
# constants)
ACCOUNT_STATUS: dict[str, str] = {
    "05": "Transferred",
    "11": "0-29 days past the due date (current account)",
    "13": "Paid or closed account / zero balance",
    "61": "Paid in full, was a voluntary surrender",
    "62": "Paid in full, was a collection account",
    "63": "Paid in full, was a repossession",
    "64": "Paid in full, was a charge-off",
    "65": "Paid in full, a foreclosure was started",
    "71": "30-59 days past the due date",
    "78": "60-89 days past the due date",
    "80": "90-119 days past the due date",
    "82": "120-149 days past the due date",
    "83": "150-179 days past the due date",
    "84": "180 days or more past the due date",
    "88": "Claim filed with government for insured portion of balance on a defaulted loan",
    "89": "Deed received in lieu of foreclosure on a defaulted mortgage",
    "93": "Assigned to internal or external collections",
    "94": "Foreclosure completed",
    "95": "Voluntary surrender",
    "96": "Merchandise was repossessed",
    "97": "Unpaid balance reported as a loss (charge-off)",
    "DA": "Delete entire account (reasons other than fraud)",
    "DF": "Delete entire account due to confirmed fraud",
}
# Trailer per-status counters, keyed by status code.
TRAILER_STATUS_FIELDS: dict[str, str] = {code: f"total_status_code_{code.lower()}" for code in ACCOUNT_STATUS}

PAYMENT_RATING: dict[str, str] = {
    "0": "Current (0-29 days past the due date)",
    "1": "30-59 days",
    "2": "60-89 days",
    "3": "90-119 days",
    "4": "120-149 days",
    "5": "150-179 days",
    "6": "180 days or more",
    "G": "Collection",
    "L": "Charge-off",
}
# Payment Rating must be reported for exactly these statuses and blank for all others.
STATUSES_REQUIRING_RATING = frozenset({"05", "13", "65", "88", "89", "94", "95"})

PAYMENT_HISTORY_CHARS: dict[str, str] = {
    "0": "Current",
    "1": "30-59 days",
    "2": "60-89 days",
    "3": "90-119 days",
    "4": "120-149 days",
    "5": "150-179 days",
    "6": "180 days or more",
    "B": "No history prior to this time",
    "D": "No history this month",
    "E": "Zero balance and current (cards/LOC)",
    "G": "Collection",
    "H": "Foreclosure completed",
    "J": "Voluntary surrender",
    "K": "Repossession",
    "L": "Charge-off",
}
PAYMENT_HISTORY_LENGTH = 24

COMPLIANCE_CONDITION_CODES: dict[str, str] = {
    "XA": "Closed at consumer's request",
    "XB": "Investigating dispute under FCRA",
    "XC": "FCRA dispute investigation completed; consumer disagrees",
    "XD": "Closed at consumer's request; FCRA dispute in progress",
    "XE": "Closed at consumer's request; FCRA dispute completed, consumer disagrees",
    "XF": "FCBA dispute in progress",
    "XG": "FCBA dispute completed; consumer disagrees",
    "XH": "Previously in dispute; investigation completed",
    "XJ": "Closed at consumer's request; FCBA dispute",
    "XR": "Removes the most recently reported Compliance Condition Code",
}

ECOA_CODES: dict[str, str] = {
    "1": "Individual",
    "2": "Joint contractual liability",
    "3": "Authorized user",
    "5": "Co-maker or guarantor",
    "7": "Maker",
    "T": "Terminated",
    "X": "Deceased",
    "W": "Business/commercial",
    "Z": "Delete consumer",
}  # 0, 4 and 6 are obsolete since September 2003 and rejected.

CONSUMER_INFORMATION_INDICATORS: dict[str, str] = {
    "A": "Petition for Chapter 7",
    "B": "Petition for Chapter 11",
    "C": "Petition for Chapter 12",
    "D": "Petition for Chapter 13",
    "E": "Discharged Chapter 7",
    "F": "Discharged Chapter 11",
    "G": "Discharged Chapter 12",
    "H": "Discharged Chapter 13",
    "Q": "Removes bankruptcy indicator",
    "R": "Reaffirmation of debt",
    "S": "Removes reaffirmation indicators",
    "T": "Cannot locate consumer",
    "U": "Consumer now located",
    "V": "Reaffirmation rescinded",
    "1A": "Personal receivership",
    "2A": "Lease assumption",
}

PORTFOLIO_TYPES: dict[str, str] = {
    "C": "Line of credit",
    "I": "Installment",
    "M": "Mortgage",
    "O": "Open",
    "R": "Revolving",
}

# Selected list only (docs/metro2.md §1.5): used for labels, not as a closed code list in validation.
SPECIAL_COMMENTS_SELECTED: dict[str, str] = {
    "M": "Closed at credit grantor's request",
    "AU": "Paid in full for less than the full balance",
    "AP": "Credit line suspended",
    "BL": "Credit card lost or stolen",
    "CI": "Closed due to inactivity",
    "AC": "Partial payment agreement",
    "V": "Adjustment pending",
    "AW": "Natural or declared disaster",
    "CP": "Forbearance",
}

TERMS_FREQUENCIES = frozenset("DPWBEMLQTSY")  # moov constants; blank allowed
INTEREST_TYPE_INDICATORS = frozenset("FV")  # blank allowed
ADDRESS_INDICATORS = frozenset("CYNMSBUDP")  # blank allowed
RESIDENCE_CODES = frozenset("OR")  # blank allowed

# ---------------------------------------------------------------- delinquency ladder (docs/metro2.md §1.6)
# Status -> Payment Rating / PHP character of that status, for the statuses whose character is unambiguous.
STATUS_TO_PHP_CHAR: dict[str, str] = {
    "11": "0",
    "71": "1",
    "78": "2",
    "80": "3",
    "82": "4",
    "83": "5",
    "84": "6",
    "93": "G",
    "97": "L",
}
# Rank of each open-account delinquency bucket (30 days each); a jump of more ranks than the days since the
# previous period allow, (29 + days) // 30, skips a bucket (prog_status_1).
DELINQUENCY_RANK: dict[str, int] = {"11": 0, "71": 1, "78": 2, "80": 3, "82": 4, "83": 5, "84": 6}
# Statuses for which the Date of First Delinquency must be reported (brief: 71-84 and 97).
STATUSES_REQUIRING_DOFD = frozenset({"71", "78", "80", "82", "83", "84", "97"})
# Delinquent statuses for amount-past-due > 0 (CFPB addl_apd_1).
STATUSES_REQUIRING_PAST_DUE = frozenset({"71", "78", "80", "82", "83", "84", "93", "97"})
# "Delinquent" for the DOFD-stability rule (CFPB prog_dofd_1): the DOFD must not move while the account
# stays in one of these statuses.
STATUSES_DELINQUENT = frozenset(
    {"71", "78", "80", "82", "83", "84", "88", "89", "93", "94", "95", "96", "97"}
)
# Paid statuses whose Date of Account Information should be the date paid (CFPB addl_doai_1).
STATUSES_PAID = frozenset({"13", "61", "62", "63", "64", "65"})
# Statuses that end an account's reporting (its last record): paid or closed (13, 61-65), transferred (05),
# deleted (DA, DF). Any other status stays on the consumer's file until we send one of these, so an account
# last reported with another status must be in the next file (consistency.py, vanished_account). The
# report's 'final' group (dbt macros/credit_status.sql) is held to this set by the tests.
STATUSES_FINAL = STATUSES_PAID | {"05", "DA", "DF"}

# ---------------------------------------------------------------- character set
# Alphanumeric fields: upper-case letters, digits, blank and - / . , # & (addresses need # and /).
# Anything else is replaced by a blank. Consumer name fields are stricter (letters, blank, hyphen) and other
# characters are removed rather than blanked, so O'NEIL becomes ONEIL rather than O NEIL.
ALLOWED_CHARS_REGEX = r"[^A-Z0-9 /.,#&-]"
ALLOWED_NAME_CHARS_REGEX = r"[^A-Z -]"
NAME_FIELDS = frozenset({"surname", "first_name", "middle_name"})

"""The PBOC card account message layout, in one place: records, segments, elements and code sets.

MODELLED on public sources (element names from bank/vendor code implementing second-generation 二代
submissions, code sets from public credit-report parsers; docs/pboc.md), NOT an official specification:
the PBOC distributes its interface specification to reporting institutions only.

Each element maps to a column of restricted.rpt_pboc_card_accounts (the dbt model holds the values and
their rules; this module only says how they are spelled in the file). Kinds: "text" (XML-escaped),
"int" (whole yuan or a count, digits only), "date" (YYYY-MM-DD), "month" (YYYY-MM).
"""

from __future__ import annotations

from dataclasses import dataclass

MESSAGE_VERSION = "2.0.0"  # this project's layout version, written in every header
ROOT = "Message"
HEADER = "Header"
MODELLED_ON = "layout modelled on public sources; not an official PBOC specification (docs/pboc.md)"


@dataclass(frozen=True)
class Element:
    name: str  # XML element name (public element name)
    column: str  # model column
    kind: str  # text | int | date | month
    required: bool = True


@dataclass(frozen=True)
class Segment:
    code: str  # segment letter (MdfcSgmtCode / DelSgmtCode)
    tag: str  # XML element name of the segment
    elements: tuple[Element, ...]

    def element(self, name: str) -> Element:
        return next(e for e in self.elements if e.name == name)


E = Element
BASE = Segment("B", "AcctBsSgmt", (
    E("InfRecType", "inf_rec_type", "text"),
    E("AcctType", "acct_type", "text"),
    E("AcctCode", "acct_code", "text"),
    E("RptDate", "rpt_date", "date"),
    E("RptDateCode", "rpt_date_code", "text"),
    E("Name", "name", "text"),
    E("IDType", "id_type", "text"),
    E("IDNum", "id_num", "text"),
    E("MngmtOrgCode", "mngmt_org_code", "text"),
))  # fmt: skip
BASIC = Segment("C", "AcctBsInfSgmt", (
    E("BusiLines", "busi_lines", "text"),
    E("BusiDtlLines", "busi_dtl_lines", "text"),
    E("OpenDate", "open_date", "date"),
    E("Cy", "cy", "text"),
    E("AcctCredLine", "acct_cred_line", "int"),
    E("GuarMode", "guar_mode", "text"),
    E("OthRepyGuarWay", "oth_repy_guar_way", "text"),
    E("AssetTrandFlag", "asset_trand_flag", "text"),
    E("FundSou", "fund_sou", "text"),
    E("LoanForm", "loan_form", "text"),
))  # fmt: skip
MONTHLY = Segment("H", "AcctMthlyBlgInfSgmt", (
    E("Month", "report_month", "month"),
    E("SettDate", "sett_date", "date"),
    E("AcctStatus", "acct_status", "text"),
    E("AcctBal", "acct_bal", "int"),
    E("PridAcctBal", "prid_acct_bal", "int"),
    E("UsedAmt", "used_amt", "int"),
    E("FiveCate", "five_cate", "text"),
    E("FiveCateAdjDate", "five_cate_adj_date", "date", required=False),
    E("RpyStatus", "rpy_status", "text"),
    E("OverdPrd", "overd_prd", "int"),
    E("TotOverd", "tot_overd", "int"),
    E("Oved31_60Princ", "oved31_60_princ", "int"),
    E("Oved61_90Princ", "oved61_90_princ", "int"),
    E("Oved91_180Princ", "oved91_180_princ", "int"),
    E("OvedrawBaOve180", "ovedraw_ba_ove180", "int"),
    E("CurRpyAmt", "cur_rpy_amt", "int"),
    E("ActRpyAmt", "act_rpy_amt", "int"),
    E("LatRpyDate", "lat_rpy_date", "date", required=False),
    E("CloseDate", "close_date", "date", required=False),
))  # fmt: skip
NON_MONTHLY = Segment("J", "AcctDbtInfSgmt", (
    E("AcctStatus", "acct_status", "text"),
    E("AcctBal", "acct_bal", "int"),
    E("FiveCate", "five_cate", "text"),
    E("FiveCateAdjDate", "five_cate_adj_date", "date", required=False),
    E("RpyStatus", "rpy_status", "text"),
    E("OverdPrd", "overd_prd", "int"),
    E("TotOverd", "tot_overd", "int"),
    E("LatRpyAmt", "lat_rpy_amt", "int"),
    E("LatRpyDate", "lat_rpy_date", "date", required=False),
    E("CloseDate", "close_date", "date", required=False),
))  # fmt: skip
SEGMENTS = (BASE, BASIC, MONTHLY, NON_MONTHLY)
SEGMENT_BY_CODE = {s.code: s for s in SEGMENTS}
# the segments a period's record holds that a 213 (按段删除) may remove: the month's performance
PERIOD_SEGMENTS = ("H", "J")

# Record types (InfRecType) and their XML element names (PBCRS_1 model class names)
ACCOUNT = "210"  # 个人借贷账户记录
CORRECTION = "212"  # 个人借贷账户按段更正请求记录
SEGMENT_DELETE = "213"  # 个人借贷账户按段删除请求记录
ACCOUNT_DELETE = "214"  # 个人借贷账户整笔删除请求记录
RECORD_TAG = {ACCOUNT: "InAcctInf", CORRECTION: "InAcctMdfc", SEGMENT_DELETE: "InAcctDel",
              ACCOUNT_DELETE: "InAcctEntDel"}  # fmt: skip

# Code sets (docs/pboc.md §2)
ACCT_TYPE_CARD = "R2"
ID_TYPE_RESIDENT_ID = "10"
CARD_ACCOUNT_STATUSES = {
    "1",
    "2",
    "3",
    "31",
    "4",
    "5",
    "6",
    "8",
}  # 正常 冻结 止付 银行止付 销户 呆账 未激活 司法追偿
ACCOUNT_STATUS_CLOSED = "4"  # 销户
ACCOUNT_STATUS_STOPPED = "3"  # 止付
ACCOUNT_STATUS_BAD_DEBT = "5"  # 呆账
ACCOUNT_STATUS_INACTIVE = "6"  # 未激活
OVERDUE_STATUSES = ("1", "2", "3", "4", "5", "6", "7")  # 1-30, 31-60, ..., 151-180, above 180 days
REPAYMENT_STATUSES = set(OVERDUE_STATUSES) | {"*", "#", "/", "A", "B", "C", "D", "G", "M", "N", "Z"}
FIVE_CATEGORIES = {"1", "2", "3", "4", "5", "6", "9"}  # 正常 关注 次级 可疑 损失 违约 未分类
# PBOC repayment-status digit -> (lowest, highest) days past due; None = open-ended
DPD_RANGES = {"1": (1, 30), "2": (31, 60), "3": (61, 90), "4": (91, 120), "5": (121, 150), "6": (151, 180),
              "7": (181, None)}  # fmt: skip


def file_name(period_end, sequence: int = 0, record_type: str = ACCOUNT) -> str:
    """pboc_r2_<YYYYMMDD>.xml for a period's original 210 file; pboc_r2_<YYYYMMDD>_cNN_<type>.xml for the
    n-th correction's file of one record type (c00: the deletions the original publication sends with its 210
    file - negative history past its retention, fraud)."""
    stem = f"pboc_r2_{period_end:%Y%m%d}"
    if not sequence and record_type == ACCOUNT:
        return f"{stem}.xml"
    return f"{stem}_c{sequence:02d}_{record_type}.xml"

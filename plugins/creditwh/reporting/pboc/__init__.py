"""PBOC second-generation (二代) personal credit-card account records (210, account type R2 贷记卡).

The layout is MODELLED on public sources (element names from public bank/vendor code, code sets from public
credit-report parsers, the CRC rules public code quotes), not an official specification (docs/pboc.md).

spec.py         records, segments, elements (each mapped to a column of restricted.rpt_pboc_card_accounts)
reporter.py     the institution codes of a deployment (CREDITWH_PBOC_*), checked before anything is read
writer.py       a message file of one record type, built in DuckDB, framed in Python, deterministic bytes
validator.py    the file read back: structure, elements, public CRC rules, cross-field and continuity rules
publication.py  what was submitted; a period's 210 file, or 212 / 213 / 214 (and 210) correction files
"""

"""Shared blacklist (信用黑名单): per-person listing with keyed subject hashes, daily delta + full snapshot.

build_blacklist(con, business_date, policy, key, rekey_from) -> BlacklistResult        (see delta.py)
load_key(conn_id="blacklist_hmac") -> bytes, key_id(key) -> str                        (see keys.py)
check_key(...): a changed key is refused unless its rotation is declared                (see rotation.py)
BlacklistPolicy.from_env()                                                              (see policy.py)
"""

from creditwh.reporting.blacklist.delta import BlacklistResult, build_blacklist
from creditwh.reporting.blacklist.keys import (
    BlacklistKeyMissing,
    BlacklistKeyWeak,
    hmac_sha256_sql,
    key_id,
    load_key,
)
from creditwh.reporting.blacklist.policy import BlacklistPolicy
from creditwh.reporting.blacklist.rotation import BlacklistKeyChanged

__all__ = [
    "BlacklistKeyChanged",
    "BlacklistKeyMissing",
    "BlacklistKeyWeak",
    "BlacklistPolicy",
    "BlacklistResult",
    "build_blacklist",
    "hmac_sha256_sql",
    "key_id",
    "load_key",
]

"""Shared blacklist (信用黑名单): per-person listing with keyed subject hashes, daily delta + full snapshot.

publish_blacklist_files(con, business_date, publication, policy, key) -> BlacklistResult  (see delta.py)
load_key(conn_id="blacklist_hmac") -> bytes                                            (see keys.py)
BlacklistPolicy.from_env()                                                              (see policy.py)
"""

from creditwh.reporting.blacklist.delta import BlacklistResult, build_blacklist
from creditwh.reporting.blacklist.keys import BlacklistKeyMissing, hmac_sha256_sql, load_key
from creditwh.reporting.blacklist.policy import BlacklistPolicy

__all__ = [
    "BlacklistKeyMissing",
    "BlacklistPolicy",
    "BlacklistResult",
    "build_blacklist",
    "hmac_sha256_sql",
    "load_key",
]

"""Great Expectations validation gates: raw completeness before dbt, marts before the extracts.

from creditwh.quality import run_raw_gate, run_marts_gate, ValidationGateFailed

Which layer owns which check (each check lives in exactly one of them):

1. Landing verification (creditwh.landing.verify), before anything is loaded: the drop is what its
   manifest says - files, names, checksums, the contract's columns and physical types, business-date
   stamps, record counts and control totals. Fails on the file, loads nothing.
2. Raw gate (suites_raw), after the load, before dbt: the rows obey the contract's row rules and agree
   with earlier days - keys, ranges, codes, referential links across datasets, day-over-day continuity -
   and the loaded partition is exactly what was verified.
3. dbt data tests, inside the build: the models' own invariants - keys, accepted values, a roll-rate
   row summing to 1, the DPD scale tiling - fail the build where the logic lives.
4. Marts gate (suites_marts), after dbt, before any extract: reconciliation across layers - facts
   against the manifest's control totals, aging against facts - and what an extract needs present.
"""

from creditwh.quality.gate import (
    ExpectationOutcome,
    GateResult,
    ValidationGateFailed,
    build_data_docs,
    run_gate,
    run_marts_gate,
    run_raw_gate,
)

__all__ = [
    "ExpectationOutcome",
    "GateResult",
    "ValidationGateFailed",
    "build_data_docs",
    "run_gate",
    "run_marts_gate",
    "run_raw_gate",
]

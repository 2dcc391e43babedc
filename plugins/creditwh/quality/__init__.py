"""Great Expectations validation gates: raw completeness before dbt, marts before the extracts.

from creditwh.quality import run_raw_gate, run_marts_gate, ValidationGateFailed
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

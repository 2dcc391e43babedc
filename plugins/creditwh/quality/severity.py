"""Severity of an expectation: CRITICAL stops the pipeline, WARNING is recorded in Data Docs only.

Carried twice on purpose: GX 1.24's own ``severity`` field (rendered in Data Docs) and ``meta.severity``
(what the gate reads, stable across GX versions). ``meta.rule`` is a short stable name for the check that
error messages and tests use.
"""

from __future__ import annotations

from great_expectations.expectations.expectation import Expectation

CRITICAL = "critical"
WARNING = "warning"


def _tag(expectation: Expectation, severity: str, rule: str, why: str) -> Expectation:
    expectation.severity = severity
    expectation.meta = {**(expectation.meta or {}), "severity": severity, "rule": rule}
    expectation.description = why
    return expectation


def critical(rule: str, why: str, expectation: Expectation) -> Expectation:
    return _tag(expectation, CRITICAL, rule, why)


def warning(rule: str, why: str, expectation: Expectation) -> Expectation:
    return _tag(expectation, WARNING, rule, why)


def severity_of(expectation_config: dict) -> str:
    meta = expectation_config.get("meta") or {}
    return meta.get("severity") or expectation_config.get("severity") or CRITICAL

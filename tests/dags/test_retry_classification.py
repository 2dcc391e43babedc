"""One home for "is this error worth retrying": PipelineError.retriable (creditwh.errors). The DAGs' retry
policy (creditwh.pipeline.policy) reads it; these tests hold the policy to it for every PipelineError."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import creditwh
import pytest
from airflow.sdk import RetryAction
from creditwh import errors
from creditwh.errors import PipelineError
from creditwh.pipeline import policy


def _every_pipeline_error() -> list[type[PipelineError]]:
    """Every PipelineError class defined anywhere in the package (every module imported)."""
    for module in pkgutil.walk_packages(creditwh.__path__, "creditwh."):
        importlib.import_module(module.name)
    found, todo = [], [PipelineError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in found if c.__module__.startswith("creditwh.")]


def _instance(cls: type[PipelineError]) -> PipelineError:
    """An instance without calling the class's own __init__ (their arguments differ)."""
    exc = cls.__new__(cls)
    Exception.__init__(exc, f"a {cls.__name__}")
    return exc


def test_the_policy_retries_exactly_the_retriable_pipeline_errors():
    classes = _every_pipeline_error()
    assert len(classes) >= 10
    for cls in classes:
        action = policy.RETRY_POLICY.evaluate(_instance(cls), try_number=1, max_tries=3).action
        expected = RetryAction.RETRY if cls.retriable else RetryAction.FAIL
        assert action is expected, (
            f"{cls.__module__}.{cls.__name__}: retriable={cls.retriable}, policy {action}"
        )


def test_retriable_pipeline_errors_live_in_errors_py():
    """The policy reads creditwh.errors only (DAG parse time must stay light), so a retriable error
    defined elsewhere would not be retried."""
    elsewhere = [
        f"{c.__module__}.{c.__name__}"
        for c in _every_pipeline_error()
        if c.retriable and c.__module__ != errors.__name__
    ]
    assert elsewhere == []


def test_a_new_retriable_error_is_retried_without_touching_the_policy(monkeypatch):
    flaky = type("ClearingHouseBusy", (PipelineError,), {"retriable": True, "__module__": errors.__name__})
    monkeypatch.setattr(errors, "ClearingHouseBusy", flaky, raising=False)
    try:
        reloaded = importlib.reload(policy)
        assert (
            reloaded.RETRY_POLICY.evaluate(flaky("busy"), try_number=1, max_tries=3).action
            is RetryAction.RETRY
        )
    finally:
        monkeypatch.undo()
        importlib.reload(policy)


@pytest.mark.parametrize("name", ["DropNotArrived", "DbtBuildError"])
def test_the_documented_transient_pipeline_errors_are_retriable(name):
    cls = getattr(errors, name)
    assert inspect.isclass(cls) and cls.retriable and cls in policy.RETRIABLE_PIPELINE_ERRORS

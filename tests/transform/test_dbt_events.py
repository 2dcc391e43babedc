"""creditwh.transform.dbt_events: dbt's log messages are not built when nothing receives them, and
everything that does receive them (a callback, a warning turned into an error) still gets them."""

from __future__ import annotations

import pytest
from creditwh.transform import dbt_events
from dbt_common.events.base_types import EventLevel
from dbt_common.events.event_manager import EventManager
from dbt_common.events.types import Formatting, SystemReportReturnCode


@pytest.fixture
def lean():
    installed_before = getattr(EventManager.fire_event, "_creditwh_lean", False)
    dbt_events.install()
    yield
    if not installed_before:
        dbt_events.uninstall()


@pytest.fixture
def built(monkeypatch):
    """How many messages the event manager built (dbt's own msg_from_base_event, counted)."""
    import dbt_common.events.event_manager as module

    count = [0]
    original = module.msg_from_base_event

    def counting(*args, **kwargs):
        count[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, "msg_from_base_event", counting)
    return count


def test_debug_and_info_events_are_not_built_for_nobody(lean, built):
    manager = EventManager()
    manager.fire_event(Formatting(msg="info"))
    manager.fire_event(SystemReportReturnCode(returncode=0))
    assert built[0] == 0


def test_without_the_patch_every_event_is_built(built):
    dbt_events.uninstall()
    try:
        EventManager().fire_event(Formatting(msg="info"))
    finally:
        dbt_events.install()
    assert built[0] == 1


def test_a_callback_still_receives_every_event(lean, built):
    manager, received = EventManager(), []
    manager.add_callback(received.append)
    manager.fire_event(Formatting(msg="hello"))
    manager.fire_event(SystemReportReturnCode(returncode=3))
    assert [m.info.name for m in received] == ["Formatting", "SystemReportReturnCode"]
    assert received[0].info.msg == "hello" and built[0] == 2


def test_a_warning_still_goes_through_warn_error(lean):
    from dbt_common.exceptions import EventCompilationError

    manager = EventManager()
    manager.require_warn_or_error_handling = True
    manager.warn_error = True
    with pytest.raises(EventCompilationError):
        manager.fire_event(Formatting(msg="a warning"), level=EventLevel.WARN)


def test_install_is_idempotent(lean):
    wrapped = EventManager.fire_event
    dbt_events.install()
    assert EventManager.fire_event is wrapped

"""Skip building dbt's log messages when nothing would receive them.

dbt fires an event for every step of every node (thousands per daily build) and turns each into a protobuf
message first (``msg_from_base_event``: the text, a timestamp parsed back from a string, ``ParseDict``) and
only then asks its loggers and callbacks whether they want it. The nightly build logs nothing
(``--log-level none``, no callbacks: results travel as run results), so that work was a tenth of the build.

``install`` wraps ``EventManager.fire_event``: a debug or info event is dropped before it is built when the
manager has no logger and no callback other than dbt's own usage tracking with tracking off. Warnings and
errors always take dbt's path (``--warn-error`` turns them into failures there), and so does every event
of a dbt invocation that logs (``dbt docs generate`` with its default logging, a developer's run).
"""

from __future__ import annotations

import functools

_MARKER = "_creditwh_lean"


def _nobody_listens(manager) -> bool:
    from dbt import tracking

    if manager.loggers:
        return False
    tracking_off = tracking.active_user is None or tracking.active_user.do_not_track
    return tracking_off and all(cb is tracking.track_behavior_change_warn for cb in manager.callbacks)


def install() -> None:
    """Once per process (idempotent)."""
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.event_manager import EventManager

    original = EventManager.fire_event
    if getattr(original, _MARKER, False):
        return
    quiet_levels = (EventLevel.DEBUG, EventLevel.INFO)

    @functools.wraps(original)
    def fire_event(self, e, level=None, node=None, force_warn_or_error_handling=False):
        if (
            not force_warn_or_error_handling
            and (level or e.level_tag()) in quiet_levels
            and _nobody_listens(self)
        ):
            return None
        return original(self, e, level=level, node=node, force_warn_or_error_handling=force_warn_or_error_handling)

    setattr(fire_event, _MARKER, True)
    fire_event.__wrapped__ = original
    EventManager.fire_event = fire_event


def uninstall() -> None:
    from dbt_common.events.event_manager import EventManager

    if getattr(EventManager.fire_event, _MARKER, False):
        EventManager.fire_event = EventManager.fire_event.__wrapped__

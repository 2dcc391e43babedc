"""Named points where a fault test can stop a run, to kill it at a known moment (no sleep-and-hope).

With CREDITWH_FAULT_PAUSE=<name> in the environment, the process reaching pause_point(<name>) writes
"creditwh-fault-pause <name>" to stderr and sleeps until it is killed. Unset (always, outside those tests)
it costs one environment lookup.
"""

from __future__ import annotations

import os
import sys
import time

ENV = "CREDITWH_FAULT_PAUSE"
MARKER = "creditwh-fault-pause"


def pause_point(name: str) -> None:
    if os.environ.get(ENV) != name:
        return
    print(f"{MARKER} {name}", file=sys.stderr, flush=True)
    while True:
        time.sleep(60)

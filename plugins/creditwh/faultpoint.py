"""Named points where a fault test stops a run at a known moment (no sleep-and-hope), as a crash would.

With CREDITWH_FAULT_PAUSE=<name> the process reaching fault_point(<name>) writes
"creditwh-fault-pause <name>" to stderr and sleeps until the test kills it; with CREDITWH_FAULT_KILL=<name>
it SIGKILLs itself there. Unset (always, outside those tests) a point costs two environment lookups.
"""

from __future__ import annotations

import os
import signal
import sys
import time

ENV = "CREDITWH_FAULT_PAUSE"
KILL_ENV = "CREDITWH_FAULT_KILL"
MARKER = "creditwh-fault-pause"


def fault_point(name: str) -> None:
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get(ENV) != name:
        return
    print(f"{MARKER} {name}", file=sys.stderr, flush=True)
    while True:
        time.sleep(60)

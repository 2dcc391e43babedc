"""Kill a pipeline step with SIGKILL at a named point (creditwh.faultpoint), as a crash or an OOM kill
would: the child prints the point's marker and waits; the test kills it then, never after a guessed sleep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from creditwh.faultpoint import ENV, MARKER

TIMEOUT_SECONDS = 90

# A daily task body in a fresh interpreter, the way an Airflow worker runs it.
TASK = """
import datetime as dt, sys
from creditwh.config import settings
from creditwh.pipeline import daily
getattr(daily, sys.argv[1])(dt.date.fromisoformat(sys.argv[2]), settings())
"""

# The dbt build, stopped once the node sys.argv[3] has finished: a dbt event callback (added to every runner
# the build creates) reaches the fault point; that thread's downstream nodes cannot start meanwhile.
DBT_TASK = """
import datetime as dt, sys
from dbt.cli import main as dbt_main
from creditwh.config import settings
from creditwh.faultpoint import fault_point
from creditwh.pipeline import daily

def pause_after_node(event):
    if event.info.name == "NodeFinished" and event.data.node_info.node_name == sys.argv[3]:
        fault_point("dbt_node_finished")

runner_init = dbt_main.dbtRunner.__init__
def init(self, manifest=None, callbacks=None):
    runner_init(self, manifest=manifest, callbacks=[*(callbacks or []), pause_after_node])
dbt_main.dbtRunner.__init__ = init
daily.transform(dt.date.fromisoformat(sys.argv[2]), settings())
"""


def kill_at(point: str, *args: str, script: str = TASK) -> str:
    """Run `script args…` with the fault point `point` armed; SIGKILL it there. Returns its stderr so far."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        env={**os.environ, ENV: point},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    watchdog = threading.Timer(TIMEOUT_SECONDS, proc.kill)  # a child that never gets there fails the test
    watchdog.start()
    seen = []
    try:
        for line in proc.stderr:
            seen.append(line)
            if line.strip() == f"{MARKER} {point}":
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        watchdog.cancel()
        proc.wait()
        proc.stderr.close()
    output = "".join(seen)
    assert proc.returncode == -signal.SIGKILL, (
        f"{point} not reached (exit {proc.returncode}):\n{output[-3000:]}"
    )
    assert f"{MARKER} {point}" in output, f"killed before reaching {point}:\n{output[-3000:]}"
    return output

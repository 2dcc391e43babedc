"""A webhook receiver for the alerts the cluster sends (CREDITWH_ALERT_WEBHOOK): a real HTTP server in a thread."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class AlertInbox:
    def __init__(self):
        self.alerts: list[dict] = []
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                inbox.alerts.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for alert in list(self.alerts):
                if predicate(alert):
                    return alert
            time.sleep(2)
        raise TimeoutError(f"no matching alert after {timeout} s; received: {[a['subject'] for a in self.alerts]}")

    def close(self) -> None:
        self.server.shutdown()

"""A real HTTP receiver for webhook tests: a threaded ``http.server`` on
127.0.0.1 that verifies every request with standardwebhooks' own
``Webhook.verify`` and answers with the status code the test asks for."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self):
        self.secret = ""
        self.status = 200
        self.received: list[dict] = []  # verified payloads
        self.refused: list[str] = []  # signatures that did not verify
        self.headers: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = dict(self.headers.items())
                receiver.headers.append(headers)
                try:
                    receiver.received.append(
                        Webhook(receiver.secret).verify(body, headers)
                    )
                except WebhookVerificationError as error:
                    receiver.refused.append(str(error))
                    self.send_response(400)
                else:
                    self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/mentoring"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

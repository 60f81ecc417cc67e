"""A real local HTTP peer standing in for Slack and Teams in tests.

A threaded ``http.server`` in the test process: it records every request
(path, headers, JSON body) and answers as told (a status, a body, a delay
longer than the client's timeout, a redirect).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

from wagtail_mentoring.conf import DEFAULTS


@dataclass
class Received:
    path: str
    headers: dict
    body: dict


class ChatPeer:
    def __init__(self):
        self.requests: list[Received] = []
        self.status = 200
        self.reply = b"ok"
        self.delay = 0.0
        self.location = ""
        #: path → answer body, for peers that answer per API method.
        self.replies: dict[str, bytes] = {}
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.headers.get("Content-Type", "").startswith(
                    "application/x-www-form-urlencoded"
                ):
                    body = dict(parse_qsl(raw.decode()))
                else:
                    body = json.loads(raw or b"{}")
                peer.requests.append(Received(self.path, dict(self.headers), body))
                reply = peer.replies.get(self.path, peer.reply)
                if peer.delay:
                    time.sleep(peer.delay)
                try:
                    self.send_response(peer.status)
                    if peer.location:
                        self.send_header("Location", peer.location)
                    self.send_header("Content-Length", str(len(reply)))
                    self.end_headers()
                    self.wfile.write(reply)
                except OSError:  # the client gave up waiting
                    pass

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str = "/hook") -> str:
        return self.origin + path

    def answer(self, status=200, reply=b"ok", *, delay=0.0, location=""):
        self.status, self.reply, self.delay, self.location = (
            status,
            reply,
            delay,
            location,
        )

    def settings(self, **extra) -> dict:
        """``WAGTAIL_MENTORING`` that lets the package post to this peer."""
        return {
            "CHAT_ALLOWED_HOSTS": [*DEFAULTS["CHAT_ALLOWED_HOSTS"], self.origin],
            "CHAT_SLACK_API_URL": self.url("/api/"),
            # Generous: a loaded CI machine must not turn a test into a timeout.
            "CHAT_TIMEOUT_SECONDS": 10,
            **extra,
        }

    def close(self):
        self.server.shutdown()
        self.server.server_close()

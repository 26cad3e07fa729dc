#!/usr/bin/python3
"""A scripted HTTP receiver for tests (stdlib only): stands in for webhooks, Slack,
PagerDuty, Opsgenie and Telegram.

    sink_server.py [--script FILE_OR_JSON]

Listens on 127.0.0.1:0 and prints the port as the first stdout line. HTTP/1.1 with
keep-alive. Every request except the /_ control paths is recorded and answered from the
script: a list of responses consumed in order, then the default (200, body "ok").

A response is a JSON object: {"status": 429, "headers": {"Retry-After": "7"},
"body": "...", "delay_ms": 500} or {"reset": true} (close the connection with RST, no
answer). The script is `[response, ...]` or `{"responses": [...], "default": response}`.

Control paths:
  GET    /_requests  -> JSON list of {"method", "path", "headers": [[name, value]...],
                        "body" (text, UTF-8 with replacement), "conn" (connection number,
                        1-based, one per TCP connection), "client_port", "time"}
  DELETE /_requests  -> forget the recorded requests
  POST   /_script    -> replace the script (body: the script JSON)
"""

import argparse
import http.server
import json
import os
import socket
import struct
import sys
import threading
import time

DEFAULT_RESPONSE = {"status": 200, "body": "ok"}


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.responses = []
        self.default = dict(DEFAULT_RESPONSE)
        self.connections = 0

    def set_script(self, script):
        with self.lock:
            if isinstance(script, list):
                self.responses, self.default = list(script), dict(DEFAULT_RESPONSE)
            else:
                self.responses = list(script.get("responses", []))
                self.default = script.get("default", dict(DEFAULT_RESPONSE))

    def next_response(self):
        with self.lock:
            return self.responses.pop(0) if self.responses else self.default

    def new_connection(self):
        with self.lock:
            self.connections += 1
            return self.connections


STATE = State()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the second waits for the
    # client's delayed ACK (40 ms per request).
    disable_nagle_algorithm = True

    def setup(self):
        super().setup()
        self.conn_id = STATE.new_connection()

    def log_message(self, *args):  # quiet: tests read /_requests, not logs
        pass

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length", "0") or "0")
        return self.rfile.read(length) if length else b""

    def send(self, status, body=b"", headers=None, content_type="text/plain"):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def control(self, body):
        if self.path == "/_requests" and self.command == "GET":
            with STATE.lock:
                data = json.dumps(STATE.requests).encode()
            self.send(200, data, content_type="application/json")
        elif self.path == "/_requests" and self.command == "DELETE":
            with STATE.lock:
                STATE.requests.clear()
            self.send(204)
        elif self.path == "/_script" and self.command == "POST":
            STATE.set_script(json.loads(body or b"[]"))
            self.send(204)
        else:
            self.send(404, b"unknown control path")

    def handle_any(self):
        try:
            body = self.read_body()
            if self.path.startswith("/_"):
                return self.control(body)
            with STATE.lock:
                STATE.requests.append({
                    "method": self.command,
                    "path": self.path,
                    "headers": [[k, v] for k, v in self.headers.items()],
                    "body": body.decode("utf-8", "replace"),
                    "conn": self.conn_id,
                    "client_port": self.client_address[1],
                    "time": time.time(),
                })
            response = STATE.next_response()
            if response.get("delay_ms"):
                time.sleep(response["delay_ms"] / 1000.0)
            if response.get("reset"):
                # SO_LINGER 0: close() sends RST, the client sees "connection reset".
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            payload = response.get("body", "")
            payload = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            self.send(int(response.get("status", 200)), payload, response.get("headers"))
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True  # the client gave up (timeout) while we slept

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        pass  # resets and client timeouts are part of the tests


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--script", help="script JSON, or a path to a file holding it")
    args = parser.parse_args()
    if args.script:
        text = args.script
        if os.path.exists(text):
            with open(text, encoding="utf-8") as f:
                text = f.read()
        STATE.set_script(json.loads(text))
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

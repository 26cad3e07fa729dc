"""Helpers for integration tests: run the real alertgate binary on loopback, talk HTTP to
it, read its metrics and its `log` destination output. Python stdlib only."""

import atexit
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

BIN = os.environ.get("ALERTGATE_BIN", "build/alertgate")
SOURCE_DIR = os.environ.get("ALERTGATE_SOURCE_DIR", ".")


_TEMP_DIRS = []


@atexit.register
def _remove_temp_dirs():
    # AG_KEEP_TMP=1 keeps config, stdout and stderr of every daemon for a post-mortem.
    if not os.environ.get("AG_KEEP_TMP"):
        for d in _TEMP_DIRS:
            shutil.rmtree(d, ignore_errors=True)


def temp_dir(prefix="alertgate-test-"):
    """A temporary directory removed when the test process exits."""
    d = tempfile.mkdtemp(prefix=prefix)
    _TEMP_DIRS.append(d)
    return d


def sha256_token(token):
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


def wait_for(predicate, timeout=10.0, interval=0.01, what="condition"):
    """Polls `predicate` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def tenant_yaml(tenant_id, tokens, rules=None):
    rules = rules if rules is not None else [{"destinations": [{"type": "log"}]}]
    doc = {"tenant_id": tenant_id, "tokens": [sha256_token(t) for t in tokens], "rules": rules}
    return json.dumps(doc, indent=2)  # JSON is YAML


class Daemon:
    """An alertgate process with its own config directory, listening on 127.0.0.1:0."""

    def __init__(self, tenants=None, config_extra="", threads=2, args=(), admin_token=None):
        self.dir = temp_dir()
        tenants_dir = os.path.join(self.dir, "tenants")
        self.tenants_dir = tenants_dir
        self.admin_token = admin_token
        if admin_token:
            config_extra += f'\nadmin_token: "{sha256_token(admin_token)}"\n'
        os.mkdir(tenants_dir)
        tenants = tenants if tenants is not None else {"acme": ["acme-token"]}
        for tenant_id, spec in tenants.items():
            text = spec if isinstance(spec, str) else tenant_yaml(tenant_id, spec)
            with open(os.path.join(tenants_dir, tenant_id + ".yaml"), "w") as f:
                f.write(text)
        self.config_path = os.path.join(self.dir, "alertgate.yaml")
        with open(self.config_path, "w") as f:
            f.write(f'listen: ["127.0.0.1:0"]\nthreads: {threads}\n'
                    f'tenants_dir: tenants\ndata_dir: data\n{config_extra}')
        self.port_file = os.path.join(self.dir, "port")
        self.stdout_path = os.path.join(self.dir, "stdout.log")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.args = list(args)
        self.proc = None
        self.port = None

    def start(self, wait_ready=True):
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                [BIN, "serve", "--config", self.config_path, "--port-file", self.port_file,
                 *self.args], stdout=out, stderr=err)
        wait_for(lambda: os.path.exists(self.port_file) or self.proc.poll() is not None,
                 what="port file")
        if self.proc.poll() is not None:
            raise AssertionError(f"alertgate exited with {self.proc.returncode}: {self.stderr()}")
        with open(self.port_file) as f:
            self.port = int(f.read().strip())
        if wait_ready:
            wait_for(lambda: self.request("GET", "/-/ready")[0] == 200, what="/-/ready")
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    # --- HTTP ---
    def connection(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, token=None, conn=None):
        """Returns (status, headers dict (lowercase names), body bytes)."""
        headers = dict(headers or {})
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        if isinstance(body, (list, dict)):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        own = conn is None
        conn = conn or self.connection()
        try:
            conn.request(method, path, body=body, headers=headers)
            res = conn.getresponse()
            data = res.read()
            return res.status, {k.lower(): v for k, v in res.getheaders()}, data
        finally:
            if own:
                conn.close()

    def post_json(self, path, doc, token="acme-token", headers=None):
        status, hdrs, body = self.request("POST", path, body=doc, token=token, headers=headers)
        return status, (json.loads(body) if body else None), hdrs

    # --- policy ---
    def write_tenant(self, tenant_id, spec, name=None):
        """Writes (atomically: temp file + rename) the tenant's file; spec = tokens or text."""
        text = spec if isinstance(spec, str) else tenant_yaml(tenant_id, spec)
        path = os.path.join(self.tenants_dir, (name or tenant_id) + ".yaml")
        tmp = os.path.join(self.tenants_dir, "." + (name or tenant_id) + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, path)
        return path

    def reload(self, token=None):
        """POST /-/reload with the admin token; returns (status, report dict)."""
        token = token if token is not None else self.admin_token
        status, _, body = self.request("POST", "/-/reload", token=token)
        return status, (json.loads(body) if body else None)

    # --- observations ---
    def metrics(self):
        status, _, body = self.request("GET", "/metrics")
        assert status == 200, status
        return parse_metrics(body.decode())

    def metric(self, name, **labels):
        return metric_value(self.metrics(), name, **labels)

    def delivered(self):
        """The enriched alerts the `log` destination wrote to stdout."""
        with open(self.stdout_path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def stderr(self):
        with open(self.stderr_path) as f:
            return f.read()

    def log_lines(self):
        return [json.loads(line) for line in self.stderr().splitlines() if line.startswith("{")]

    def stop(self, sig=signal.SIGTERM, timeout=20):
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Prometheus text format → {(name, frozenset(labels.items())): value}."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        assert m, f"bad metrics line: {line!r}"
        labels = frozenset(_LABEL.findall(m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def metric_value(metrics, name, **labels):
    """Sum of every series of `name` whose labels include `labels`."""
    want = set(labels.items())
    return sum(v for (n, ls), v in metrics.items() if n == name and want <= set(ls))


class _ServerProcess:
    """A test server script from tests/support run as a process; its port is its first
    stdout line."""

    def __init__(self, script, *args):
        here = os.path.dirname(os.path.abspath(__file__))
        self.proc = subprocess.Popen(["/usr/bin/python3", os.path.join(here, script), *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"{script} did not start")
        self.port = int(line.strip())
        atexit.register(self.close)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class SinkServer(_ServerProcess):
    """tests/support/sink_server.py: records requests, answers from a script."""

    def __init__(self, script=None):
        super().__init__("sink_server.py", *(["--script", json.dumps(script)] if script else []))
        self.url = f"http://127.0.0.1:{self.port}"

    def _call(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body)
            res = conn.getresponse()
            return res.status, res.read()
        finally:
            conn.close()

    def requests(self):
        status, body = self._call("GET", "/_requests")
        assert status == 200, status
        return json.loads(body)

    def bodies(self):
        return [json.loads(r["body"]) for r in self.requests()]

    def script(self, script):
        assert self._call("POST", "/_script", json.dumps(script).encode())[0] == 204


class SmtpServer(_ServerProcess):
    """tests/support/smtp_server.py: saves every message as <n>.eml + <n>.json."""

    def __init__(self, *args):
        self.dir = temp_dir("alertgate-smtp-")
        super().__init__("smtp_server.py", "--dir", self.dir, *args)

    def messages(self):
        import email
        import email.policy
        out = []
        for name in sorted(os.listdir(self.dir)):
            if not name.endswith(".json"):
                continue
            with open(os.path.join(self.dir, name)) as f:
                envelope = json.load(f)
            with open(os.path.join(self.dir, name[:-5] + ".eml"), "rb") as f:
                raw = f.read()
            out.append((envelope, raw, email.message_from_bytes(raw, policy=email.policy.default)))
        return out

"""Helpers for the Kafka integration tests: the mock cluster program
(tests/support/kafka_mock_cluster.cpp, a real Kafka-protocol broker from librdkafka's
rdkafka_mock) as a process, and kcat (Debian) as the independent client."""

import os
import shutil
import subprocess
import time

MOCK_BIN = os.environ.get("KAFKA_MOCK_CLUSTER_BIN", "build/tests/kafka_mock_cluster")
KCAT = shutil.which("kcat")


class MockCluster:
    """A running kafka_mock_cluster: `bootstrap` is its address, command() one control line."""

    def __init__(self, brokers=1):
        self.proc = subprocess.Popen([MOCK_BIN, "--brokers", str(brokers)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     bufsize=1)
        self.bootstrap = self.proc.stdout.readline().strip()
        if not self.bootstrap:
            raise AssertionError("kafka_mock_cluster printed no bootstrap address: "
                                 + self.proc.stderr.read())

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def quit(self):
        answer = self.command("quit")
        return answer, self.proc.wait(timeout=20)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            f.close()


def kcat(*args, input=None):
    r = subprocess.run([KCAT, *args], input=input, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"kcat {' '.join(args)} exited {r.returncode}: {r.stderr}")
    return r.stdout



def consume(bootstrap, topic, count, timeout=30.0):
    """Reads `topic` from the beginning until `count` messages arrived (or the deadline):
    a list of (key, headers dict, value) tuples."""
    deadline = time.monotonic() + timeout
    while True:
        out = kcat("-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q",
                   "-f", "%k\t%h\t%s\n") if topic_exists(bootstrap, topic) else ""
        messages = []
        for line in out.splitlines():
            if not line:
                continue
            key, headers, value = line.split("\t", 2)
            pairs = dict(h.split("=", 1) for h in headers.split(",") if "=" in h)
            messages.append((key, pairs, value))
        if len(messages) >= count or time.monotonic() > deadline:
            return messages
        time.sleep(0.2)


def topics(bootstrap):
    out = kcat("-b", bootstrap, "-L")
    return {line.split('"')[1] for line in out.splitlines() if line.strip().startswith("topic \"")}


def topic_exists(bootstrap, topic):
    return topic in topics(bootstrap)

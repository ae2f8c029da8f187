"""pytest fixtures for tests against amplifybackendd (recipe from docs/testing.md).

The server starts once per test session: the built binary (AMPLIFYBACKENDD_BIN, or
amplifybackendd on PATH) on a free loopback port (--addr 127.0.0.1:0; the address is read
from its "listening" log line) with an in-memory store (--ephemeral). Before each test the
autouse fixture resets it through the control plane, so every test starts empty.
"""
import json
import os
import subprocess
import threading
import urllib.error
import urllib.request

import boto3
import botocore.config
import pytest


class ControlPlane:
    """A few lines over urllib for amplifybackendd's test control plane (/_amplifybackend/):
    plain JSON in and out, errors {"message": "..."} with a 4xx/5xx status."""

    def __init__(self, url):
        self.url = url

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + "/_amplifybackend" + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data else {})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                text = resp.read()
        except urllib.error.HTTPError as e:
            raise AssertionError(f"{method} /_amplifybackend{path}: {e.code} {e.read().decode()}") from None
        return json.loads(text) if text else None

    def reset_all(self):
        """Everything a test starts from: no state, no fault rules, an empty journal, jobs that
        run at once."""
        self.call("POST", "/reset")
        self.call("DELETE", "/faults")
        self.call("DELETE", "/requests")
        self.call("PUT", "/jobs/settings", {"mode": "immediate"})

    def set_job_settings(self, settings):
        return self.call("PUT", "/jobs/settings", settings)

    def finish_job(self, job_id, status, error=None):
        body = {"status": status} if error is None else {"status": status, "error": error}
        return self.call("POST", "/jobs/" + urllib.request.quote(job_id, safe=""), body)

    def add_fault(self, rule):
        return self.call("POST", "/faults", rule)["id"]

    def requests(self, **query):
        qs = "&".join(f"{k}={urllib.request.quote(str(v))}" for k, v in query.items())
        return self.call("GET", "/requests" + ("?" + qs if qs else ""))["requests"]

    def info(self):
        return self.call("GET", "/info")


@pytest.fixture(scope="session")
def amplifybackendd_url():
    """Starts amplifybackendd for the session and yields its URL; stops it at the end."""
    binary = os.environ.get("AMPLIFYBACKENDD_BIN", "amplifybackendd")
    proc = subprocess.Popen([binary, "--addr", "127.0.0.1:0", "--ephemeral", "--log-format", "json"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    found = {}
    ready = threading.Event()
    output = []

    def read_log():
        for line in proc.stderr:  # read to the end, so the server never blocks on its log
            if len(output) < 100:
                output.append(line)
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not ready.is_set() and entry.get("msg") == "amplifybackendd listening":
                found["url"] = "http://" + entry["addr"]
                ready.set()
        ready.set()  # the server exited

    threading.Thread(target=read_log, daemon=True).start()
    if not ready.wait(30) or "url" not in found:
        proc.kill()
        proc.wait()
        raise RuntimeError("amplifybackendd did not start:\n" + "".join(output))
    yield found["url"]
    proc.terminate()  # SIGTERM: it finishes what is in flight; the ephemeral store leaves nothing
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def control(amplifybackendd_url):
    return ControlPlane(amplifybackendd_url)


@pytest.fixture(autouse=True)
def _reset_amplifybackendd(control):
    """Resets the server before every test."""
    control.reset_all()


@pytest.fixture
def amplifybackend(amplifybackendd_url):
    """A boto3 client of the server. Credentials and region are inline, so nothing is read from
    the machine's AWS configuration; one attempt shows the first answer (leave the default to
    test your retries)."""
    return boto3.client(
        "amplifybackend",
        endpoint_url=amplifybackendd_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
    )

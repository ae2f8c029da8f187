"""Shared by the boto3 suites: clients that record which operations they called, job polling.

Every client made with client() records, process-wide, each operation it sent (CALLED) and
each operation the server answered with HTTP 200 (SUCCEEDED). test_zz_coverage.py, which
unittest runs last, fails unless every operation of the service model is in both.
"""
import json
import os
import re
import time

import boto3
import botocore.config
import botocore.session

SERVICE = "amplifybackend"

# Every operation of the service model, as botocore knows it.
ALL_OPERATIONS = frozenset(botocore.session.get_session().get_service_model(SERVICE).operation_names)

CALLED = set()
SUCCEEDED = set()
# Wire-contract violations seen on any response: (operation, problem). test_zz_coverage.py
# fails unless it stays empty.
WIRE_PROBLEMS = []

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
MILLIS_RE = re.compile(r"^[0-9]{13}$")

_NO_RETRIES = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"})
_NO_VALIDATION = botocore.config.Config(parameter_validation=False)


def _before_call(model, **_):
    CALLED.add(model.name)


def _nulls(value, path=""):
    """Paths of None values in a parsed response: a JSON null the server should have omitted."""
    if value is None:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() if k != "ResponseMetadata" for p in _nulls(v, path + "." + k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nulls(v, "%s[%d]" % (path, i))]
    return []


def _after_call(model, http_response, parsed, **_):
    if http_response is None:
        return
    headers = http_response.headers
    if not UUID_RE.match(headers.get("x-amzn-RequestId", "")):
        WIRE_PROBLEMS.append((model.name, "x-amzn-RequestId %r is not a UUID" % headers.get("x-amzn-RequestId")))
    if http_response.status_code == 200:
        SUCCEEDED.add(model.name)
        if headers.get("Content-Type") != "application/json":
            WIRE_PROBLEMS.append((model.name, "Content-Type %r" % headers.get("Content-Type")))
        for p in _nulls(parsed):
            WIRE_PROBLEMS.append((model.name, "null at %s (absent members must be omitted)" % p))
    elif http_response.status_code >= 400:
        error_type = headers.get("X-Amzn-ErrorType", "")
        if not error_type or error_type != parsed.get("Error", {}).get("Code"):
            WIRE_PROBLEMS.append((model.name, "X-Amzn-ErrorType %r vs code %r" % (error_type, parsed.get("Error", {}).get("Code"))))


def record(c):
    """Registers the coverage recorder on a client; returns the client."""
    c.meta.events.register("before-call.%s.*" % c.meta.service_model.service_id.hyphenize(), _before_call)
    c.meta.events.register("after-call.%s.*" % c.meta.service_model.service_id.hyphenize(), _after_call)
    return c


def client(url=None, key="AKIDEXAMPLE", region="us-east-1", retries=False, validate=True, secret="secret", recorded=True):
    """A recording boto3 client for the server at url (None: from the environment).

    validate=False turns botocore's own parameter validation off, so that the server's is
    what answers; recorded=False makes a client whose calls do not count for coverage."""
    kwargs = {}
    if url is not None:
        kwargs["endpoint_url"] = url
    config = botocore.config.Config()
    if not retries:
        config = config.merge(_NO_RETRIES)
    if not validate:
        config = config.merge(_NO_VALIDATION)
    kwargs["config"] = config
    c = boto3.client(SERVICE, region_name=region, aws_access_key_id=key,
                     aws_secret_access_key=secret, **kwargs)
    return record(c) if recorded else c


def wait_job(c, app, env, job_id, timeout=15):
    """Polls GetBackendJob until the job is COMPLETED or FAILED; returns it."""
    deadline = time.time() + timeout
    while True:
        job = c.get_backend_job(AppId=app, BackendEnvironmentName=env, JobId=job_id)
        if job["Status"] in ("COMPLETED", "FAILED"):
            return job
        if time.time() > deadline:
            raise AssertionError("job %s (%s) still %s after %ss" % (job_id, job.get("Operation"), job["Status"], timeout))
        time.sleep(0.02)


def body(response):
    """The response without ResponseMetadata."""
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def meta(c, app, env):
    """The environment's amplify-meta.json, parsed."""
    return json.loads(c.get_backend(AppId=app, BackendEnvironmentName=env)["AmplifyMetaConfig"])


class JobsMixin:
    """unittest helpers; expects self.c, a recording client."""

    def assertSubmitted(self, out, operation, app, env):
        """Checks the synchronous answer of a job-creating operation; returns its JobId.

        Members the operation's output shape has must be there (IN_PROGRESS, the app, the
        environment, the PascalCase operation name)."""
        members = self.c.meta.service_model.operation_model(operation).output_shape.members
        self.assertEqual(out["Status"], "IN_PROGRESS", out)
        self.assertRegex(out["JobId"], UUID_RE)
        self.assertEqual(out["AppId"], app)
        if "BackendEnvironmentName" in members:
            self.assertEqual(out.get("BackendEnvironmentName"), env, out)
        if "Operation" in members:
            self.assertEqual(out.get("Operation"), operation, out)
        self.assertNotIn("Error", out)
        return out["JobId"]

    def complete(self, out, operation, app, env, c=None):
        """Waits for the job of a job-creating answer (polling with c, default self.c);
        asserts it COMPLETED; returns the job."""
        job_id = self.assertSubmitted(out, operation, app, env)
        job = wait_job(c or self.c, app, env, job_id)
        self.assertEqual(job["Status"], "COMPLETED", "%s job failed: %s" % (operation, job.get("Error")))
        self.assertEqual(job["Operation"], operation)
        self.assertEqual(job["JobId"], job_id)
        self.assertRegex(job["CreateTime"], MILLIS_RE)
        self.assertRegex(job["UpdateTime"], MILLIS_RE)
        self.assertNotIn("Error", job)
        return job

    def assertError(self, exc_type, code, fragment, fn, *args, **kwargs):
        """Calls fn, which must raise exc_type with Error.Code code and fragment in the message."""
        with self.assertRaises(exc_type) as ctx:
            fn(*args, **kwargs)
        err = ctx.exception.response["Error"]
        self.assertEqual(err["Code"], code)
        self.assertIn(fragment, err["Message"])
        return ctx.exception.response

    def assertNotFound(self, resource_type, fragment, fn, *args, **kwargs):
        resp = self.assertError(self.c.exceptions.NotFoundException, "NotFoundException", fragment, fn, *args, **kwargs)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertEqual(resp.get("ResourceType"), resource_type, resp)
        return resp

    def assertBadRequest(self, fragment, fn, *args, **kwargs):
        resp = self.assertError(self.c.exceptions.BadRequestException, "BadRequestException", fragment, fn, *args, **kwargs)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 400)
        return resp


# DOCS_ENDPOINT is the URL the docs' snippets call (the README's server); a test puts the URL
# of its own server in its place.
DOCS_ENDPOINT = "http://127.0.0.1:4580"


def docs_snippet(name, url):
    """The fenced block after <!-- snippet: NAME --> in docs/clients.md, calling url."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "clients.md")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<!-- snippet: %s -->\s*\n```[^\n]*\n(.*?)\n```" % re.escape(name), text, re.S)
    if not m:
        raise AssertionError("docs/clients.md has no snippet %r" % name)
    if DOCS_ENDPOINT not in m.group(1):
        raise AssertionError("snippet %r does not call %s, the README's server" % (name, DOCS_ENDPOINT))
    return m.group(1).replace(DOCS_ENDPOINT, url) + "\n"

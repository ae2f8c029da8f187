"""Regression tests for server bugs the boto3 suite found (all fixed): each test states the
behaviour the contract asks for, and what the server once did instead.
"""
import unittest
import urllib.error
import urllib.request

import botocore.exceptions

from helpers import JobsMixin, client, wait_job
from server import Server


class Regressions(JobsMixin, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.addClassCleanup(cls.server.stop)
        # Not recorded: a bug's fake 200 must not count as an operation that succeeded.
        cls.c = client(cls.server.url, recorded=False)
        out = cls.c.create_backend(AppId="d1bug", AppName="bug", BackendEnvironmentName="dev")
        cls.job_id = out["JobId"]
        assert wait_job(cls.c, "d1bug", "dev", cls.job_id)["Status"] == "COMPLETED"

    def raw(self, method, path, body):
        req = urllib.request.Request(self.server.url + path, data=body.encode(), method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req) as resp:
                return resp.status, resp.headers.get("X-Amzn-ErrorType"), resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("X-Amzn-ErrorType"), e.read().decode()

    # Once a bug (router, trailing slash): UpdateBackendJob with JobId "" is sent by botocore as
    # POST /backend/d1bug/job/dev/ ; the router trimmed the trailing '/' (splitPath's
    # strings.Trim) and served it as ListBackendJobs: HTTP 200 {"jobs":[]}, which boto3 parses
    # as an empty UpdateBackendJob result, so the caller believes the update succeeded. The
    # contract: path parameters must be non-empty (BadRequestException), and a path that is not
    # one of the 31 routes is 404 UnknownOperationException; never another operation's 200.
    def test_update_backend_job_with_empty_job_id_is_refused(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.c.update_backend_job(AppId="d1bug", BackendEnvironmentName="dev", JobId="", Status="FAILED")
        self.assertIn(ctx.exception.response["Error"]["Code"], ("BadRequestException", "UnknownOperationException"))

    # Once a bug (router, trailing slash), the same on the wire: a trailing '/' turns a path into
    # another route. POST /backend/{appId}/job/{env}/ was answered by ListBackendJobs, POST
    # /backend/{appId}/details/ by GetBackend, POST /backend/{appId}/api/ (UpdateBackendAPI with
    # an empty environment) by CreateBackendAPI. docs/behaviour.md: "Any other method or path is
    # 404 UnknownOperationException".
    def test_trailing_slash_is_not_another_route(self):
        for path in ("/backend/d1bug/job/dev/", "/backend/d1bug/details/"):
            with self.subTest(path=path):
                status, error_type, body = self.raw("POST", path, "{}")
                self.assertIn(status, (400, 404), body)
                self.assertIn(error_type, ("BadRequestException", "UnknownOperationException"))

    # Once a bug (validation): GetBackend with BackendEnvironmentName "" answered 200 as if the member
    # were absent. docs/behaviour.md: names in the body (backendEnvironmentName, ...) must be
    # non-empty; CreateBackend and CloneBackend do refuse "" for theirs.
    def test_get_backend_with_empty_environment_name_is_refused(self):
        self.assertBadRequest("backendEnvironmentName", self.c.get_backend, AppId="d1bug", BackendEnvironmentName="")

    # Once a bug (validation): the ListBackendJobs filter JobId (the only body jobId of the model) was
    # not checked: "", "a/b", a control character and 300 bytes were accepted (200), and ""
    # even lists every job as if no filter were given. docs/behaviour.md: the body's jobId
    # must be non-empty, at most 255 bytes, without '/' or control characters.
    def test_list_backend_jobs_validates_the_job_id_filter(self):
        for bad in ("", "a/b", "a\x07b", "x" * 300):
            with self.subTest(job_id=bad):
                self.assertBadRequest("jobId", self.c.list_backend_jobs, AppId="d1bug", BackendEnvironmentName="dev", JobId=bad)


if __name__ == "__main__":
    unittest.main()

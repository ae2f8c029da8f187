"""boto3 drives the backend / environment / job lifecycle against amplifybackendd."""
import os
import time
import unittest

import boto3
import botocore.exceptions

from server import Server


def client(url, key="AKIDEXAMPLE", region="us-east-1"):
    return boto3.client("amplifybackend", endpoint_url=url, region_name=region,
                        aws_access_key_id=key, aws_secret_access_key="secret")


def wait_job(c, app, env, job_id, timeout=10):
    deadline = time.time() + timeout
    while True:
        job = c.get_backend_job(AppId=app, BackendEnvironmentName=env, JobId=job_id)
        if job["Status"] in ("COMPLETED", "FAILED"):
            return job
        if time.time() > deadline:
            raise AssertionError("job %s still %s" % (job_id, job["Status"]))
        time.sleep(0.02)


class Lifecycle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.c = client(cls.server.url)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_lifecycle(self):
        c = self.c
        out = c.create_backend(AppId="d1py", AppName="pyapp", BackendEnvironmentName="dev")
        self.assertEqual(out["Status"], "IN_PROGRESS")
        self.assertEqual(out["Operation"], "CreateBackend")
        job = wait_job(c, "d1py", "dev", out["JobId"])
        self.assertEqual(job["Status"], "COMPLETED")
        self.assertTrue(job["CreateTime"].isdigit() and len(job["CreateTime"]) == 13)

        got = c.get_backend(AppId="d1py", BackendEnvironmentName="dev")
        self.assertEqual(got["AppName"], "pyapp")
        self.assertEqual(got["BackendEnvironmentList"], ["dev"])
        self.assertIn("awscloudformation", got["AmplifyMetaConfig"])

        clone = c.clone_backend(AppId="d1py", BackendEnvironmentName="dev", TargetEnvironmentName="prod")
        wait_job(c, "d1py", "dev", clone["JobId"])
        for i in range(6):
            j = c.clone_backend(AppId="d1py", BackendEnvironmentName="dev", TargetEnvironmentName="e%d" % i)
            wait_job(c, "d1py", "dev", j["JobId"])

        pages = list(c.get_paginator("list_backend_jobs").paginate(
            AppId="d1py", BackendEnvironmentName="dev", PaginationConfig={"PageSize": 3}))
        jobs = [j for p in pages for j in p["Jobs"]]
        self.assertEqual(len(pages), 3)
        self.assertEqual(len(jobs), 8)
        self.assertEqual(jobs[-1]["Operation"], "CreateBackend")

        upd = c.update_backend_job(AppId="d1py", BackendEnvironmentName="dev", JobId=jobs[0]["JobId"], Operation="Relabelled")
        self.assertEqual(upd["Operation"], "Relabelled")

        delete = c.delete_backend(AppId="d1py", BackendEnvironmentName="prod")
        wait_job(c, "d1py", "prod", delete["JobId"])
        rm = c.remove_all_backends(AppId="d1py", CleanAmplifyApp=True)
        wait_job(c, "d1py", "dev", rm["JobId"])
        with self.assertRaises(c.exceptions.NotFoundException) as ctx:
            c.get_backend(AppId="d1py")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "NotFoundException")

    def test_errors(self):
        c = self.c
        with self.assertRaises(c.exceptions.NotFoundException):
            c.get_backend(AppId="missing")
        with self.assertRaises(c.exceptions.BadRequestException) as ctx:
            c.list_backend_jobs(AppId="a", BackendEnvironmentName="dev", NextToken="forged")
        self.assertIn("NextToken", str(ctx.exception))
        out = c.create_backend(AppId="d1pending", AppName="p", BackendEnvironmentName="dev")
        wait_job(c, "d1pending", "dev", out["JobId"])
        c2 = client(self.server.url, key="123456789012")
        with self.assertRaises(c2.exceptions.NotFoundException):
            c2.get_backend(AppId="d1pending")

    def test_endpoint_from_environment(self):
        os.environ["AWS_ENDPOINT_URL_AMPLIFYBACKEND"] = self.server.url
        try:
            c = boto3.client("amplifybackend", region_name="us-east-1",
                             aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
            with self.assertRaises(c.exceptions.NotFoundException):
                c.get_backend(AppId="via-env")
        finally:
            del os.environ["AWS_ENDPOINT_URL_AMPLIFYBACKEND"]


class PendingJobs(unittest.TestCase):
    def test_pending_rule(self):
        server = Server("--job-duration", "1h")
        try:
            c = client(server.url)
            c.create_backend(AppId="d1slow", AppName="slow", BackendEnvironmentName="dev")
            with self.assertRaises(c.exceptions.BadRequestException) as ctx:
                c.create_backend(AppId="d1slow", AppName="slow", BackendEnvironmentName="dev")
            self.assertIn("There is already a pending job for the requested appId: d1slow and "
                          "backendEnvironmentName: dev", str(ctx.exception))
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()

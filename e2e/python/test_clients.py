"""boto3 as users point it at the server: the endpoint from the environment, the docs snippet,
throttling, SigV4 verification and durable jobs across a restart."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import boto3
import botocore
import botocore.config
import botocore.exceptions

from helpers import UUID_RE, JobsMixin, client, docs_snippet, record, wait_job
from server import Server


# Run in a subprocess whose environment alone names the endpoint.
ENV_SCRIPT = r"""
import json, time, boto3
c = boto3.client("amplifybackend")
job = c.create_backend(AppId="d1env", AppName="envapp", BackendEnvironmentName="dev")
for _ in range(500):
    st = c.get_backend_job(AppId="d1env", BackendEnvironmentName="dev", JobId=job["JobId"])["Status"]
    if st != "IN_PROGRESS":
        break
    time.sleep(0.02)
got = c.get_backend(AppId="d1env")
print(json.dumps({"status": st, "appName": got["AppName"], "envs": got["BackendEnvironmentList"],
                  "endpoint": c.meta.endpoint_url}))
"""


def clean_env(**extra):
    """The process environment without AWS settings that could redirect a client, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret", AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    env.update(extra)
    return env


class Endpoint(JobsMixin, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.addClassCleanup(cls.server.stop)
        cls.c = client(cls.server.url)


    def test_endpoint_from_environment_in_subprocess(self):
        for var in ("AWS_ENDPOINT_URL_AMPLIFYBACKEND", "AWS_ENDPOINT_URL"):
            with self.subTest(var=var):
                app_script = ENV_SCRIPT if var == "AWS_ENDPOINT_URL_AMPLIFYBACKEND" else ENV_SCRIPT.replace("d1env", "d1envglobal")
                proc = subprocess.run([sys.executable, "-c", app_script], env=clean_env(**{var: self.server.url}),
                                      capture_output=True, text=True, timeout=60)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                out = json.loads(proc.stdout)
                self.assertEqual(out, {"status": "COMPLETED", "appName": "envapp", "envs": ["dev"], "endpoint": self.server.url})
        # What the subprocesses made is on this server.
        self.assertEqual(self.c.get_backend(AppId="d1env")["AppName"], "envapp")
        self.assertEqual(self.c.get_backend(AppId="d1envglobal")["AppName"], "envapp")

    def test_endpoint_from_environment_in_process(self):
        saved = os.environ.get("AWS_ENDPOINT_URL_AMPLIFYBACKEND")
        os.environ["AWS_ENDPOINT_URL_AMPLIFYBACKEND"] = self.server.url
        try:
            c = record(boto3.client("amplifybackend", region_name="us-east-1",
                                    aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret"))
        finally:
            if saved is None:
                del os.environ["AWS_ENDPOINT_URL_AMPLIFYBACKEND"]
            else:
                os.environ["AWS_ENDPOINT_URL_AMPLIFYBACKEND"] = saved
        self.assertEqual(c.meta.endpoint_url, self.server.url)
        with self.assertRaises(c.exceptions.NotFoundException):
            c.get_backend(AppId="via-env")
        self.complete(c.create_backend(AppId="via-env", AppName="viaenv", BackendEnvironmentName="dev"), "CreateBackend", "via-env", "dev")
        self.assertEqual(self.c.get_backend(AppId="via-env")["AppName"], "viaenv")

    def test_request_id_on_errors(self):
        with self.assertRaises(self.c.exceptions.NotFoundException) as ctx:
            self.c.get_backend(AppId="nope")
        md = ctx.exception.response["ResponseMetadata"]
        self.assertRegex(md["RequestId"], UUID_RE)
        self.assertEqual(md["HTTPHeaders"]["x-amzn-errortype"], "NotFoundException")


class DocsSnippet(unittest.TestCase):
    def test_python_snippet(self):
        server = Server()
        try:
            code = docs_snippet("python", server.url)
            proc = subprocess.run([sys.executable, "-c", code], env=clean_env(),
                                  capture_output=True, text=True, timeout=60, cwd=tempfile.gettempdir())
            self.assertEqual(proc.returncode, 0, "snippet failed:\n%s\n%s" % (code, proc.stderr))
            lines = proc.stdout.splitlines()
            self.assertRegex(lines[0], r"^[0-9a-f-]{36} IN_PROGRESS$")
            self.assertIn("IN_PROGRESS", proc.stdout)
            # What it made is there.
            c = client(server.url)
            job = wait_job(c, "d1py", "dev", lines[0].split()[0])
            self.assertEqual(job["Status"], "COMPLETED")
            self.assertEqual(c.get_backend(AppId="d1py")["AppName"], "pyapp")
        finally:
            server.stop()


class Throttling(unittest.TestCase):
    def test_too_many_requests(self):
        # One token per 100 s: the third call is refused however long the three take. At 2
        # per second, three calls slower than 500 ms (a loaded machine) found a token again.
        server = Server("--rate-limit", "0.01", "--rate-burst", "2")
        try:
            c = client(server.url)
            codes = []
            for _ in range(3):
                try:
                    c.get_backend(AppId="x")
                except botocore.exceptions.ClientError as e:
                    codes.append(e.response["Error"]["Code"])
                    last = e
            self.assertEqual(codes, ["NotFoundException", "NotFoundException", "TooManyRequestsException"])
            self.assertIsInstance(last, c.exceptions.TooManyRequestsException)
            self.assertEqual(last.response["ResponseMetadata"]["HTTPStatusCode"], 429)
            self.assertTrue(last.response.get("LimitType"), last.response)
        finally:
            server.stop()
        # boto3's retries treat the 429 as throttling and get through once the bucket refills:
        # a server whose bucket refills within their backoff.
        server = Server("--rate-limit", "2", "--rate-burst", "2")
        try:
            r = client(server.url, key="333333333333", retries=True)
            for _ in range(4):
                with self.assertRaises(r.exceptions.NotFoundException):
                    r.get_backend(AppId="x")
        finally:
            server.stop()


class SigV4(unittest.TestCase):
    """--auth sigv4: boto3's signatures verify, for every kind of path; bad ones are refused."""

    @classmethod
    def setUpClass(cls):
        cls.creds = tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False)
        cls.creds.write("[team]\naws_access_key_id = AKIDTEAM\naws_secret_access_key = teamsecret\naws_account_id = 123456789012\n")
        cls.creds.close()
        cls.addClassCleanup(os.unlink, cls.creds.name)
        cls.server = Server("--auth", "sigv4", "--credentials", cls.creds.name)
        cls.addClassCleanup(cls.server.stop)

    def signed(self, secret="teamsecret", key="AKIDTEAM", region="us-east-1"):
        return client(self.server.url, key=key, secret=secret, region=region)

    def test_signed_requests(self):
        c = self.signed()
        # Names that need percent-encoding in the path, where the canonical URI encodes again.
        for env in ("dev", "my env", "dév", "a+b", "x:y", "a=b&c", "a?b#c", "日本"):
            with self.subTest(env=env):
                out = c.create_backend(AppId="d1 sig", AppName="sig", BackendEnvironmentName=env)
                self.assertEqual(wait_job(c, "d1 sig", env, out["JobId"])["Status"], "COMPLETED")
                self.assertEqual(c.get_backend(AppId="d1 sig", BackendEnvironmentName=env)["BackendEnvironmentName"], env)
        # The account is the key's: the app is account 123456789012's.
        arn = json.loads(c.get_backend(AppId="d1 sig", BackendEnvironmentName="dev")["AmplifyMetaConfig"])["providers"]["awscloudformation"]["AuthRoleArn"]
        self.assertTrue(arn.startswith("arn:aws:iam::123456789012:role/"), arn)
        tok = c.create_token(AppId="d1 sig")
        self.assertEqual(c.get_token(AppId="d1 sig", SessionId=tok["SessionId"])["ChallengeCode"], tok["ChallengeCode"])  # a GET

    def test_refused(self):
        for c, code in ((self.signed(secret="wrong"), "InvalidSignatureException"),
                        (self.signed(key="AKIDUNKNOWN"), "UnrecognizedClientException")):
            with self.subTest(code=code):
                with self.assertRaises(botocore.exceptions.ClientError) as ctx:
                    c.get_backend(AppId="d1 sig")
                self.assertEqual(ctx.exception.response["Error"]["Code"], code)
                self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        unsigned = boto3.client("amplifybackend", endpoint_url=self.server.url, region_name="us-east-1",
                                config=botocore.config.Config(signature_version=botocore.UNSIGNED))
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            unsigned.get_backend(AppId="d1 sig")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "MissingAuthenticationTokenException")


class Durable(JobsMixin, unittest.TestCase):
    def test_job_survives_restart(self):
        # A job is due --job-duration after its submission, also across a restart.
        slow = Server("--job-duration", "2s")
        try:
            self.c = c = client(slow.url)
            out = c.create_backend(AppId="d1dur", AppName="dur", BackendEnvironmentName="dev")
            self.assertSubmitted(out, "CreateBackend", "d1dur", "dev")
        finally:
            slow.stop(keep_data=True)
        fast = Server("--job-duration", "2s", data_dir=slow.data_dir)
        try:
            self.c = c = client(fast.url)
            job = wait_job(c, "d1dur", "dev", out["JobId"])
            self.assertEqual((job["Status"], job["Operation"]), ("COMPLETED", "CreateBackend"))
            self.assertEqual(c.get_backend(AppId="d1dur")["BackendEnvironmentList"], ["dev"])
        finally:
            fast.stop()


if __name__ == "__main__":
    unittest.main()

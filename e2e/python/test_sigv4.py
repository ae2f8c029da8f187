"""boto3 against the built server in auth mode sigv4, beyond right and wrong keys: a body or a
signed header altered after signing, a signing clock 20 minutes off either way, presigned
URLs (fresh, altered, expired, not yet valid). Each refusal is a 403 with its typed error."""
import datetime
import json
import os
import tempfile
import unittest
import urllib.error
import urllib.request
from unittest import mock

import botocore.auth
import botocore.exceptions

from helpers import client, wait_job
from server import Server

KEY, SECRET, ACCOUNT = "AKIDSIGV4PY", "py/sigv4+secret", "123456789012"
MISMATCH = "The request signature we calculated does not match the signature you provided."
APP = "d1sigpy"


def shifted(minutes):
    """Runs botocore's signing clock minutes off. botocore.auth signs at
    get_current_datetime(), imported from botocore.compat into botocore.auth's namespace:
    patching it there moves X-Amz-Date and the credential scope's date together."""
    real = botocore.auth.get_current_datetime
    return mock.patch.object(botocore.auth, "get_current_datetime",
                             lambda *a, **kw: real(*a, **kw) + datetime.timedelta(minutes=minutes))


def fetch(url):
    """GETs url with urllib: (status, X-Amzn-ErrorType, parsed JSON body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers.get("X-Amzn-ErrorType", ""), json.loads(resp.read())
    except urllib.error.HTTPError as e:
        with e:
            return e.code, e.headers.get("X-Amzn-ErrorType", ""), json.loads(e.read())


class SigV4Clients(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        creds = tempfile.NamedTemporaryFile("w", suffix=".ini", delete=False)
        creds.write("[py]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_account_id = %s\n" % (KEY, SECRET, ACCOUNT))
        creds.close()
        cls.addClassCleanup(os.unlink, creds.name)
        cls.server = Server("--auth", "sigv4", "--credentials", creds.name)
        cls.addClassCleanup(cls.server.stop)
        cls.c = cls.signed()
        out = cls.c.create_backend(AppId=APP, AppName="sigpy", BackendEnvironmentName="dev")
        cls.job_id = out["JobId"]
        wait_job(cls.c, APP, "dev", cls.job_id)

    @classmethod
    def signed(cls):
        """A fresh client (its own event handlers) with the file's key."""
        return client(cls.server.url, key=KEY, secret=SECRET, recorded=False)

    def assertRefused(self, fn, fragment, code="InvalidSignatureException"):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            fn()
        resp = ctx.exception.response
        self.assertEqual(resp["Error"]["Code"], code, resp)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertEqual(resp["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-errortype"), code)
        self.assertIn(fragment, resp["Error"]["Message"])
        return resp

    def assertNoApp(self, app):
        with self.assertRaises(self.c.exceptions.NotFoundException):
            self.c.get_backend(AppId=app)

    def test_body_altered_after_signing(self):
        c = self.signed()
        sent = []

        def tamper(request, **_):
            # One byte of the signed body, after signing: same length, another app name.
            body = bytes(request.body)
            i = body.index(b"original")
            altered = body[:i] + b"X" + body[i + 1:]
            self.assertEqual(len(altered), len(body))
            request.body = altered
            sent.append(altered)

        c.meta.events.register("before-send.amplifybackend.CreateBackend", tamper)
        self.assertRefused(lambda: c.create_backend(AppId="d1tampered", AppName="original", BackendEnvironmentName="dev"), MISMATCH)
        self.assertEqual(len(sent), 1, "the before-send handler did not run")
        self.assertIn(b"Xriginal", sent[0])
        self.assertNoApp("d1tampered")
        # The same request, left alone, is accepted: the refusal was the altered byte's.
        c.meta.events.unregister("before-send.amplifybackend.CreateBackend", tamper)
        out = c.create_backend(AppId="d1tampered", AppName="original", BackendEnvironmentName="dev")
        self.assertEqual(wait_job(c, "d1tampered", "dev", out["JobId"])["Status"], "COMPLETED")

    def test_signed_header_altered_after_signing(self):
        c = self.signed()
        signed_headers = []

        def add_header(request, **_):
            request.headers["X-Team"] = "alpha"

        def check(request, **_):
            auth = request.headers["Authorization"].decode() if isinstance(request.headers["Authorization"], bytes) else request.headers["Authorization"]
            signed_headers.append(auth.split("SignedHeaders=")[1].split(",")[0].split(";"))

        def alter(request, **_):
            request.headers["X-Team"] = "omega"  # a case-insensitive dict: replaces alpha

        c.meta.events.register("before-sign.amplifybackend.GetBackend", add_header)
        c.meta.events.register("before-send.amplifybackend.GetBackend", check)
        # Signed with the header and sent unchanged: accepted.
        self.assertEqual(c.get_backend(AppId=APP)["AppId"], APP)
        self.assertIn("x-team", signed_headers[-1])
        # The signed header's value changed after signing: refused.
        c.meta.events.register("before-send.amplifybackend.GetBackend", alter)
        self.assertRefused(lambda: c.get_backend(AppId=APP), MISMATCH)
        self.assertIn("x-team", signed_headers[-1])

    def test_signing_clock_off(self):
        c = self.signed()
        with shifted(-20):
            resp = self.assertRefused(lambda: c.get_backend(AppId=APP), "Signature expired")
        self.assertIn("is now earlier than", resp["Error"]["Message"])
        with shifted(+20):
            resp = self.assertRefused(lambda: c.get_backend(AppId=APP), "Signature not yet current")
        self.assertIn("is still later than", resp["Error"]["Message"])
        # Within the 15 minutes either way: accepted.
        for minutes in (-14, +14):
            with self.subTest(minutes=minutes), shifted(minutes):
                self.assertEqual(c.get_backend(AppId=APP)["AppId"], APP)

    def test_presigned_urls(self):
        c = self.signed()
        tok = c.create_token(AppId=APP)
        url = c.generate_presigned_url("get_token", Params={"AppId": APP, "SessionId": tok["SessionId"]}, ExpiresIn=300)
        self.assertIn("X-Amz-Signature=", url)
        self.assertIn("X-Amz-Expires=300", url)
        status, err, body = fetch(url)
        self.assertEqual((status, err), (200, ""), body)
        self.assertEqual(body["challengeCode"], tok["ChallengeCode"])

        url = c.generate_presigned_url("get_backend_job", Params={"AppId": APP, "BackendEnvironmentName": "dev", "JobId": self.job_id}, ExpiresIn=60)
        status, err, body = fetch(url)
        self.assertEqual((status, err), (200, ""), body)
        self.assertEqual(body["jobId"], self.job_id)
        # Another job id under the same signature.
        status, err, body = fetch(url.replace(self.job_id, "00000000-0000-4000-8000-000000000000"))
        self.assertEqual((status, err), (403, "InvalidSignatureException"), body)
        self.assertIn(MISMATCH, body["message"])

    def test_presigned_url_expired_or_not_yet_valid(self):
        c = self.signed()
        params = {"AppId": APP, "BackendEnvironmentName": "dev", "JobId": self.job_id}
        # Signed 10 minutes ago for 60 seconds.
        with shifted(-10):
            url = c.generate_presigned_url("get_backend_job", Params=params, ExpiresIn=60)
        status, err, body = fetch(url)
        self.assertEqual((status, err), (403, "InvalidSignatureException"), body)
        self.assertIn("Signature expired", body["message"])
        self.assertIn("X-Amz-Expires 60 sec.", body["message"])
        # Signed 20 minutes ahead: not valid yet, however long it lasts.
        with shifted(+20):
            url = c.generate_presigned_url("get_backend_job", Params=params, ExpiresIn=3600)
        status, err, body = fetch(url)
        self.assertEqual((status, err), (403, "InvalidSignatureException"), body)
        self.assertIn("Signature not yet current", body["message"])
        # Signed 10 minutes ago for an hour: still good.
        with shifted(-10):
            url = c.generate_presigned_url("get_backend_job", Params=params, ExpiresIn=3600)
        status, err, body = fetch(url)
        self.assertEqual((status, err), (200, ""), body)


if __name__ == "__main__":
    unittest.main()

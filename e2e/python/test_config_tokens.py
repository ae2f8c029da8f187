"""boto3: the Admin UI config and its challenge tokens. CreateBackendConfig,
UpdateBackendConfig, RemoveBackendConfig, CreateToken, GetToken, DeleteToken."""
import time
import unittest

from helpers import UUID_RE, JobsMixin, body, client, wait_job
from server import Server


class Config(JobsMixin, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.addClassCleanup(cls.server.stop)
        cls.c = client(cls.server.url)


    def test_config_new_app(self):
        c = self.c
        out = c.create_backend_config(AppId="d2new")
        self.assertEqual(out["BackendEnvironmentName"], "staging")
        self.complete(out, "CreateBackendConfig", "d2new", "staging")
        got = c.get_backend(AppId="d2new")
        self.assertEqual((got["AppName"], got["BackendEnvironmentList"]), ("d2new", ["staging"]))

        cfg = c.update_backend_config(AppId="d2new")
        self.assertEqual((cfg["AppId"], cfg["BackendManagerAppId"]), ("d2new", "d2new"))
        login = cfg["LoginAuthConfig"]
        self.assertRegex(login["AwsUserPoolsId"], r"^us-east-1_[A-Za-z0-9]{9}$")
        self.assertRegex(login["AwsUserPoolsWebClientId"], r"^[a-z0-9]{26}$")
        self.assertRegex(login["AwsCognitoIdentityPoolId"], r"^us-east-1:[0-9a-f-]{36}$")
        self.assertEqual(login["AwsCognitoRegion"], "us-east-1")

        # Update overwrites the given members only.
        up = c.update_backend_config(AppId="d2new", LoginAuthConfig={"AwsUserPoolsWebClientId": "newclient"})
        self.assertEqual(up["LoginAuthConfig"], dict(login, AwsUserPoolsWebClientId="newclient"))
        self.assertEqual(c.update_backend_config(AppId="d2new")["LoginAuthConfig"], up["LoginAuthConfig"])
        self.assertBadRequest("", c.update_backend_config, AppId="d2new", LoginAuthConfig={"AwsUserPoolsId": "not-a-pool"})
        self.assertEqual(c.update_backend_config(AppId="d2new")["LoginAuthConfig"], up["LoginAuthConfig"])
        # One config per app.
        self.assertBadRequest("", c.create_backend_config, AppId="d2new")

        rm = c.remove_backend_config(AppId="d2new")
        self.assertEqual(body(rm), {})
        self.assertNotFound("config", "", c.remove_backend_config, AppId="d2new")
        self.assertNotFound("config", "", c.update_backend_config, AppId="d2new")

    def test_config_existing_app(self):
        c = self.c
        for env in ("prod", "dev"):
            self.complete(c.create_backend(AppId="d2old", AppName="oldapp", BackendEnvironmentName=env), "CreateBackend", "d2old", env)
        out = c.create_backend_config(AppId="d2old", BackendManagerAppId="mgr1")
        self.complete(out, "CreateBackendConfig", "d2old", "dev")  # the first environment by name
        self.assertEqual(c.update_backend_config(AppId="d2old")["BackendManagerAppId"], "mgr1")
        self.assertEqual(c.get_backend(AppId="d2old")["BackendEnvironmentList"], ["dev", "prod"])

    def test_config_not_found(self):
        c = self.c
        self.assertNotFound("app", "", c.update_backend_config, AppId="nosuchapp")
        self.assertNotFound("app", "", c.remove_backend_config, AppId="nosuchapp")
        self.complete(c.create_backend(AppId="d2nf", AppName="nf", BackendEnvironmentName="dev"), "CreateBackend", "d2nf", "dev")
        self.assertNotFound("config", "", c.update_backend_config, AppId="d2nf", LoginAuthConfig={"AwsCognitoRegion": "us-east-1"})
        self.assertNotFound("config", "", c.remove_backend_config, AppId="d2nf")

    def test_tokens(self):
        c = self.c
        self.assertNotFound("app", "", c.create_token, AppId="d3none")
        self.complete(c.create_backend(AppId="d3tok", AppName="tok", BackendEnvironmentName="dev"), "CreateBackend", "d3tok", "dev")
        before = int(time.time())
        tok = c.create_token(AppId="d3tok")
        self.assertEqual(tok["AppId"], "d3tok")
        self.assertRegex(tok["SessionId"], UUID_RE)
        self.assertRegex(tok["ChallengeCode"], r"^[A-Z2-7]{16}$")
        self.assertTrue(before + 600 - 5 <= int(tok["Ttl"]) <= int(time.time()) + 600 + 5, tok["Ttl"])
        other = c.create_token(AppId="d3tok")
        self.assertNotEqual(other["SessionId"], tok["SessionId"])
        self.assertNotEqual(other["ChallengeCode"], tok["ChallengeCode"])

        got = c.get_token(AppId="d3tok", SessionId=tok["SessionId"])
        self.assertEqual(body(got), body(tok))
        self.assertNotFound("token", "", c.get_token, AppId="d3tok", SessionId="00000000-0000-4000-8000-000000000000")

        dl = c.delete_token(AppId="d3tok", SessionId=tok["SessionId"])
        self.assertEqual(body(dl), {"IsSuccess": True})
        self.assertNotFound("token", "", c.get_token, AppId="d3tok", SessionId=tok["SessionId"])
        self.assertNotFound("token", "", c.delete_token, AppId="d3tok", SessionId=tok["SessionId"])
        self.assertEqual(c.get_token(AppId="d3tok", SessionId=other["SessionId"])["ChallengeCode"], other["ChallengeCode"])

    def test_clean_app_removes_config_and_tokens(self):
        c = self.c
        self.complete(c.create_backend(AppId="d3clean", AppName="clean", BackendEnvironmentName="dev"), "CreateBackend", "d3clean", "dev")
        self.complete(c.create_backend_config(AppId="d3clean"), "CreateBackendConfig", "d3clean", "dev")
        tok = c.create_token(AppId="d3clean")
        rm = c.remove_all_backends(AppId="d3clean", CleanAmplifyApp=True)
        self.assertEqual(wait_job(c, "d3clean", "dev", rm["JobId"])["Status"], "COMPLETED")
        self.complete(c.create_backend(AppId="d3clean", AppName="clean", BackendEnvironmentName="dev"), "CreateBackend", "d3clean", "dev")
        self.assertNotFound("config", "", c.update_backend_config, AppId="d3clean")
        self.assertNotFound("token", "", c.get_token, AppId="d3clean", SessionId=tok["SessionId"])


class TokenExpiry(JobsMixin, unittest.TestCase):
    def test_expiry(self):
        # The expiry is truncated to the second, so a token lives between TTL-1s and TTL: with
        # 1s it could expire before the GetToken right after its creation. With 3s it lives
        # at least 2s, which the GetToken below has to be within.
        server = Server("--token-ttl", "3s")
        try:
            self.c = c = client(server.url)
            self.complete(c.create_backend(AppId="d3ttl", AppName="ttl", BackendEnvironmentName="dev"), "CreateBackend", "d3ttl", "dev")
            tok = c.create_token(AppId="d3ttl")
            self.assertLessEqual(int(tok["Ttl"]), int(time.time()) + 4)
            c.get_token(AppId="d3ttl", SessionId=tok["SessionId"])
            time.sleep(max(0, int(tok["Ttl"]) - time.time()) + 0.1)
            self.assertNotFound("token", "", c.get_token, AppId="d3ttl", SessionId=tok["SessionId"])
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()

"""Signs requests to a test server with botocore (through boto3's amplifybackend client and
botocore's own SigV4 signers) and prints one JSON line per case: the case name, the error code
the client saw ("" for success) and what the server echoed (region as appId, key as appName).

Usage: python3 botocore_client.py ENDPOINT ACCESS_KEY_ID SECRET_ACCESS_KEY
"""
import json
import sys
import urllib.error
import urllib.request

import boto3
import botocore
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

endpoint, key, secret = sys.argv[1:4]


def client(region="us-east-1", k=key, s=secret, token=None):
    return boto3.client(
        "amplifybackend",
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=k,
        aws_secret_access_key=s,
        aws_session_token=token,
        config=Config(retries={"total_max_attempts": 1}),
    )


def report(name, fn):
    try:
        out = fn()
        print(json.dumps({"case": name, "code": "", "region": out.get("AppId", ""), "key": out.get("AppName", "")}))
    except botocore.exceptions.ClientError as e:
        err = e.response["Error"]
        print(json.dumps({"case": name, "code": err.get("Code", ""), "message": err.get("Message", "")}))


def send(req):
    """Sends a signed AWSRequest with urllib and returns the echoed JSON, or raises."""
    p = req.prepare()
    r = urllib.request.Request(p.url, data=p.body or None, headers=dict(p.headers), method=p.method)
    try:
        with urllib.request.urlopen(r) as resp:
            body = json.load(resp)
            return {"AppId": body.get("appId", ""), "AppName": body.get("appName", "")}
    except urllib.error.HTTPError as e:
        body = json.load(e)
        raise botocore.exceptions.ClientError(
            {"Error": {"Code": e.headers.get("X-Amzn-ErrorType", ""), "Message": body.get("message", "")}}, "raw")


c = client()
report("get_backend", lambda: c.get_backend(AppId="app1"))
for i, app in enumerate(["a/b", "a b", "a~b", "\u00fc\u2713", "a+b", "a!'()*", "a;b=c:d@e", "a%2Fb", "a%b", "..", ".", "x..y", "-_.~"]):
    report("odd_app_id_%d" % i, lambda: c.get_backend(AppId=app, BackendEnvironmentName="dev env"))
report("get_backend_job", lambda: c.get_backend_job(AppId="d1abc", BackendEnvironmentName="dev", JobId="j/1"))
report("list_backend_jobs", lambda: c.list_backend_jobs(AppId="d1abc", BackendEnvironmentName="dev", MaxResults=5))
report("region", lambda: client(region="eu-central-1").get_backend(AppId="app1"))
report("session_token", lambda: client(token="FwoGZXIvYXdzEJr//////////wEaDExampleToken").get_backend(AppId="app1"))
report("wrong_secret", lambda: client(s="wrong" + secret).get_backend(AppId="app1"))
report("unknown_key", lambda: client(k="AKIAUNKNOWN000000000").get_backend(AppId="app1"))


def presigned(path, region="us-west-2", expires=300):
    req = AWSRequest(method="GET", url=endpoint + path)
    SigV4QueryAuth(Credentials(key, secret), "amplifybackend", region, expires=expires).add_auth(req)
    return send(req)


report("presigned", lambda: presigned("/backend/d1abc/job/dev/j1"))
report("presigned_query", lambda: presigned("/backend/d1abc/challenge/s1?b=2&a=%E2%9C%93&a=1"))


def signed(method, path, body=b"", headers=None, region="us-east-1"):
    req = AWSRequest(method=method, url=endpoint + path, data=body, headers=headers or {})
    SigV4Auth(Credentials(key, secret), "amplifybackend", region).add_auth(req)
    return send(req)


report("raw_query", lambda: signed("GET", "/backend/x?b=2&a=2&a=1&c=%2F%20"))
report("raw_headers", lambda: signed("POST", "/backend", b'{"appName":"x"}', {"X-Custom": "  a   b\tc ", "Content-Type": "application/json"}))
report("raw_unsigned_payload", lambda: signed("POST", "/backend", b"{}", {"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}))

"""Recipe: tests of code that calls the Amplify Admin API, against amplifybackendd, with
boto3. The fixtures are in conftest.py."""
import time

import pytest

ENV = {"AppId": "app1", "BackendEnvironmentName": "dev"}


def wait_for_job(client, job_id):
    """Polls GetBackendJob, as an app's code does, until the job has ended."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        job = client.get_backend_job(JobId=job_id, **ENV)
        if job["Status"] != "IN_PROGRESS":
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} still IN_PROGRESS after 10s")


def test_new_backend_job_completes(amplifybackend):
    job_id = amplifybackend.create_backend(AppName="shop", **ENV)["JobId"]
    assert wait_for_job(amplifybackend, job_id)["Status"] == "COMPLETED"
    assert amplifybackend.get_backend(**ENV)["AppName"] == "shop"


def test_each_test_starts_empty(control):
    assert control.info()["counts"]["apps"] == 0


def test_job_held_then_failed(amplifybackend, control):
    control.set_job_settings({"mode": "manual"})
    job_id = amplifybackend.create_backend(AppName="shop", **ENV)["JobId"]
    assert amplifybackend.get_backend_job(JobId=job_id, **ENV)["Status"] == "IN_PROGRESS"

    control.finish_job(job_id, "FAILED", "quota exceeded")
    job = amplifybackend.get_backend_job(JobId=job_id, **ENV)
    assert (job["Status"], job["Error"]) == ("FAILED", "quota exceeded")


def test_throttled_call(amplifybackend, control):
    wait_for_job(amplifybackend, amplifybackend.create_backend(AppName="shop", **ENV)["JobId"])
    control.add_fault({"operation": "GetBackend", "times": 1,
                       "error": {"status": 429, "code": "TooManyRequestsException", "message": "Rate exceeded"}})
    with pytest.raises(amplifybackend.exceptions.TooManyRequestsException) as e:
        amplifybackend.get_backend(**ENV)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    # The rule fired its one time and is gone.
    assert amplifybackend.get_backend(**ENV)["AppName"] == "shop"


def test_journal_shows_the_calls(amplifybackend, control):
    amplifybackend.create_backend(AppName="shop", **ENV)
    calls = control.requests(operation="CreateBackend")
    assert [(c["operation"], c["appId"], c["status"]) for c in calls] == [("CreateBackend", "app1", 200)]


def test_start_from_a_fixture(amplifybackend, control):
    # Build the fixture once (here in the test; usually a file saved from GET /state).
    control.set_job_settings({"mode": "manual"})
    job_id = amplifybackend.create_backend(AppName="shop", **ENV)["JobId"]
    control.finish_job(job_id, "COMPLETED")
    fixture = control.call("GET", "/state")

    control.call("POST", "/reset")
    with pytest.raises(amplifybackend.exceptions.NotFoundException):
        amplifybackend.get_backend(**ENV)

    control.call("PUT", "/state", fixture)
    assert amplifybackend.get_backend(**ENV)["AppName"] == "shop"

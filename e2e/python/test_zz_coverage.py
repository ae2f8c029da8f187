"""The coverage check of the boto3 suite: every operation of the service model was called, and
answered with HTTP 200 at least once, by the suite's clients (helpers.client / helpers.record).

unittest discovery loads test modules in sorted order, so this module (test_zz_...) runs
last. It only judges a run that loaded every test module of the directory: run on its own
(python3 -m unittest test_zz_coverage) it is skipped, as there is nothing to judge.
"""
import glob
import os
import sys
import unittest

import helpers

HERE = os.path.dirname(os.path.abspath(__file__))


def suite_modules():
    return sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, "test_*.py"))
                  if os.path.basename(p) != "test_zz_coverage.py")


class Coverage(unittest.TestCase):
    def setUp(self):
        missing = [m for m in suite_modules() if m not in sys.modules]
        if missing:
            self.skipTest("not a whole-suite run (modules not loaded: %s)" % ", ".join(missing))

    def test_every_operation_called(self):
        self.assertEqual(len(helpers.ALL_OPERATIONS), 31, sorted(helpers.ALL_OPERATIONS))
        not_called = sorted(helpers.ALL_OPERATIONS - helpers.CALLED)
        self.assertEqual(not_called, [], "operations the boto3 suite never called: %s" % not_called)

    def test_every_operation_succeeded(self):
        not_succeeded = sorted(helpers.ALL_OPERATIONS - helpers.SUCCEEDED)
        self.assertEqual(not_succeeded, [], "operations never answered 200 in the boto3 suite: %s" % not_succeeded)

    def test_wire_contract_on_every_response(self):
        # Every response: x-amzn-RequestId a UUID; every 200: Content-Type application/json and
        # no JSON null; every error: X-Amzn-ErrorType agrees with the error code botocore read.
        self.assertEqual(helpers.WIRE_PROBLEMS[:20], [])

    def test_report(self):
        # Visible with -v: what the suite exercised.
        sys.stderr.write("\n  boto3 suite called %d/%d operations, %d answered 200 ... "
                         % (len(helpers.CALLED & helpers.ALL_OPERATIONS), len(helpers.ALL_OPERATIONS),
                            len(helpers.SUCCEEDED & helpers.ALL_OPERATIONS)))


if __name__ == "__main__":
    unittest.main()

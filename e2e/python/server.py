"""Start the built amplifybackendd on a free loopback port with a fresh data directory."""
import json
import os
import shutil
import subprocess
import tempfile
import threading


class Server:
    """A running amplifybackendd; stop() ends it and removes its data."""

    def __init__(self, *args):
        binary = os.environ.get("AMPLIFYBACKENDD_BIN", "amplifybackendd")
        self.data_dir = tempfile.mkdtemp(prefix="amplifybackendd-py-")
        self.proc = subprocess.Popen(
            [binary, "--addr", "127.0.0.1:0", "--data-dir", self.data_dir, "--log-format", "json", *args],
            stderr=subprocess.PIPE, text=True)
        ready = threading.Event()
        self.url = None

        def read_log():
            for line in self.proc.stderr:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if not ready.is_set() and entry.get("msg") == "amplifybackendd listening":
                    self.url = "http://" + entry["addr"]
                    ready.set()

        threading.Thread(target=read_log, daemon=True).start()
        if not ready.wait(30):
            self.stop()
            raise RuntimeError("amplifybackendd did not start")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stderr.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

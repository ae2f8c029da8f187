"""Start the built amplifybackendd on a free loopback port with a fresh data directory."""
import json
import os
import shutil
import subprocess
import tempfile
import threading


class Server:
    """A running amplifybackendd; stop() ends it and removes its data."""

    def __init__(self, *args, data_dir=None):
        """Starts the server with args; data_dir reuses a directory (stop(keep_data=True) of
        an earlier server) instead of a fresh one."""
        binary = os.environ.get("AMPLIFYBACKENDD_BIN", "amplifybackendd")
        self.data_dir = data_dir or tempfile.mkdtemp(prefix="amplifybackendd-py-")
        self.proc = subprocess.Popen(
            [binary, "--addr", "127.0.0.1:0", "--data-dir", self.data_dir, "--log-format", "json", *args],
            stderr=subprocess.PIPE, text=True)
        ready = threading.Event()
        self.url = None
        self.log = []  # the first lines of its log, for diagnosis

        def read_log():
            # The only reader of the pipe, and the only one to close it: stop() waits for this
            # thread (the end of the pipe) instead of closing the file under it, which made the
            # read in progress fail with "I/O operation on closed file" and dropped the last
            # lines of the log, those that say why a server did not start.
            with self.proc.stderr:
                for line in self.proc.stderr:
                    if len(self.log) < 200:
                        self.log.append(line)
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue
                    if not ready.is_set() and entry.get("msg") == "amplifybackendd listening":
                        self.url = "http://" + entry["addr"]
                        ready.set()
            ready.set()  # it exited

        self.reader = threading.Thread(target=read_log, daemon=True)
        self.reader.start()
        if not ready.wait(30) or self.url is None:
            self.stop()
            raise RuntimeError("amplifybackendd did not start:\n" + "".join(self.log))

    def stop(self, keep_data=False):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        # The process has exited, so the pipe ends once the reader has drained it.
        self.reader.join(10)
        if not keep_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)

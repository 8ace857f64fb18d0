"""pytest fixtures that run jobfake for a test session and give each test its own namespace.

Copy this file into your project's tests. It needs Node and jobfake installed in the project
(`npm i -D jobfake`, so that `npx jobfake` finds it), and `requests`.

- ``jobfake`` (session): starts ``npx jobfake --port 0 --quiet`` once, reads the URL from its first
  line (``jobfake listening on http://127.0.0.1:PORT (fixtures: FILE)``), stops it at the end.
- ``spark_url`` (per test): that URL under a namespace of the test's own (``/ns/<name>``), so
  tests never see each other's binaries, jobs or contexts; point your Spark Jobserver client at it.
- ``jobfake_control`` (per test): the same namespace's control API (``/__jobfake``), to advance
  jobs or read what the client sent.
"""

import os
import re
import shlex
import signal
import subprocess
import threading
import uuid
from collections import deque

import pytest

FIRST_LINE = re.compile(r"^jobfake listening on (http://\S+) \(fixtures: .*\)$")

# Override to run another build, e.g. JOBFAKE_COMMAND="node path/to/jobfake/dist/cli.js".
COMMAND = shlex.split(os.environ.get("JOBFAKE_COMMAND", "npx jobfake"))


class Jobfake:
    """A running jobfake: its base URL and the lines it printed after the first (at most 1000)."""

    def __init__(self, url, process, log):
        self.url = url
        self.process = process
        self.log = log


@pytest.fixture(scope="session")
def jobfake():
    # Its own process group: npx may run jobfake under a shell, and the whole group must stop.
    process = subprocess.Popen(
        COMMAND + ["--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    first = process.stdout.readline().rstrip("\n")
    match = FIRST_LINE.match(first)
    if not match:
        process.kill()
        rest = process.stdout.read()
        raise RuntimeError(f"jobfake did not start: {first}\n{rest}")
    log = deque(maxlen=1000)
    # Keep reading what it prints, so a full pipe never blocks it.
    threading.Thread(target=lambda: log.extend(process.stdout), daemon=True).start()
    yield Jobfake(match.group(1), process, log)
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture
def namespace(request):
    """A namespace name of this test alone: letters, digits, '.', '_' or '-', at most 64."""
    name = re.sub(r"[^A-Za-z0-9._-]", "-", request.node.name)[:50]
    return f"{name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def spark_url(jobfake, namespace):
    return f"{jobfake.url}/ns/{namespace}"


@pytest.fixture
def jobfake_control(spark_url):
    return f"{spark_url}/__jobfake"

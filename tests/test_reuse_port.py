"""``--reuse-port``: several real server processes listen on one port (SO_REUSEPORT) and
the kernel spreads connections over them; without the flag a second one cannot bind
and says so."""
from __future__ import annotations

import http.client
import json
import subprocess
import sys

import pytest

from tests.support import ROOT, TEST_HEALTH_TOKEN, ServerProcess, free_port

# Each new connection is hashed to one listener by its source port; the chance that this
# many all land on the same one of two is 2**-199.
MAX_CONNECTIONS = 200


def instance_behind_a_new_connection(port: int) -> str:
    """Open a new TCP connection to the shared port and ask who answers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/healthz", headers={"Authorization": f"Bearer {TEST_HEALTH_TOKEN}"})
        resp = conn.getresponse()
        assert resp.status == 200
        return json.loads(resp.read())["instanceId"]
    finally:
        conn.close()


def test_two_nodes_share_one_port_with_reuse_port(tmp_path):
    port = free_port()
    first = ServerProcess(tmp_path / "a", port=port, extra_args=["--reuse-port"])
    second = ServerProcess(tmp_path / "b", port=port, extra_args=["--reuse-port"])
    try:
        first.start()
        second.start()  # waits for its own "listening on :port" line, then /healthz
        seen: set[str] = set()
        for _ in range(MAX_CONNECTIONS):
            seen.add(instance_behind_a_new_connection(port))
            if len(seen) == 2:
                break
        assert len(seen) == 2, f"only {seen} answered on port {port}"
        assert first.proc.poll() is None and second.proc.poll() is None
    finally:
        second.stop()
        first.stop()
    assert first.proc.returncode == 0 and second.proc.returncode == 0


@pytest.mark.parametrize("first_args", [[], ["--reuse-port"]], ids=["neither", "only-the-first"])
def test_without_the_flag_a_second_node_cannot_bind(tmp_path, first_args):
    port = free_port()
    first = ServerProcess(tmp_path / "a", port=port, extra_args=first_args)
    # Run to its end rather than with ServerProcess.start: the refusal line names the port
    # too, and the first node would answer the health check in the second one's place.
    second = ServerProcess(tmp_path / "b", port=port)
    command = [sys.executable, "-m", "chgrid", "serve", "--port", str(port), "--data-dir", str(tmp_path / "b")]
    try:
        first.start()
        result = subprocess.run(command, cwd=ROOT, env=second.env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 1, result.stderr
        refusals = [line for line in result.stderr.splitlines()
                    if f"ERROR chgrid.server: cannot listen on 127.0.0.1:{port}" in line]
        assert len(refusals) == 1 and refusals[0].endswith("Address already in use"), result.stderr
        assert "Traceback" not in result.stderr
        assert first.proc.poll() is None  # the first node is untouched
        assert first.health()["status"] == "ok"
    finally:
        first.stop()

"""`make test-kind` (issue 16 point 5): quiet progress, and one line when there is no cluster."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def test_without_a_cluster_it_stops_at_once_with_one_line(tmp_path) -> None:
    env = {**os.environ, "KUBECONFIG": str(tmp_path / "no-such-kubeconfig")}
    for var in ("NETPOL_KUBE_CONTEXT", "KUBERNETES_SERVICE_HOST", "NETPOL_ALLOW_CONTEXT"):
        env.pop(var, None)
    t0 = time.monotonic()
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "kind_preflight.py")], env=env,
                         capture_output=True, text=True, timeout=60)
    assert time.monotonic() - t0 < 10
    assert run.returncode == 1 and run.stdout == ""
    (line,) = run.stderr.splitlines()
    assert line.startswith("make test-kind: no kind cluster is reachable (")
    assert line.endswith("`make cluster` creates one.") and "Traceback" not in run.stderr


def test_a_kind_context_whose_server_does_not_answer(tmp_path) -> None:
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: refused at once, as a stopped kind container
    cfg = tmp_path / "config"
    cfg.write_text(f"""apiVersion: v1
kind: Config
current-context: kind-netpol-course
clusters: [{{name: c, cluster: {{server: "https://127.0.0.1:{port}"}}}}]
contexts: [{{name: kind-netpol-course, context: {{cluster: c, user: u}}}}]
users: [{{name: u, user: {{token: t}}}}]
""")
    env = {**os.environ, "KUBECONFIG": str(cfg)}
    env.pop("NETPOL_KUBE_CONTEXT", None)
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "kind_preflight.py")], env=env,
                         capture_output=True, text=True, timeout=60)
    (line,) = run.stderr.splitlines()
    assert run.returncode == 1
    assert f'the API server of context "kind-netpol-course" (https://127.0.0.1:{port}) does not answer' in line


def test_the_recipe_sets_kube_and_progress_off_and_runs_the_preflight_first(tmp_path) -> None:
    """Run the real recipe with a stand-in python that records its environment."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    log = tmp_path / "calls"
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "$NETPOL_BACKEND $NETPOL_PROGRESS $*" >> {log}\n')
    python.chmod(0o755)
    (venv / ".installed").touch()  # newer than requirements.txt: no install
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETPOL_")}
    subprocess.run(["make", "-s", "-C", str(ROOT), "test-kind", f"VENV={venv}"], env=env,
                   check=True, capture_output=True, text=True, timeout=60)
    calls = log.read_text().splitlines()
    assert calls[0] == "kube off tools/kind_preflight.py"
    assert all(c.startswith("kube off ") for c in calls) and len(calls) >= 2
    assert "-m live" in calls[1] and any("--nbval" in c for c in calls[2:])

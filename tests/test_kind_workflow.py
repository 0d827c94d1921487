"""The kind workflow's pins (issue 16 point 2 and "What to build"): read, not run.

What each pin must be comes from: kind's release history (v0.25.0 is the first release
after kubernetes-sigs/kind#3713's DNS stall), GitHub's advice to pin actions by commit,
and Docker Hub's anonymous pull limit (each image pulled once, then `kind load`).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "kind.yml").read_text())
JOB = WORKFLOW["jobs"]["live"]
RUN = "\n".join(step.get("run", "") for step in JOB["steps"])


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.lstrip("v").split("."))


def test_kind_is_new_enough_and_checked_against_a_written_in_sha256() -> None:
    assert _version(JOB["env"]["KIND_VERSION"]) >= (0, 25, 0)
    assert re.fullmatch(r"[0-9a-f]{64}", JOB["env"]["KIND_SHA256"])
    assert 'echo "${KIND_SHA256}  kind" | sha256sum -c -' in RUN
    assert ".sha256sum" not in RUN  # not the checksum file of the same release


def test_kubectl_is_pinned_with_its_checksum() -> None:
    assert re.fullmatch(r"v1\.\d+\.\d+", JOB["env"]["KUBECTL_VERSION"])
    assert re.fullmatch(r"[0-9a-f]{64}", JOB["env"]["KUBECTL_SHA256"])
    assert 'echo "${KUBECTL_SHA256}  kubectl" | sha256sum -c -' in RUN


def test_the_node_image_is_pinned_by_digest() -> None:
    config = yaml.safe_load((ROOT / "kind-config.yaml").read_text())
    (node,) = config["nodes"]
    assert re.fullmatch(r"kindest/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}", node["image"])
    node_minor = _version(node["image"].split(":")[1].split("@")[0])[1]
    assert abs(_version(JOB["env"]["KUBECTL_VERSION"])[1] - node_minor) <= 1  # kubectl's skew policy


def test_actions_are_pinned_by_commit() -> None:
    uses = [step["uses"] for step in JOB["steps"] if "uses" in step]
    assert uses and all(re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", u) for u in uses)


def test_pip_is_cached() -> None:
    (setup,) = [s for s in JOB["steps"] if "setup-python" in s.get("uses", "")]
    assert setup["with"]["cache"] == "pip"


def test_the_cni_is_awaited_not_only_the_node_and_dns() -> None:
    assert "rollout status deployment/coredns" in RUN
    assert "get daemonsets -o name" in RUN and 'rollout status "$ds"' in RUN  # kindnet among them
    assert "--as=system:serviceaccount:kube-system:kindnet" in RUN


def test_every_docker_hub_image_of_the_book_is_pulled_once_and_loaded() -> None:
    from netpol_kernel.api.manifests import load_path
    wanted = {"docker.io/library/busybox:1.36"}  # chapter 6's kubectl debug image
    for path in (ROOT / "book" / "manifests").glob("*.yaml"):
        for doc in load_path(path):
            spec = ((doc.obj.get("spec") or {}).get("template") or {}).get("spec") or {}
            for c in spec.get("containers") or ():
                image = c["image"]
                if image.startswith(("quay.io/", "ghcr.io/", "registry.k8s.io/")):
                    continue
                if not image.startswith("docker.io/"):
                    image = "docker.io/" + (image if "/" in image else "library/" + image)
                wanted.add(image)
    (step,) = [s for s in JOB["steps"] if "kind load docker-image" in s.get("run", "")]
    loaded = set(re.findall(r"docker\.io/[\w./-]+:[\w.-]+", step["run"]))
    assert wanted <= loaded, wanted - loaded


def test_progress_is_off_and_the_cluster_must_be_reachable() -> None:
    assert JOB["env"]["NETPOL_PROGRESS"] == "off" and JOB["env"]["NETPOL_REQUIRE_LIVE"] == "1"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_cluster_refuses_kind_older_than_v0_25(tmp_path) -> None:
    kind = tmp_path / "kind"
    kind.write_text('#!/bin/sh\n[ "$1" = version ] && echo "kind v0.24.0 go1.22.6 linux/amd64" '
                    '|| echo "$@" >> ' + str(tmp_path / "calls") + "\n")
    kind.chmod(0o755)
    run = subprocess.run(["make", "-s", "-C", str(ROOT), "cluster", f"KIND={kind}"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "kind v0.24.0 is too old" in run.stderr
    assert not (tmp_path / "calls").exists()  # no cluster was created

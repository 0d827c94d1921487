"""Contract: the same chapter steps print the same text on the embedded cluster and on
the kube backend (driven through a fake of its client layer), after the book's sanitizers.

This is what `make test-kind` checks for real; here it pins the parts that do not need
a live cluster: namespaces, apply results, tables, describe, errors, cleanup.
"""
from __future__ import annotations

import configparser
import os
import re


import netpol_kernel as nk
from kube_fakes import FakeClientLayer, FakeClock
from netpol_kernel.backends.kube import KubeBackend
from netpol_kernel.sim.cluster import EmbeddedCluster

HERE = os.path.dirname(__file__)
M = lambda name: os.path.join(HERE, "..", "book", "manifests", name)  # noqa: E731


def sanitizers() -> list[tuple[re.Pattern, str]]:
    cfg = configparser.ConfigParser()
    cfg.read(os.path.join(HERE, "nbval_sanitize.cfg"))
    return [(re.compile(cfg[s]["regex"]), cfg[s]["replace"].strip('"')) for s in cfg.sections()]


SANITIZE = sanitizers()


def clean(text: str) -> str:
    for rx, rep in SANITIZE:
        text = rx.sub(rep, text)
    return text


def kube() -> KubeBackend:
    clock = FakeClock()
    return KubeBackend(client=FakeClientLayer(clock=clock), clock=clock, sleep=clock.sleep,
                       progress=lambda _: None)


STEPS = [
    f"apply -f {M('simple-app.yaml')}",
    f"apply -f {M('backend-ingress-deny.yaml')}",
    f"apply -f {M('backend-allow-ingress-frontend.yaml')}",
    "get netpol",
    "describe netpol backend-allow-ingress-frontend",
    "get deployment,svc",
    "delete netpol backend-allow-ingress-frontend, backend-ingress-deny",
    "delete netpol backend-allow-ingress-frontend",
    f"apply -f {M('lab-frontend-to-backend.yaml')}",
    "get netpol",
]


def transcript(backend) -> list[str]:
    ch = nk.start_chapter("netpol-contract", backend=backend, load_magic=False)
    out = [str(ch)]
    for step in STEPS:
        r = nk.kubectl(step, backend=backend)
        out.append(f"$ {step} [{r.exit_code}]\n{r.text}")
    out.append(str(ch.cleanup()))
    # Run All again at once: on a real cluster the namespace is still Terminating (issue 16).
    again = nk.start_chapter("netpol-contract", backend=backend, load_magic=False)
    out.append(str(again))
    out.append(str(again.cleanup()))
    return [clean(t.replace(os.path.join(HERE, "..", "book") + "/", "")) for t in out]


def test_chapter_steps_print_the_same_on_both_backends():
    sim, real = transcript(EmbeddedCluster()), transcript(kube())
    for a, b in zip(sim, real):
        assert a == b


def test_the_transcript_is_the_lab_not_empty():
    sim = transcript(EmbeddedCluster())
    assert sim[0].splitlines()[0] == "namespace/netpol-contract created"
    assert "networkpolicy.networking.k8s.io/backend-ingress-deny created" in sim[2]
    assert 'Error from server (NotFound): networkpolicies.networking.k8s.io "backend-allow-ingress-frontend," not found' in sim[7]
    assert 'namespaces "your-namespace" not found' in sim[9]


def test_sanitizers_keep_busybox_glibc_and_musl_apart():
    """Issue 16 point 1: chapter 6's `nc -zv -w 5 mariadb 3306` from busybox:1.36.

    The official image's default variant on amd64 is glibc (strerror(ETIMEDOUT) is
    "Connection timed out"); the musl build says "Operation timed out" (musl
    src/errno/__strerror.h). A sanitizer that hid the difference would let the
    embedded cluster store the wrong one and still pass on kind.
    """
    glibc = "nc: mariadb (10.96.31.7:3306): Connection timed out\n"
    musl = "nc: mariadb (10.96.31.7:3306): Operation timed out\n"
    assert clean(glibc) != clean(musl)
    assert "Connection timed out" in clean(glibc)

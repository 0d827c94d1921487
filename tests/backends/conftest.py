"""What the kube backend's tests share: a fake client layer on a fake clock, and a backend on it."""
from __future__ import annotations

import pytest

from kube_fakes import FakeClientLayer, FakeClock
from netpol_kernel.backends.kube import KubeBackend


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakeClientLayer:
    f = FakeClientLayer(clock=clock)
    f.our_namespace("netpol-lab")
    return f


@pytest.fixture
def messages() -> list[str]:
    return []


@pytest.fixture
def backend(fake: FakeClientLayer, clock: FakeClock, messages: list[str]) -> KubeBackend:
    return KubeBackend(client=fake, clock=clock, sleep=clock.sleep, progress=messages.append)

"""A chapter whose manifests create more namespaces (chapters 8 and 11: NAMESPACE-monitoring...)
starts clean on every run and cleans them all up, as it does its own namespace."""
from __future__ import annotations

from pathlib import Path

import netpol_kernel as nk
from netpol_kernel.sim.cluster import EmbeddedCluster

BOOK = Path(__file__).resolve().parents[2] / "book"


def namespaces(be) -> list[str]:
    return sorted(n["metadata"]["name"] for n in be.get("Namespace") if n["metadata"]["name"].startswith("netpol-"))


def test_a_second_run_starts_clean_and_cleanup_takes_the_companions() -> None:
    be = EmbeddedCluster()
    files = [str(BOOK / "manifests" / "08-namespaces.yaml")]
    first = nk.start_chapter("netpol-ch08", apply=files, backend=be, load_magic=False)
    assert namespaces(be) == ["netpol-ch08", "netpol-ch08-monitoring", "netpol-ch08-other"]
    be.label("Namespace", "netpol-ch08-other", {"leftover": "yes"})
    second = nk.start_chapter("netpol-ch08", apply=files, backend=be, load_magic=False)
    # the same lines as the first run: created, never "unchanged" or "configured"
    assert second.lines == first.lines
    assert "leftover" not in (be.get("Namespace", name="netpol-ch08-other")[0]["metadata"].get("labels") or {})
    assert str(second.cleanup()).splitlines() == [
        'namespace "netpol-ch08" deleted', 'namespace "netpol-ch08-monitoring" deleted',
        'namespace "netpol-ch08-other" deleted']
    assert namespaces(be) == []


def test_other_chapters_namespaces_are_not_companions() -> None:
    be = EmbeddedCluster()
    nk.start_chapter("netpol-ch01", backend=be, load_magic=False)
    nk.start_chapter("netpol-ch0", backend=be, load_magic=False)  # a prefix, but not NAMESPACE-*
    nk.start_chapter("netpol-ch01", backend=be, load_magic=False)
    assert namespaces(be) == ["netpol-ch0", "netpol-ch01"]

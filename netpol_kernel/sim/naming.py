"""Names, uids and addresses the embedded cluster hands out, with the real shapes.

Everything is derived from a seed and counters, never from the clock or a
random source, so two clusters given the same commands agree byte for byte.

* ``pod-template-hash``: the Deployment controller hashes the pod template with
  FNV-32a and writes the decimal number through ``rand.SafeEncodeString``; so do
  we, over the template's canonical JSON (the real one hashes a Go dump of the
  struct, so the values differ, the shape does not: 8-10 characters, only from
  ``bcdf456789``).
* generated suffixes (``<rs>-x7k2p``): five characters from the API server's
  alphabet ``bcdfghjklmnpqrstvwxz2456789`` (no vowels, no 0/1/3).
* IPs: pods sequentially from the node's /24 like kind's host-local IPAM,
  Service ClusterIPs pseudo-randomly in the upper band of 10.96.0.0/16 like the
  real allocator (KEP-3070 keeps the lowest /24 for static addresses).

>>> safe_encode("0123456789")
'456789bcdf'
>>> n = Namer("netpol")
>>> template_hash({"spec": {"containers": [{"name": "c", "image": "nginx"}]}})
'697c5c7895'
>>> n.suffix(), n.suffix()
('xh6d8', 'tld7r')
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
from typing import Any, Iterable

__all__ = ["ALPHANUMS", "safe_encode", "fnv32a", "template_hash", "Namer", "PodIPAM",
           "ServiceIPAM", "NodePortAllocator"]

#: k8s.io/apimachinery/pkg/util/rand: "bcdfghjklmnpqrstvwxz2456789"
ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


def safe_encode(s: str) -> str:
    """``rand.SafeEncodeString``: each byte mapped into the vowel-free alphabet."""
    return "".join(ALPHANUMS[b % len(ALPHANUMS)] for b in s.encode())


def fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def template_hash(template: Any, collision_count: int = 0) -> str:
    """``controller.ComputeHash``: FNV-32a of the template (+ collision count), safe-encoded."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    if collision_count:
        data += str(collision_count).encode()
    return safe_encode(str(fnv32a(data)))


class Namer:
    """Deterministic stand-in for the API server's random draws (seed + counter)."""

    def __init__(self, seed: str):
        self.seed = seed
        self.counter = 0

    def _draw(self, purpose: str) -> bytes:
        self.counter += 1
        return hashlib.sha256(f"{self.seed}/{purpose}/{self.counter}".encode()).digest()

    def suffix(self, n: int = 5) -> str:
        """``generateName``'s random part: n characters of ALPHANUMS."""
        return "".join(ALPHANUMS[b % len(ALPHANUMS)] for b in self._draw("name")[:n])

    def uid(self) -> str:
        """A version-4-shaped UUID."""
        h = bytearray(self._draw("uid")[:16])
        h[6] = (h[6] & 0x0F) | 0x40
        h[8] = (h[8] & 0x3F) | 0x80
        x = h.hex()
        return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"

    def hex64(self, purpose: str = "id") -> str:
        """A 64-hex-digit id (container ids, exec ids, image digests)."""
        return self._draw(purpose).hex()

    def number(self, purpose: str) -> int:
        return int.from_bytes(self._draw(purpose)[:8], "big")


class PodIPAM:
    """host-local IPAM on one node's /24: the next free address after the last one given.

    kind's CNI hands 10.244.0.1 to the node bridge and starts pods at .2; the first
    pods of a fresh kind cluster are the two coredns replicas (.2, .3) and the
    local-path provisioner (.4), so learners' pods start at .5.
    """

    def __init__(self, cidr: str = "10.244.0.0/24", first: str = "10.244.0.2"):
        self.net = ipaddress.ip_network(cidr)
        self.last = int(ipaddress.ip_address(first)) - 1

    def allocate(self, used: Iterable[str]) -> str:
        taken = set(used)
        lo, hi = int(self.net.network_address) + 2, int(self.net.broadcast_address) - 1
        for step in range(1, hi - lo + 2):
            cand = lo + (self.last - lo + step) % (hi - lo + 1)
            ip = str(ipaddress.ip_address(cand))
            if ip not in taken:
                self.last = cand
                return ip
        raise RuntimeError(f"no free pod IP left in {self.net}")


class ServiceIPAM:
    """ClusterIPs: seeded draws from the upper band of the service CIDR, skipping used ones."""

    def __init__(self, namer: Namer, cidr: str = "10.96.0.0/16"):
        self.namer = namer
        self.net = ipaddress.ip_network(cidr)

    def allocate(self, used: Iterable[str]) -> str:
        taken = set(used)
        base = int(self.net.network_address)
        static_band = 256  # min(max(16, size/16), 256): the lowest /24 of a /16
        size = self.net.num_addresses - static_band - 1  # never the broadcast address
        for _ in range(size):
            ip = str(ipaddress.ip_address(base + static_band + self.namer.number("svc-ip") % size))
            if ip not in taken:
                return ip
        raise RuntimeError(f"no free ClusterIP left in {self.net}")


class NodePortAllocator:
    """NodePorts: seeded draws from 30000-32767."""

    def __init__(self, namer: Namer):
        self.namer = namer

    def allocate(self, used: Iterable[int]) -> int:
        taken = set(used)
        for _ in range(2768):
            port = 30000 + self.namer.number("node-port") % 2768
            if port not in taken:
                return port
        raise RuntimeError("no free NodePort left")

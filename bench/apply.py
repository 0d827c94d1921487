"""Benchmark: `kubectl apply -f` on the embedded cluster against `netpol-kernel validate`,
on one file of 5,000 NetworkPolicies (issue 13: apply must stay within 10x of validate).

    .venv/bin/python bench/apply.py                 # what `make bench` runs (~1 min)
    .venv/bin/python bench/apply.py --policies 800  # another size

Both run in this process on the same file (bench/out/apply/policies.yaml, generated,
seeded): validate is the CLI's `main(["validate", "-f", FILE])`, apply is
`kubectl("kubectl apply -f FILE")` on a fresh EmbeddedCluster (what `%kubectl apply`
does).  Each is run --runs times and the median kept.  Before issue 13, apply copied the
whole cluster state per document: 100 policies 0.24 s, 800 policies 11.6 s, 5,000 over 120 s.
"""
from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from netpol_kernel.cli import main as cli  # noqa: E402
from netpol_kernel.kubectl import kubectl  # noqa: E402
from netpol_kernel.sim.cluster import EmbeddedCluster  # noqa: E402

LIMIT = 10.0  # the bound: apply within 10x of validate


def policies(n: int, seed: int) -> str:
    """n NetworkPolicies of the shapes the book uses (selectors, peers, ports, ipBlocks)."""
    rng = random.Random(seed)
    apps = [f"app{i}" for i in range(50)]
    docs = []
    for i in range(n):
        net = rng.randrange(256)
        peer = rng.choice([
            f"podSelector: {{matchLabels: {{app: {rng.choice(apps)}}}}}",
            f"namespaceSelector: {{matchLabels: {{team: t{rng.randrange(10)}}}}}",
            f"ipBlock: {{cidr: 10.{net}.0.0/16, except: [10.{net}.1.0/24]}}",
        ])
        port = rng.choice([80, 443, 8080, 5432, "http"])
        docs.append(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
            f"metadata: {{name: pol-{i}, labels: {{bench: apply}}}}\n"
            f"spec:\n  podSelector: {{matchLabels: {{app: {rng.choice(apps)}}}}}\n"
            f"  policyTypes: [Ingress]\n  ingress:\n  - from:\n    - {peer}\n"
            f"    ports: [{{protocol: TCP, port: {port}}}]\n")
    return "---\n".join(docs)


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run(n: int, runs: int, seed: int) -> tuple[float, float]:
    out = HERE / "out" / "apply"
    out.mkdir(parents=True, exist_ok=True)
    f = out / "policies.yaml"
    f.write_text(policies(n, seed))

    def validate() -> None:
        sink = io.StringIO()
        assert cli(["validate", "-f", str(f)], sink, sink) == 0, sink.getvalue()[:500]

    def apply() -> None:
        r = kubectl(f"kubectl apply -f {f}", backend=EmbeddedCluster())
        assert r.exit_code == 0 and r.stdout.count("\n") == n, r.stderr[:500]

    return timed(validate, runs), timed(apply, runs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--policies", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3, help="runs of each, median (default 3)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    t_validate, t_apply = run(args.policies, args.runs, args.seed)
    ratio = t_apply / t_validate
    print(f"apply vs validate, {args.policies:,} NetworkPolicies in one file (median of {args.runs}):")
    print(f"  netpol-kernel validate -f   {t_validate:7.2f} s")
    print(f"  kubectl apply -f (sim)      {t_apply:7.2f} s   ({ratio:.1f}x validate; limit {LIMIT:.0f}x)")
    return 0 if ratio <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark `netpol-kernel connectivity` against network-config-analyzer (`nca`).

    .venv/bin/python bench/run.py            # what `make bench` runs (~5-10 min on 2 cores)
    .venv/bin/python bench/run.py --quick    # smoke run: 100 and 200 pods, under a minute
    .venv/bin/python bench/run.py --sizes 100,500,1000 --no-nca

1. Generates a cluster and policies (bench/generate.py, seeded) into bench/out/<size>/.
2. Headline size (default 20 namespaces x 25 pods, 200 policies): runs netpol-kernel once
   untimed (a warm-up, as hyperfine --warmup) then 5 times (median), and nca once; prints
   both wall times and the speed ratio.
3. Compares the two connectivity maps over every ordered pair of distinct pods (exact
   protocol + port sets), groups the disagreements into classes (bench/compare.py) and shows
   one example of each with `netpol-kernel explain`.
4. Scaling table for netpol-kernel (nca only up to --nca-max-pods, it is slow), also written as
   markdown to bench/out/results.md for the README.

nca lives in its own venv, bench/.venv-nca, created on first use from bench/requirements.txt:
it pins exact versions of PyYAML, beautifulsoup4, lxml and networkx that would downgrade the
project's venv. Pass --nca PATH to use another nca binary.
"""
from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare  # noqa: E402
import generate  # noqa: E402

ROOT = HERE.parent
OUT = HERE / "out"
NCA_VENV = HERE / ".venv-nca"
PODS_PER_NS = 25
POLICIES_PER_POD = 0.4


def log(msg: str = "") -> None:
    print(msg, flush=True)


# ------------------------------------------------------------------ tools
def venv_bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def find_ours(override: str | None) -> tuple[list[str] | None, str]:
    """The netpol-kernel command, or None and the reason it cannot run."""
    if override:
        cmd = shlex.split(override)
    else:
        cand = Path(sys.executable).parent / "netpol-kernel"
        exe = str(cand) if cand.exists() else shutil.which("netpol-kernel")
        if not exe:
            return None, "no netpol-kernel executable (run `make install`)"
        cmd = [exe]
    try:
        p = subprocess.run(cmd + ["connectivity", "--help"], capture_output=True, text=True, timeout=60)
    except OSError as e:
        return None, str(e)
    if p.returncode != 0:
        last = (p.stderr or p.stdout).strip().splitlines()[-1:] or ["?"]
        return None, f"`{' '.join(cmd)} connectivity --help` failed: {last[0]}"
    return cmd, ""


def compile_bytecode() -> None:
    """Byte-compile netpol_kernel once, as pip does for nca's (non-editable) install.

    `make install` installs this package in editable mode, which writes no
    bytecode, and where PYTHONDONTWRITEBYTECODE is set (it is on these machines)
    Python never caches it either: every timed run would recompile every module.
    """
    import compileall
    compileall.compile_dir(str(ROOT / "netpol_kernel"), quiet=1)


def ensure_nca(override: str | None, install: bool) -> tuple[list[str] | None, str]:
    """The nca command; creates bench/.venv-nca from bench/requirements.txt when missing."""
    if override:
        return [override], ""
    nca = venv_bin(NCA_VENV, "nca")
    if not nca.exists() and install:
        log(f"nca not found: creating {NCA_VENV.relative_to(ROOT)} from bench/requirements.txt (one-time) ...")
        try:
            subprocess.run([sys.executable, "-m", "venv", str(NCA_VENV)], check=True)
            subprocess.run([str(venv_bin(NCA_VENV, "python")), "-m", "pip", "install", "--quiet",
                            "--disable-pip-version-check", "-r", str(HERE / "requirements.txt")], check=True)
        except (subprocess.CalledProcessError, OSError) as e:
            return None, f"could not install network-config-analyzer: {e}"
    if not nca.exists():
        return None, f"{nca} missing (pip install -r bench/requirements.txt into {NCA_VENV})"
    return [str(nca)], ""


def nca_version(nca: list[str]) -> str:
    try:
        p = subprocess.run(nca + ["--version"], capture_output=True, text=True, timeout=60)
        return (p.stdout + p.stderr).strip().splitlines()[0].replace("NCA version ", "")
    except Exception:  # noqa: BLE001 - informational only
        return "?"


# ------------------------------------------------------------------ runs
@dataclass
class Timing:
    times: list[float] = field(default_factory=list)
    timeout: float | None = None  # set when a run hit the timeout
    error: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    def text(self) -> str:
        if self.error:
            return f"failed ({self.error})"
        if self.timeout is not None:
            return f"> {self.timeout:.0f} s (timeout)"
        if not self.times:
            return "-"
        m = self.median
        if len(self.times) == 1:
            return f"{m:.2f} s"
        return f"{m:.2f} s (median of {len(self.times)}: {', '.join(f'{t:.2f}' for t in self.times)})"

    def short(self) -> str:
        if self.error:
            return "failed"
        if self.timeout is not None:
            return f"> {self.timeout:.0f} s"
        return "-" if not self.times else f"{self.median:.2f} s"


def timed(cmd: list[str], cwd: Path, stdout_path: Path | None, runs: int, timeout: float,
          label: str, quiet: bool = False) -> Timing:
    """Run cmd `runs` times, wall-clock each with perf_counter; stdout to a file or /dev/null."""
    t = Timing()
    for i in range(runs):
        out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
        err_path = cwd / f"{label}.stderr"
        try:
            with open(err_path, "wb") as err:
                start = time.perf_counter()
                p = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=err, timeout=timeout)
                elapsed = time.perf_counter() - start
        except subprocess.TimeoutExpired:
            t.timeout = timeout
            return t
        finally:
            if stdout_path:
                out.close()
        if p.returncode != 0:
            tail = err_path.read_text(errors="replace").strip().splitlines()[-1:] or [f"exit {p.returncode}"]
            t.error = f"exit {p.returncode}: {tail[0][:200]}"
            return t
        t.times.append(elapsed)
        if not quiet:
            log(f"    {label} run {i + 1}/{runs}: {elapsed:.2f} s")
    return t


def ours_cmd(ours: list[str]) -> list[str]:
    return ours + ["connectivity", "-f", "cluster.yaml", "-f", "policies.yaml", "-o", "json"]


def nca_cmd(nca: list[str]) -> list[str]:
    return nca + ["--connectivity", "policies.yaml", "--resource_list", "cluster.yaml",
                  "--output_format", "txt_no_fw_rules"]


@dataclass
class Size:
    namespaces: int
    pods_per_ns: int
    policies: int

    @property
    def pods(self) -> int:
        return self.namespaces * self.pods_per_ns

    @property
    def name(self) -> str:
        return f"{self.namespaces}x{self.pods_per_ns}-{self.policies}"

    def text(self) -> str:
        return (f"{self.namespaces} namespaces x {self.pods_per_ns} pods = {self.pods} pods, "
                f"{self.policies} NetworkPolicies")


def size_for(pods: int) -> Size:
    ns = max(1, round(pods / PODS_PER_NS))
    ppn = max(1, round(pods / ns))
    return Size(ns, ppn, max(1, round(POLICIES_PER_POD * ns * ppn)))


def prepare(size: Size, seed: int) -> tuple[Path, list[dict], list[dict]]:
    d = OUT / size.name
    cluster, policies = generate.generate(size.namespaces, size.pods_per_ns, size.policies, seed)
    generate.write(d, cluster, policies)
    # Let the kernel write the fresh inputs out now, not during the first timed runs.
    if hasattr(os, "sync"):
        os.sync()
    return d, cluster, policies


# ------------------------------------------------------------------ report helpers
def fmt_time(t: float | None) -> str:
    return "-" if t is None else f"{t:.2f} s"


def explain(ours: list[str], d: Path, dis: compare.Disagreement, max_lines: int) -> str:
    if dis.port is None:
        return "(no differing port)"
    proto, port = dis.port
    cmd = ours + ["explain", "-f", "cluster.yaml", "-f", "policies.yaml", "--from", dis.src, "--to", dis.dst,
                  "--port", str(port), "--protocol", proto]
    try:
        p = subprocess.run(cmd, cwd=d, capture_output=True, text=True, timeout=120)
        text = (p.stdout + (p.stderr if p.returncode else "")).rstrip()
    except (OSError, subprocess.TimeoutExpired) as e:
        text = f"(explain failed: {e})"
    lines = text.splitlines()
    if len(lines) > max_lines:
        lines = lines[:max_lines] + [f"... ({len(lines) - max_lines} more lines)"]
    shown = " ".join(shlex.quote(c) for c in ["netpol-kernel"] + cmd[len(ours):])
    return "$ " + shown + "\n" + "\n".join(lines)


def rule_yaml(policies: list[dict], rule_name: str) -> str:
    """'ns/name ingress[1]' -> the YAML of that rule, for showing what decides a pair."""
    import yaml

    pol, _, where = rule_name.partition(" ")
    ns, _, name = pol.partition("/")
    direction, _, idx = where.partition("[")
    for doc in policies:
        if doc["metadata"]["namespace"] == ns and doc["metadata"]["name"] == name:
            rule = doc["spec"][direction][int(idx.rstrip("]"))]
            body = yaml.safe_dump(rule, sort_keys=False, default_flow_style=None, width=100).rstrip()
            return f"# {pol} spec.{direction}[{idx}\n" + body
    return f"# {rule_name}: not found"


# ------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--quick", action="store_true", help="smoke run: headline at 100 pods, sizes 100,200")
    ap.add_argument("--sizes", help="comma-separated pod counts for the scaling table "
                                    "(default 100,500,1000,2000,5000)")
    ap.add_argument("--namespaces", type=int, default=20, help="headline namespaces (default 20)")
    ap.add_argument("--pods-per-ns", type=int, default=25, help="headline pods per namespace (default 25)")
    ap.add_argument("--policies", type=int, default=200, help="headline policies (default 200)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ours-runs", type=int, default=5, help="netpol-kernel runs per size, median (default 5)")
    ap.add_argument("--nca-runs", type=int, default=1, help="nca runs per size, median (default 1)")
    ap.add_argument("--nca-max-pods", type=int, default=500, help="run nca up to this many pods (default 500)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per single run (default 300)")
    ap.add_argument("--no-nca", action="store_true", help="skip nca entirely")
    ap.add_argument("--nca-default-format", action=argparse.BooleanOptionalAction, default=None,
                    help="also time nca's default output (minimized firewall rules, slower) at the headline "
                         "size (default: on, off with --quick)")
    ap.add_argument("--no-install", action="store_true", help="do not create bench/.venv-nca")
    ap.add_argument("--nca", help="path of an nca executable to use instead of bench/.venv-nca")
    ap.add_argument("--ours-cmd", help="command to use instead of netpol-kernel (e.g. for testing)")
    ap.add_argument("--examples-lines", type=int, default=25, help="lines of explain output per class")
    args = ap.parse_args(argv)

    if args.nca_default_format is None:
        args.nca_default_format = not args.quick
    if args.quick:
        head = Size(4, 25, 40)
        pods_list = [100, 200]
    else:
        head = Size(args.namespaces, args.pods_per_ns, args.policies)
        pods_list = [100, 500, 1000, 2000, 5000]
    if args.sizes:
        pods_list = [int(x) for x in args.sizes.split(",") if x.strip()]
    t_start = time.perf_counter()

    ours, ours_why = find_ours(args.ours_cmd)
    if ours and not args.ours_cmd:
        compile_bytecode()
    nca, nca_why = (None, "--no-nca") if args.no_nca else ensure_nca(args.nca, not args.no_install)
    ver = nca_version(nca) if nca else "-"
    log("# netpol-kernel vs network-config-analyzer")
    log(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"nca {ver}; seed {args.seed}")
    if not ours:
        log(f"!! netpol-kernel not runnable: {ours_why}")
    if not nca:
        log(f"!! nca not runnable: {nca_why}")
    if not ours and not nca:
        return 1

    # ---------------------------------------------------------- headline
    log(f"\n## Headline: {head.text()}")
    d, cluster, policies = prepare(head, args.seed)
    log(f"inputs: {d.relative_to(ROOT)}/cluster.yaml, policies.yaml")
    t_ours = t_nca = Timing()
    if ours:
        log(f"  running: netpol-kernel connectivity -f cluster.yaml -f policies.yaml -o json  "
            f"(1 untimed warm-up, then x{args.ours_runs})")
        timed(ours_cmd(ours), d, d / "ours.json", 1, args.timeout, "netpol-kernel-warmup", quiet=True)
        t_ours = timed(ours_cmd(ours), d, d / "ours.json", args.ours_runs, args.timeout, "netpol-kernel")
    if nca:
        log("  running: nca --connectivity policies.yaml --resource_list cluster.yaml "
            f"--output_format txt_no_fw_rules  (x{args.nca_runs})")
        t_nca = timed(nca_cmd(nca), d, d / "nca.txt", args.nca_runs, args.timeout, "nca")
    t_nca_fw = None
    if nca and args.nca_default_format:
        log("  running: nca --connectivity policies.yaml --resource_list cluster.yaml  "
            "(its default output: minimized firewall rules; x1)")
        t_nca_fw = timed(nca_cmd(nca)[:-2], d, d / "nca-fw-rules.txt", 1, args.timeout, "nca-default")
    log("")
    log(f"netpol-kernel connectivity -o json          : {t_ours.text() if ours else 'not run'}")
    log(f"nca --output_format txt_no_fw_rules        : {t_nca.text() if nca else 'not run'}")
    if t_nca_fw is not None:
        log(f"nca, default output (firewall rules)       : {t_nca_fw.text()}")
    ratio = None
    if t_ours.median and t_nca.median:
        ratio = t_nca.median / t_ours.median
        log(f"=> netpol-kernel is {ratio:.1f}x faster than nca on {head.pods} pods / {head.policies} policies")
    elif t_ours.median and t_nca.timeout:
        log(f"=> netpol-kernel is more than {t_nca.timeout / t_ours.median:.0f}x faster (nca timed out)")

    agreement = None
    if t_ours.median and t_nca.median:
        try:
            agreement = report_agreement(ours, d, cluster, policies, args.examples_lines)
        except (ValueError, KeyError, TypeError) as e:  # an output format we do not understand
            log(f"!! could not compare the outputs ({type(e).__name__}: {e}); "
                f"see {d.relative_to(ROOT)}/ours.json and nca.txt")

    # ---------------------------------------------------------- scaling
    log("\n## Scaling")
    rows = []
    for pods in pods_list:
        size = size_for(pods)
        if size == head and (t_ours.times or t_ours.timeout or t_ours.error):
            rows.append((size, t_ours, t_nca if size.pods <= args.nca_max_pods else None))
            log(f"  {size.text()}: same as the headline, reusing its timings")
            continue
        dd, _, _ = prepare(size, args.seed)
        log(f"  {size.text()}  [{dd.relative_to(ROOT)}]")
        to = Timing()
        if ours:
            to = timed(ours_cmd(ours), dd, None, 1, args.timeout, "netpol-kernel")
            # a slow first run is enough; fast ones get the full median
            if to.times and args.ours_runs > 1 and to.times[0] * (args.ours_runs - 1) < 60:
                more = timed(ours_cmd(ours), dd, None, args.ours_runs - 1, args.timeout, "netpol-kernel")
                to.times += more.times
                to.timeout, to.error = more.timeout, more.error
        tn = None
        if nca and size.pods <= args.nca_max_pods:
            tn = timed(nca_cmd(nca), dd, None, args.nca_runs, args.timeout, "nca")
        rows.append((size, to, tn))

    md = markdown(head, t_ours, t_nca, t_nca_fw, ratio, agreement, rows, ver, args)
    OUT.mkdir(exist_ok=True)
    (OUT / "results.md").write_text(md)
    log("\n## Markdown for the README (also in bench/out/results.md)\n")
    log(md)
    log(f"total bench time: {time.perf_counter() - t_start:.0f} s")
    return 0


def report_agreement(ours: list[str], d: Path, cluster: list[dict], policies: list[dict],
                     max_lines: int) -> dict:
    log("\n## Agreement, pair by pair (exact TCP/UDP/SCTP port sets)")
    pods = list(compare.iter_pod_keys(cluster))
    ours_map = compare.parse_ours_json((d / "ours.json").read_text())
    nca_map, st = compare.parse_nca_txt((d / "nca.txt").read_text(errors="replace"))
    cmp = compare.compare(pods, ours_map, nca_map)
    pct = 100.0 * cmp.agree / cmp.total if cmp.total else 100.0
    log(f"ordered pod pairs compared : {cmp.total:,}")
    log(f"pairs with some connection : netpol-kernel {cmp.allowed_ours:,}, nca {cmp.allowed_nca:,}")
    log(f"agreeing pairs             : {cmp.agree:,} ({pct:.2f} %)")
    log(f"disagreeing pairs          : {len(cmp.disagreements):,}")
    if cmp.missing_in_ours:
        log(f"!! pairs missing from netpol-kernel's JSON: {cmp.missing_in_ours:,} (compared as no connection)")
    ref = compare.Reference(cluster, policies)
    ref_agree = sum(1 for (s, dd), c in ours_map.items()
                    if s in ref.pods and dd in ref.pods and ref.connection(s, dd) == c)
    log(f"netpol-kernel vs the reference evaluator in bench/compare.py: {ref_agree:,} of {len(ours_map):,} "
        "pairs agree")
    classes = compare.group(compare.classify(ref, s, dd, o, n) for s, dd, o, n in cmp.disagreements)
    result = {"total": cmp.total, "agree": cmp.agree, "classes": {k: len(v) for k, v in classes.items()},
              "ref_agree": ref_agree, "ours_pairs": len(ours_map)}
    for i, (cls, items) in enumerate(classes.items(), 1):
        ex = compare.simplest(items)
        log(f"\n### class {i}: {cls} -- {len(items):,} pairs")
        log(f"example: {ex.src} -> {ex.dst}")
        log(f"  netpol-kernel: {compare.fmt_conn(ex.ours)}")
        log(f"  nca          : {compare.fmt_conn(ex.nca)}")
        if ex.reference is not None:
            log(f"  reference    : {compare.fmt_conn(ex.reference)}")
        log(f"  why: {ex.detail}")
        for r in (ex.culprits or ex.rules)[:2]:
            log(textwrap.indent(rule_yaml(policies, r), "    "))
        log(textwrap.indent(explain(ours, d, ex, max_lines), "  "))
    return result


def markdown(head: Size, t_ours: Timing, t_nca: Timing, t_nca_fw: Timing | None, ratio: float | None,
             agreement: dict | None, rows: list, ver: str, args) -> str:
    out = []
    out.append(f"Benchmark: `netpol-kernel connectivity -o json` vs network-config-analyzer {ver} "
               "(`nca --connectivity --output_format txt_no_fw_rules`), wall time, "
               f"{os.cpu_count()} cores, generated by `make bench` (bench/generate.py, seed {args.seed}).")
    out.append("")
    out.append("| cluster | netpol-kernel | nca | speed-up |")
    out.append("|---|---:|---:|---:|")
    out.append(f"| {head.pods} pods, {head.namespaces} namespaces, {head.policies} policies | "
               f"{t_ours.short()} | {t_nca.short()} | {f'{ratio:.0f}x' if ratio else '-'} |")
    if t_nca_fw is not None and t_nca_fw.median and t_ours.median:
        out.append("")
        out.append(f"nca's default output (minimized firewall rules instead of the pair list) takes "
                   f"{t_nca_fw.short()} on the same cluster ({t_nca_fw.median / t_ours.median:.0f}x).")
    if agreement:
        out.append("")
        pct = 100.0 * agreement["agree"] / agreement["total"] if agreement["total"] else 100.0
        out.append(f"Pair-by-pair agreement on that cluster: {agreement['agree']:,} of {agreement['total']:,} "
                   f"ordered pod pairs ({pct:.2f} %) have identical TCP/UDP/SCTP port sets.")
        if agreement["classes"]:
            out.append("")
            out.append("| disagreement class | pairs |")
            out.append("|---|---:|")
            for cls, n in agreement["classes"].items():
                out.append(f"| {cls} | {n:,} |")
    out.append("")
    out.append("| pods | namespaces | policies | netpol-kernel | nca | speed-up |")
    out.append("|---:|---:|---:|---:|---:|---:|")
    for size, to, tn in rows:
        sp = "-"
        if tn is not None and tn.median and to.median:
            sp = f"{tn.median / to.median:.0f}x"
        elif tn is not None and tn.timeout and to.median:
            sp = f"> {tn.timeout / to.median:.0f}x"
        out.append(f"| {size.pods:,} | {size.namespaces} | {size.policies:,} | {to.short()} | "
                   f"{tn.short() if tn is not None else 'not run'} | {sp} |")
    out.append("")
    out.append(f"Wall time of one process run (netpol-kernel: median of up to {args.ours_runs} runs; "
               f"nca: {args.nca_runs} run{'s' if args.nca_runs > 1 else ''}, only up to {args.nca_max_pods} pods). "
               "Policies scale at 0.4 per pod; output goes to a file for the first table and to /dev/null "
               "for the scaling rows.")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())

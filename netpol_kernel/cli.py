"""``netpol-kernel``: validate manifests and analyse connectivity offline.

    netpol-kernel validate -f FILE...
    netpol-kernel matrix -f FILE... --port PORT [--protocol TCP|UDP|SCTP] [-o text|json]
    netpol-kernel connectivity -f FILE... [-o text|json]
    netpol-kernel explain -f FILE... --from NS/POD --to NS/POD|NS/SERVICE --port PORT [--protocol P]

Invalid input prints one line per error and exits 1; never a traceback.  What the
analysis leaves out (other kinds, an object given twice) is said in ``note:`` lines
on stderr.
"""
from __future__ import annotations

import argparse
import gc
import json
import operator
import sys

from typing import Iterable, Optional, Sequence, TextIO

from .errors import ManifestError, NetpolError
from .policy.world import World

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="netpol-kernel",
                                description="Kubernetes NetworkPolicy validation and connectivity analysis.")
    sub = p.add_subparsers(dest="command", required=True)

    def files(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("-f", "--filename", dest="files", action="append", required=True,
                        metavar="FILE", help="manifest file or directory (repeatable)")

    v = sub.add_parser("validate", help="check manifests as the API server would")
    files(v)
    m = sub.add_parser("matrix", help="pod-to-pod reachability on one port")
    files(m)
    m.add_argument("--port", required=True, help="port number or container port name")
    m.add_argument("--protocol", default="TCP", choices=["TCP", "UDP", "SCTP"])
    m.add_argument("-o", "--output", default="text", choices=["text", "json"])
    c = sub.add_parser("connectivity", help="allowed ports for every ordered pair of pods")
    files(c)
    c.add_argument("-o", "--output", default="text", choices=["text", "json"])
    e = sub.add_parser("explain", help="the verdict for one connection, and why")
    files(e)
    e.add_argument("--from", dest="src", required=True, metavar="NS/POD")
    e.add_argument("--to", dest="dst", required=True, metavar="NS/POD|NS/SERVICE")
    e.add_argument("--port", help="port number or container port name (not with --protocol ICMP)")
    e.add_argument("--protocol", default="TCP", choices=["TCP", "UDP", "SCTP", "ICMP"])
    return p


def _port(text: str):
    return int(text) if text.isdigit() else text


def _check_port(text: str) -> None:
    """A port number or an IANA port name, as a NetworkPolicy port must be (the API server's words)."""
    from .api.validation.names import is_port_name, port_num_errors
    port = _port(text)
    msgs = port_num_errors(port) if isinstance(port, int) else is_port_name(port)
    if msgs:
        shown = port if isinstance(port, int) else json.dumps(port)
        raise NetpolError(f"error: --port: Invalid value: {shown}: {msgs[0]}")


def _cells(names: list[str], texts: Sequence[str], row: Sequence[int], skip: int) -> list[str]:
    """``names[j] + texts[row[j]]`` for every column ``j`` but ``skip`` (with map: no Python
    loop per pair)."""
    cells = list(map(operator.add, names, map(texts.__getitem__, row)))
    del cells[skip]
    return cells


class _JsonRows:
    """The body of one JSON object per row: ``"name": value`` cells joined by ", ".

    The cells go into one reusable list by slice assignment and are joined once,
    so a 500 x 500 table builds no string per pair.
    """

    def __init__(self, names: Sequence[str]):
        self.parts = [""] * (2 * len(names))
        self.parts[0::2] = [", " + json.dumps(k) + ": " for k in names]

    def body(self, values: Iterable[str], skip: Optional[int] = None) -> str:
        parts = self.parts
        parts[1::2] = values
        if skip is None:
            return "".join(parts)[2:]
        kept = parts[2 * skip], parts[2 * skip + 1]
        parts[2 * skip] = parts[2 * skip + 1] = ""  # the pod itself: not a pair
        try:
            return "".join(parts)[2:]
        finally:
            parts[2 * skip], parts[2 * skip + 1] = kept


def _matrix(world: World, args, out: TextIO) -> int:
    eng = world.engine()
    allowed = eng.matrix_allowed(_port(args.port), args.protocol)
    keys = [p.key for p in world.pods]
    if args.output == "json":
        # One line per source; json.dump with an indent would encode in pure Python.
        out.write(f'{{"port": {json.dumps(_port(args.port))}, "protocol": {json.dumps(args.protocol)},\n'
                  f' "pods": {json.dumps(keys)},\n "allowed": {{')
        rows = _JsonRows(keys)
        for i, row in enumerate(allowed):
            out.write(("," if i else "") + f"\n  {json.dumps(keys[i])}: {{" + rows.body(map(("false", "true").__getitem__, row))
                      + "}")
        out.write("\n}}\n")
    else:
        from .notebook.matrix import Cell, Matrix  # the text table; JSON does not need it
        cells = tuple(tuple(Cell(x) for x in row) for row in allowed)
        out.write(Matrix(tuple(keys), tuple(keys), cells, title=f"{args.protocol}/{args.port}").to_text() + "\n")
    return 0


def _connectivity(world: World, args, out: TextIO) -> int:
    conn = world.engine().connectivity()
    # Format each distinct outcome and each name once; a pair only joins two strings.
    if args.output == "json":
        texts = [json.dumps(ps.to_json(), separators=(", ", ": ")) for ps in conn.combos]
        rows = _JsonRows(conn.pods)
        out.write('{"connections": {')
        for i, src in enumerate(conn.pods):  # every ordered pair of *distinct* pods: skip i -> i
            body = rows.body(map(texts.__getitem__, conn.rows[i]), skip=i)
            out.write(("," if i else "") + f"\n {json.dumps(src)}: {{" + body + "}")
        out.write("\n}}\n")
    else:
        texts = [str(ps) for ps in conn.combos]
        dsts = [f"{p} : " for p in conn.pods]
        for i, s in enumerate(conn.pods):
            entries = _cells(dsts, texts, conn.rows[i], i)
            if entries:
                head = f"{s} => "
                out.write(head + ("\n" + head).join(entries) + "\n")
    return 0


def _explain(world: World, args, out: TextIO) -> int:
    eng = world.engine()
    dst = args.dst
    if args.protocol == "ICMP":  # ping: no port, judged as kind's enforcer judges it
        out.write(eng.evaluate(args.src, dst, 0, "ICMP").explain() + "\n")
        return 0
    if args.port is None:
        raise NetpolError("error: --port is required (except with --protocol ICMP)")
    port = _port(args.port)
    pod_keys = {p.key for p in world.pods}
    svc_keys = {s.key for s in world.services}
    if dst not in pod_keys and dst in svc_keys:
        out.write(eng.evaluate_service(args.src, dst, port, args.protocol).explain() + "\n")
    else:
        out.write(eng.evaluate(args.src, dst, port, args.protocol).explain() + "\n")
    return 0


def main(argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    args = _parser().parse_args(argv)
    try:
        if getattr(args, "port", None) is not None:
            _check_port(args.port)
        world = World.from_paths(args.files)
        for note in world.notes:
            err.write(f"note: {note}\n")
        if args.command == "validate":
            out.write(f"{world.documents} objects valid\n")
            return 0
        return {"matrix": _matrix, "connectivity": _connectivity, "explain": _explain}[args.command](
            world, args, out)
    except ManifestError as e:
        for line in e.lines():
            err.write(line + "\n")
        return 1
    except (NetpolError, OSError) as e:
        msg = str(e)
        err.write((msg if msg.startswith(("error:", "Error from server")) else f"error: {msg}") + "\n")
        return 1
    except BrokenPipeError:  # e.g. piped into head
        return 0


def run() -> None:
    """The ``netpol-kernel`` command (and ``python -m netpol_kernel``)."""
    # One short-lived process building large acyclic trees (documents, pod sets,
    # rows): the cyclic garbage collector would only rescan them, about 3 % of a run.
    gc.disable()
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()

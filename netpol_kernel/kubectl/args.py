"""kubectl's command line, before any backend is involved: verb, flags, usage errors.

:func:`split_verb` finds the verb past the global flags; :func:`parse_flags`
parses the rest as pflag does (interspersed flags, ``--flag=value``, grouped
shorthands, ``--``) against the flag tables of each supported verb, which also
list the flags kubectl knows but this subset does not (``supported=False``);
:func:`unknown_command` words cobra's "unknown command" with its suggestions.
:class:`Exit`, the exception that stops a command with kubectl's error text,
lives here because parsing raises it first; :mod:`netpol_kernel.kubectl` raises
it too, and :func:`netpol_kernel.kubectl.kubectl` prints its message as is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence


class Exit(Exception):
    """Stop the command: ``message`` goes to stderr as is, with ``code``."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.message = message if not message or message.endswith("\n") else message + "\n"
        self.code = code


# ---------------------------------------------------------------- flags

@dataclass(frozen=True)
class _Flag:
    name: str
    short: str = ""
    value: bool = False            # takes an argument
    supported: bool = True         # False: kubectl knows it, this subset does not
    many: bool = False             # repeatable (-f a -f b)


GLOBAL_FLAGS = [
    _Flag("namespace", "n", value=True),
    *[_Flag(n, value=True, supported=False) for n in
      ("context", "kubeconfig", "cluster", "user", "token", "as", "request-timeout", "server")],
    _Flag("s", "s", value=True, supported=False),
    _Flag("v", "v", value=True, supported=False),
    _Flag("insecure-skip-tls-verify", supported=False),
    _Flag("help", "h"),
]

VERB_FLAGS: dict[str, list[_Flag]] = {
    "get": [_Flag("output", "o", value=True), _Flag("selector", "l", value=True),
            _Flag("all-namespaces", "A"), _Flag("show-labels"), _Flag("no-headers"),
            _Flag("ignore-not-found"), _Flag("show-kind"), _Flag("chunk-size", value=True),
            _Flag("watch", "w", supported=False), _Flag("watch-only", supported=False),
            _Flag("sort-by", value=True),
            _Flag("field-selector", value=True),
            _Flag("label-columns", "L", value=True, many=True),
            _Flag("filename", "f", value=True, supported=False)],
    "describe": [_Flag("selector", "l", value=True), _Flag("all-namespaces", "A"),
                 _Flag("show-events"), _Flag("filename", "f", value=True, supported=False)],
    "apply": [_Flag("filename", "f", value=True, many=True), _Flag("validate", value=True),
              _Flag("recursive", "R", supported=False), _Flag("dry-run", value=True, supported=False),
              _Flag("server-side", supported=False), _Flag("force", supported=False),
              _Flag("prune", supported=False), _Flag("kustomize", "k", value=True, supported=False),
              _Flag("output", "o", value=True, supported=False)],
    "create": [_Flag("filename", "f", value=True, many=True), _Flag("dry-run", value=True),
               _Flag("output", "o", value=True), _Flag("image", value=True, many=True),
               _Flag("replicas", "r", value=True), _Flag("port", value=True),
               _Flag("tcp", value=True, many=True), _Flag("node-port", value=True),
               _Flag("from-literal", value=True, many=True), _Flag("type", value=True),
               _Flag("save-config", supported=False), _Flag("edit", supported=False),
               _Flag("from-file", value=True, many=True, supported=False),
               _Flag("from-env-file", value=True, many=True, supported=False),
               _Flag("append-hash", supported=False)],
    "delete": [_Flag("filename", "f", value=True, many=True), _Flag("selector", "l", value=True),
               _Flag("all"), _Flag("ignore-not-found"), _Flag("wait"), _Flag("now"),
               _Flag("force"), _Flag("grace-period", value=True),
               _Flag("all-namespaces", "A", supported=False),
               _Flag("dry-run", value=True, supported=False)],
    "label": [_Flag("overwrite"), _Flag("all"), _Flag("selector", "l", value=True),
              _Flag("list"), _Flag("all-namespaces", "A"), _Flag("output", "o", value=True),
              _Flag("dry-run", value=True, supported=False),
              _Flag("resource-version", value=True, supported=False),
              _Flag("filename", "f", value=True, supported=False)],
    "annotate": [_Flag("overwrite"), _Flag("all"), _Flag("selector", "l", value=True),
                 _Flag("list"), _Flag("all-namespaces", "A"), _Flag("output", "o", value=True),
                 _Flag("dry-run", value=True, supported=False),
                 _Flag("resource-version", value=True, supported=False),
                 _Flag("filename", "f", value=True, supported=False)],
    "run": [_Flag("image", value=True), _Flag("labels", "l", value=True), _Flag("port", value=True),
            _Flag("expose"), _Flag("env", value=True, many=True), _Flag("command"),
            _Flag("restart", value=True), _Flag("rm"), _Flag("stdin", "i"), _Flag("tty", "t"),
            _Flag("attach"), _Flag("quiet", "q"), _Flag("dry-run", value=True),
            _Flag("output", "o", value=True), _Flag("annotations", value=True, many=True),
            _Flag("image-pull-policy", value=True), _Flag("privileged"),
            _Flag("pod-running-timeout", value=True),
            _Flag("leave-stdin-open", supported=False), _Flag("overrides", value=True, supported=False),
            _Flag("filename", "f", value=True, supported=False)],
    "expose": [_Flag("port", value=True), _Flag("target-port", value=True), _Flag("type", value=True),
               _Flag("name", value=True), _Flag("protocol", value=True), _Flag("selector", value=True),
               _Flag("labels", "l", value=True), _Flag("cluster-ip", value=True),
               _Flag("dry-run", value=True), _Flag("output", "o", value=True),
               _Flag("session-affinity", value=True), _Flag("external-ip", value=True, supported=False),
               _Flag("load-balancer-ip", value=True, supported=False),
               _Flag("overrides", value=True, supported=False),
               _Flag("filename", "f", value=True, supported=False)],
    "scale": [_Flag("replicas", value=True), _Flag("selector", "l", value=True), _Flag("all"),
              _Flag("output", "o", value=True), _Flag("current-replicas", value=True, supported=False),
              _Flag("resource-version", value=True, supported=False), _Flag("timeout", value=True),
              _Flag("filename", "f", value=True, supported=False)],
    "logs": [_Flag("container", "c", value=True), _Flag("follow", "f"), _Flag("tail", value=True),
             _Flag("previous", "p"), _Flag("all-containers"), _Flag("selector", "l", value=True),
             _Flag("prefix"), _Flag("timestamps", supported=False), _Flag("since", value=True, supported=False),
             _Flag("since-time", value=True, supported=False), _Flag("limit-bytes", value=True, supported=False),
             _Flag("pod-running-timeout", value=True), _Flag("ignore-errors"), _Flag("max-log-requests", value=True)],
    "wait": [_Flag("for", value=True), _Flag("timeout", value=True), _Flag("all"),
             _Flag("selector", "l", value=True), _Flag("all-namespaces", "A"),
             _Flag("output", "o", value=True, supported=False),
             _Flag("field-selector", value=True, supported=False),
             _Flag("filename", "f", value=True, supported=False)],
    "rollout": [_Flag("timeout", value=True), _Flag("watch", "w", value=False), _Flag("revision", value=True),
                _Flag("selector", "l", value=True), _Flag("output", "o", value=True, supported=False),
                _Flag("filename", "f", value=True, supported=False)],
    "api-resources": [_Flag("namespaced", value=True), _Flag("output", "o", value=True),
                      _Flag("api-group", value=True), _Flag("no-headers"), _Flag("verbs", value=True),
                      _Flag("sort-by", value=True), _Flag("cached", supported=False),
                      _Flag("categories", value=True, supported=False)],
    "api-versions": [],
    "version": [_Flag("client"), _Flag("output", "o", value=True)],
    "cluster-info": [],
    "config": [],
    "explain": [_Flag("recursive"), _Flag("api-version", value=True),
                _Flag("output", "o", value=True, supported=False)],
    "exec": [_Flag("stdin", "i"), _Flag("tty", "t"), _Flag("container", "c", value=True),
             _Flag("quiet", "q"), _Flag("pod-running-timeout", value=True),
             _Flag("filename", "f", value=True, supported=False)],
    "debug": [_Flag("stdin", "i"), _Flag("tty", "t"), _Flag("quiet", "q"),
              _Flag("image", value=True), _Flag("target", value=True),
              _Flag("container", "c", value=True), _Flag("profile", value=True),
              _Flag("attach"), _Flag("copy-to", value=True, supported=False),
              _Flag("share-processes", supported=False)],
}

#: kubectl's top-level commands (v1.30), for "unknown command" and its suggestions.
KUBECTL_COMMANDS = (
    "annotate", "api-resources", "api-versions", "apply", "attach", "auth", "autoscale",
    "certificate", "cluster-info", "completion", "config", "cordon", "cp", "create", "debug",
    "delete", "describe", "diff", "drain", "edit", "events", "exec", "explain", "expose", "get",
    "kustomize", "label", "logs", "options", "patch", "plugin", "port-forward", "proxy",
    "replace", "rollout", "run", "scale", "set", "taint", "top", "uncordon", "version", "wait")


#: ``kubectl create`` generators outside the subset (``create namespace`` is in it).
CREATE_SUBCOMMANDS = (
    "clusterrole", "clusterrolebinding", "configmap", "cm", "cronjob", "cj", "deployment", "deploy",
    "ingress", "ing", "job", "poddisruptionbudget", "pdb", "priorityclass", "pc", "quota", "role",
    "rolebinding", "secret", "service", "svc", "serviceaccount", "sa", "token")


#: cobra's SuggestFor of kubectl's commands (``kubectl list`` -> get).
_SUGGEST_FOR = {"get": ("list", "ps")}


@dataclass
class Args:
    positional: list[str] = field(default_factory=list)
    after_dash: Optional[list[str]] = None  # everything after "--", when present
    values: dict[str, list[str]] = field(default_factory=dict)


def parse_flags(verb: str, tokens: Sequence[str]) -> Args:
    """pflag's interspersed parsing; raises Exit with kubectl's usage error."""
    specs = GLOBAL_FLAGS + VERB_FLAGS.get(verb, [])
    by_long = {f.name: f for f in specs}
    by_short = {f.short: f for f in specs if f.short}
    args = Args()
    i = 0

    def usage(msg: str) -> Exit:
        return Exit(f"error: {msg}\nSee 'kubectl {verb} --help' for usage.")

    def record(flag: _Flag, value: str) -> None:
        args.values.setdefault(flag.name, []).append(value)

    while i < len(tokens):
        tok = tokens[i]
        if tok == "--":
            args.after_dash = list(tokens[i + 1:])
            break
        if tok.startswith("--") and len(tok) > 2:
            name, eq, value = tok[2:].partition("=")
            flag = by_long.get(name)
            if flag is None:
                raise usage(f"unknown flag: --{name}")
            if flag.value and not eq:
                if i + 1 >= len(tokens):
                    raise usage(f"flag needs an argument: --{name}")
                i += 1
                value = tokens[i]
            elif not flag.value:
                value = _bool(value, f"--{name}", usage) if eq else "true"
            record(flag, value)
        elif tok.startswith("-") and len(tok) > 1:
            shorts, j = tok[1:], 0
            while j < len(shorts):
                flag = by_short.get(shorts[j])
                if flag is None:
                    raise usage(f"unknown shorthand flag: '{shorts[j]}' in {tok}")
                rest = shorts[j + 1:]
                if flag.value:
                    if rest:
                        value = rest[1:] if rest.startswith("=") else rest
                    elif i + 1 < len(tokens):
                        i += 1
                        value = tokens[i]
                    else:
                        raise usage(f"flag needs an argument: '{shorts[j]}' in {tok}")
                    record(flag, value)
                    break
                if rest.startswith("="):
                    record(flag, _bool(rest[1:], f"-{shorts[j]}", usage))
                    break
                record(flag, "true")
                j += 1
        else:
            args.positional.append(tok)
        i += 1
    return args


def _bool(text: str, name: str, usage: Callable[[str], Exit]) -> str:
    low = text.lower()
    if low in ("1", "t", "true"):
        return "true"
    if low in ("0", "f", "false"):
        return "false"
    raise usage(f'invalid argument "{text}" for "{name}" flag: strconv.ParseBool: '
                f'parsing "{text}": invalid syntax')


def split_verb(tokens: Sequence[str]) -> tuple[Optional[str], list[str]]:
    """The first word that is not a global flag (or its value), and the rest."""
    value_flags = {f"--{f.name}" for f in GLOBAL_FLAGS if f.value} | {f"-{f.short}" for f in GLOBAL_FLAGS
                                                                   if f.short and f.value}
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "--":
            break
        if tok.startswith("-"):
            i += 2 if tok in value_flags else 1
            continue
        return tok, list(tokens[:i]) + list(tokens[i + 1:])
    return None, list(tokens)


def _levenshtein(a: str, b: str) -> int:
    a, b = a.lower(), b.lower()
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def unknown_command(word: str) -> Exit:
    """cobra's message, with its "Did you mean this?" (distance <= 2 or a prefix)."""
    hints: list[str] = []
    for c in KUBECTL_COMMANDS:
        if _levenshtein(word, c) <= 2 or c.lower().startswith(word.lower()):
            hints.append(c)
        if word.lower() in _SUGGEST_FOR.get(c, ()):
            hints.append(c)
    msg = f'error: unknown command "{word}" for "kubectl"'
    if hints:
        msg += "\n\nDid you mean this?\n" + "".join(f"\t{h}\n" for h in hints)
    return Exit(msg)

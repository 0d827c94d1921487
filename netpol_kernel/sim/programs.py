"""What a container runs: the program its image and its ``command``/``args`` start, where
that program listens, and what the cluster assumes of an image it does not know.

The process is the image's ENTRYPOINT and CMD, replaced by the container's ``command``
(ENTRYPOINT) and ``args`` (CMD) as the kubelet does.  A shell script (``sh -c "..."``)
is searched for the server it starts.  Known servers listen where their program does,
whatever the manifest declares (``containerPort`` is informational): nginx on 80 even
with ``containerPort: 8080``.  An image the cluster does not know is assumed to accept
connections on the ports its manifest declares and to answer nothing (an empty reply);
:func:`assumption_for` says so in one sentence, for ``describe pod`` and the README.

>>> sorted(listeners("nginx:1.27", {}, [(8080, "TCP")]))
[(80, 'TCP')]
>>> sorted(listeners("registry.k8s.io/e2e-test-images/agnhost:2.52", {}, (),
...                  args=["serve-hostname", "--udp", "--http=false", "--port", "80"]))
[(80, 'UDP')]
>>> sorted(listeners("python:3.12", {}, (), command=["python", "-m", "http.server", "8080"]))
[(8080, 'TCP')]
>>> print(assumption_for("example.com/team/app:1"))
image example.com/team/app:1 is not modelled: assumed to accept connections on its declared containerPorts and to send nothing back
>>> assumption_for("nginx") is None
True
"""
from __future__ import annotations

import dataclasses
import re
import shlex
from typing import Mapping, Optional, Sequence

from . import agnhost, webservers
from .images import (Server, Toolbox, empty_reply, example_web_python, image_name, image_tag, json_mock, mariadb,
                     toolbox)

__all__ = ["container_argv", "listeners", "assumption_for", "toolbox_for", "KNOWN_IMAGES"]

#: ENTRYPOINT and CMD of the images modelled (from each image's Dockerfile).
_DEFAULTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "nginx": (("/docker-entrypoint.sh",), ("nginx", "-g", "daemon off;")),
    "httpd": ((), ("httpd-foreground",)),
    "busybox": ((), ("sh",)),
    "alpine": ((), ("/bin/sh",)),
    "curlimages/curl": (("/entrypoint.sh",), ("curl",)),
    "nicolaka/netshoot": ((), ("zsh",)),
    "python": ((), ("python3",)),
    "hashicorp/http-echo": (("/http-echo",), ()),
    "google-samples/hello-app": ((), ("./hello-app",)),
    "e2e-test-images/agnhost": (("/agnhost",), ("pause",)),
}

#: The images whose behaviour is modelled (the lab's and the tutorials').
KNOWN_IMAGES = frozenset(_DEFAULTS) | {"cilium/json-mock", "acend/example-web-python", "mariadb",
                                       "coredns/coredns", "byrnedo/alpine-curl"}

#: python's last patch release per line when the images were read (mid-2025).
_PYTHON = {"3.9": "3.9.23", "3.10": "3.10.18", "3.11": "3.11.13", "3.12": "3.12.11", "3.13": "3.13.5"}


def _name(image: str) -> str:
    name = image_name(image)
    # gcr.io/google-samples/hello-app and us-docker.pkg.dev/google-samples/containers/gke/hello-app
    return "google-samples/hello-app" if name.startswith("google-samples/") and name.endswith("/hello-app") else name


def container_argv(image: str, command: Sequence[str] = (), args: Sequence[str] = ()) -> list[str]:
    """The process the kubelet starts: ``command`` replaces ENTRYPOINT, ``args`` CMD."""
    entry, cmd = _DEFAULTS.get(_name(image), ((), ()))
    if command:
        return list(command) + list(args)
    return list(entry) + list(args or cmd)


def _words(argv: list[str]) -> list[str]:
    """The words of a process, with a shell's ``-c`` script split into its words."""
    base = argv[0].rsplit("/", 1)[-1] if argv else ""
    if base in ("sh", "ash", "bash", "dash") and "-c" in argv:
        i = argv.index("-c")
        script = argv[i + 1] if i + 1 < len(argv) else ""
        try:
            lex = shlex.shlex(script, posix=True, punctuation_chars=True)
            lex.whitespace_split = True
            words = list(lex)
        except ValueError:
            words = script.split()
        return [w for w in words if w.strip(";&|()<>")]
    return argv


def _version(tag: str, default: str) -> str:
    m = re.match(r"v?(\d+\.\d+(?:\.\d+)?)", tag)
    if not m:
        return default
    v = m.group(1)
    return v if v.count(".") == 2 else v + ".0"


def _servers(image: str, words: list[str], env: Mapping[str, str]) -> dict[tuple[int, str], Server]:
    name, tag = _name(image), image_tag(image)
    out: dict[tuple[int, str], Server] = {}
    for i, word in enumerate(words):
        prog = word.rsplit("/", 1)[-1]
        rest = words[i + 1:]
        if prog == "nginx" and name == "nginx":
            out[(80, "TCP")] = webservers.nginx(image)
        elif prog == "httpd-foreground" or (prog == "httpd" and name == "httpd"):
            out[(80, "TCP")] = webservers.httpd
        elif prog == "httpd":  # busybox httpd [-f] [-p [IP:]PORT] [-h HOME]
            port = next((rest[j + 1] for j, a in enumerate(rest[:-1]) if a == "-p"), "80")
            out[(int(port.rsplit(":", 1)[-1]) if port.rsplit(":", 1)[-1].isdigit() else 80, "TCP")] = \
                webservers.busybox_httpd
        elif prog == "http-echo":
            flags = dict(re.match(r"-+([\w-]+)=?(.*)", a).groups() for a in rest  # type: ignore[union-attr]
                         if re.match(r"-+[\w-]+", a))
            text = flags.get("text") or env.get("ECHO_TEXT", "")
            listen = flags.get("listen") or ":5678"
            port = listen.rsplit(":", 1)[-1]
            if text and port.isdigit():  # without -text http-echo exits: "Missing -text option!"
                out[(int(port), "TCP")] = webservers.http_echo(text, _version(tag, "1.0.0"))
        elif prog == "hello-app":
            port = env.get("PORT", "8080")
            if port.isdigit():
                out[(int(port), "TCP")] = webservers.hello_app(_version(tag, "1.0.0"))
        elif prog.startswith("python") and rest[:2] == ["-m", "http.server"]:
            port = next((a for a in rest[2:] if a.isdigit()), "8000")
            line = re.match(r"\d+\.\d+", tag)
            py = _PYTHON.get(line.group(0), line.group(0) + ".0") if line else _PYTHON["3.13"]
            out[(int(port), "TCP")] = webservers.python_http_server(py)
        elif prog == "agnhost":
            out.update(agnhost.servers(rest, env))
    return out


def listeners(image: str, env: Mapping[str, str], declared: Sequence[tuple[int, str]],
              command: Sequence[str] = (), args: Sequence[str] = ()) -> dict[tuple[int, str], Server]:
    """(port, protocol) -> server for one container."""
    name = _name(image)
    if name == "cilium/json-mock":
        port = env.get("PORT") or "80"
        return {(int(port), "TCP"): json_mock} if port.isdigit() else {}
    if name == "acend/example-web-python":
        return {(5000, "TCP"): example_web_python}
    if name == "mariadb":
        return {(3306, "TCP"): mariadb}
    if name == "coredns/coredns":
        return {(53, "UDP"): empty_reply, (53, "TCP"): empty_reply, (8080, "TCP"): empty_reply,
                (8181, "TCP"): empty_reply, (9153, "TCP"): empty_reply}
    if name in KNOWN_IMAGES:
        return _servers(image, _words(container_argv(image, command, args)), env)
    return {(port, proto): empty_reply for port, proto in declared}


def assumption_for(image: str) -> Optional[str]:
    """What the cluster assumes of an image it does not model (None for a modelled one)."""
    if _name(image) in KNOWN_IMAGES:
        return None
    return (f"image {image} is not modelled: assumed to accept connections on its declared "
            "containerPorts and to send nothing back")


def toolbox_for(image: str) -> Toolbox:
    """The image's programs, with the files tutorials read from it (nginx's page...).

    nginx's Debian image has carried curl since docker-nginx 4370fa1 (Nov 2020); its base
    moved from bookworm (curl 7.88.1) to trixie (curl 8.14.1) with 1.29.1 and 1.28.1
    (docker-nginx 3cabe64, 50dc9c3).

    >>> toolbox_for("nginx:1.25").curl, toolbox_for("nginx").curl, toolbox_for("nginx:alpine").curl
    ('7.88.1', '8.14.1', '8.x')
    """
    tools = toolbox(image)
    if _name(image) == "nginx" and "alpine" not in image_tag(image):
        v = tuple(int(x) for x in webservers.nginx_version(image).split("."))
        tools = dataclasses.replace(tools, curl="8.14.1" if v >= (1, 29, 1) or (1, 28, 1) <= v < (1, 29) else "7.88.1")
    files = webservers.image_files(image)
    return dataclasses.replace(tools, files=files) if files else tools

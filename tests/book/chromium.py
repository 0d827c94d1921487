"""Headless Chromium, driven over the DevTools protocol: the book as a reader's browser shows it.

A small client (``websocket-client`` comes with the ``kubernetes`` package): start
Chromium with ``--remote-debugging-port=0``, read the port it chose from its
stderr, open one page target, then send commands and collect console messages.

    with Browser() as b:
        b.open("file:///.../intro.html", width=390)
        b.evaluate("document.title")
        b.screenshot("intro-390.png")
"""
from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Optional

import websocket

__all__ = ["Browser", "chromium_path"]

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_path() -> Optional[str]:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """One headless Chromium with one page; ``console`` holds every console message and exception."""

    def __init__(self, binary: Optional[str] = None, timeout: float = 60.0):
        self.binary = binary or chromium_path()
        if not self.binary:
            raise RuntimeError("chromium not found (make check-pages installs it with apt-get)")
        self.timeout = timeout
        self.console: list[str] = []
        self._id = 0

    def __enter__(self) -> "Browser":
        self._profile = tempfile.mkdtemp(prefix="netpol-chromium-")
        # The flags the issue names: headless, no sandbox (root in a container), no GPU.
        self.proc = subprocess.Popen(
            [self.binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--remote-debugging-port=0", "--remote-allow-origins=*", "--no-first-run",
             "--allow-file-access-from-files", f"--user-data-dir={self._profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        port = self._port()
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as r:
                    pages = [t for t in json.load(r) if t.get("type") == "page"]
                if pages:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("chromium opened no page")
            time.sleep(0.2)
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=self.timeout)
        for domain in ("Page", "Runtime"):
            self.send(f"{domain}.enable")
        return self

    def _port(self) -> int:
        assert self.proc.stderr is not None
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if m:
                return int(m.group(1))
            if not line and self.proc.poll() is not None:
                break
        raise RuntimeError("chromium did not start its DevTools server")

    def __exit__(self, *exc: Any) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()  # only the process this object started
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self._profile, ignore_errors=True)

    # -- protocol ------------------------------------------------------------------
    def send(self, method: str, **params: Any) -> dict:
        self._id += 1
        my_id = self._id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._event(msg)

    def _event(self, msg: dict) -> None:
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            self.console.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            d = params["exceptionDetails"]
            self.console.append(f"exception: {(d.get('exception') or {}).get('description') or d.get('text')}")
        elif method == "Page.loadEventFired":
            self._loaded = True

    def _wait_load(self) -> None:
        deadline = time.monotonic() + self.timeout
        while not self._loaded:
            if time.monotonic() > deadline:
                raise RuntimeError("page did not finish loading")
            self._event(json.loads(self.ws.recv()))

    # -- what the checks use --------------------------------------------------------
    def open(self, url: str, width: int, height: int = 900) -> None:
        """Load ``url`` in a window ``width`` CSS pixels wide (a phone at 390: mobile, 2x)."""
        mobile = width < 600
        self._metrics = (width, mobile, height)
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=2 if mobile else 1, mobile=mobile)
        self._loaded = False
        self.send("Page.navigate", url=url)
        self._wait_load()
        # Fonts and late layout (theme scripts) settle before anything is measured.
        self.evaluate("document.fonts ? document.fonts.ready.then(() => true) : true")
        time.sleep(0.3)

    def evaluate(self, expression: str) -> Any:
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"script failed: {r['exceptionDetails']}")
        return r["result"].get("value")

    def screenshot(self, path: Path) -> None:
        """The whole page, taken through a window as tall as the page (Chromium's
        ``captureBeyondViewport`` leaves parts of long pages unpainted)."""
        width, mobile, height = self._metrics
        full = int(self.evaluate("document.documentElement.scrollHeight"))
        full = min(full, 16000)
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=full,
                  deviceScaleFactor=2 if mobile else 1, mobile=mobile)
        time.sleep(0.5)  # layout and paint at the new size
        shot = self.send("Page.captureScreenshot", format="png")
        Path(path).write_bytes(base64.b64decode(shot["data"]))
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=2 if mobile else 1, mobile=mobile)

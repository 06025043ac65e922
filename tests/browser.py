"""A tiny headless-Chromium driver for the browser tests: the DevTools protocol over --remote-debugging-pipe.

No extra package: Chromium reads commands from fd 3 and writes replies and events to fd 4, each message one
JSON object ended by a NUL byte. `Browser.visit(url)` opens the page in a fresh tab with the network off and
returns what a reader would have met: failed and outgoing requests, console errors, uncaught exceptions and
the result of a DOM check, plus a screenshot.

    with Browser() as b:
        visit = b.visit(Path("reports/index.html").as_uri(), check_js="document.title")
        visit.problems()   # [] when nothing failed, nothing left the machine and the console had no errors

Network off, three ways: requests to http(s), ws(s) and ftp URLs are paused, recorded and failed inside the
browser (Fetch domain); any request to a scheme other than file:, data:, blob: or about: is recorded
(Network.requestWillBeSent); and Chromium starts with a host resolver and a proxy that lead nowhere. So nothing
leaves the machine even if a page tries, and the attempt is reported.

The transport is robust to Chromium's startup chatter (stderr is kept apart) and needs no free port;
Chromium runs in its own session, so `close()` can end it with all its helper processes.
"""
from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome-error:", "devtools:")
REMOTE_PATTERNS = ("http*", "ws*", "ftp*")       # Fetch-domain URL patterns: http(s), ws(s), ftp

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-default-apps", "--disable-domain-reliability", "--disable-breakpad", "--disable-dev-shm-usage",
    "--metrics-recording-only", "--no-pings", "--mute-audio", "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) binary, or None. CHROMIUM=/path overrides the search."""
    if os.environ.get("CHROMIUM"):
        return shutil.which(os.environ["CHROMIUM"])
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(RuntimeError):
    pass


@dataclass
class Visit:
    url: str
    loaded: bool = False
    check: object = None                 # what check_js returned (JSON value)
    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outgoing_requests: list[str] = field(default_factory=list)
    screenshot: bytes | None = None
    _urls: dict = field(default_factory=dict, repr=False)   # requestId -> URL

    def _outgoing(self, url: str) -> None:
        if url not in self.outgoing_requests:
            self.outgoing_requests.append(url)

    def problems(self) -> list[str]:
        out = [] if self.loaded else ["the page did not finish loading"]
        out += [f"console error: {m}" for m in self.console_errors]
        out += [f"uncaught exception: {m}" for m in self.exceptions]
        out += [f"failed request: {m}" for m in self.failed_requests]
        out += [f"request to the network: {m}" for m in self.outgoing_requests]
        return out


class Browser:
    """One headless Chromium for many pages. Use as a context manager; `close()` ends the process."""

    def __init__(self, executable: str | None = None, *, width: int = 1280, height: int = 900,
                 timeout: float = 20.0):
        self.executable = executable or find_chromium()
        if not self.executable:
            raise BrowserError("no Chromium binary found")
        self.width, self.height, self.timeout = width, height, timeout
        self._profile = tempfile.mkdtemp(prefix="chromium-profile-")
        self._next_id = 0
        self._inbox: queue.Queue = queue.Queue()
        self._page: tuple[str, Visit] | None = None   # (session id, Visit) of the page being visited
        self._stderr: list[bytes] = []

        to_chrome_r, to_chrome_w = os.pipe()          # os.pipe() fds are close-on-exec
        from_chrome_r, from_chrome_w = os.pipe()
        err_r, err_w = os.pipe()
        # Move the child's ends above 9 so that putting them on 3 and 4 cannot overwrite one another.
        child_ends = [_dup_high(fd) for fd in (to_chrome_r, from_chrome_w, err_w)]
        for fd in (to_chrome_r, from_chrome_w, err_w):
            os.close(fd)
        args = [self.executable, *FLAGS, f"--user-data-dir={self._profile}",
                f"--window-size={width},{height}", "about:blank"]
        try:
            # posix_spawn, not subprocess: it can put the pipe ends on fds 3 and 4 of the child (dup2 clears
            # close-on-exec there and only there) without a preexec_fn.
            self.pid = os.posix_spawn(self.executable, args, os.environ, setsid=True, file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_DUP2, child_ends[2], 2),
                (os.POSIX_SPAWN_DUP2, child_ends[0], 3),
                (os.POSIX_SPAWN_DUP2, child_ends[1], 4),
            ])
        except OSError as e:
            for fd in (to_chrome_w, from_chrome_r, err_r):
                os.close(fd)
            raise BrowserError(f"cannot start {self.executable}: {e}") from None
        finally:
            for fd in child_ends:
                os.close(fd)
        self._write = os.fdopen(to_chrome_w, "wb", buffering=0)
        self._read_fd, self._err_fd = from_chrome_r, err_r
        threading.Thread(target=self._reader, daemon=True).start()
        threading.Thread(target=self._stderr_reader, daemon=True).start()
        try:
            self.version = self.call("Browser.getVersion").get("product", "?")
        except BrowserError:
            self.close()
            raise

    # ---------------------------------------------------------------------------------------- transport

    def _reader(self) -> None:
        """Split Chromium's output into NUL-ended JSON messages (screenshots make some of them megabytes)."""
        parts: list[bytes] = []
        with os.fdopen(self._read_fd, "rb", buffering=0) as fh:
            while True:
                chunk = fh.read(1 << 20)
                if not chunk:
                    self._inbox.put(None)
                    return
                while (end := chunk.find(b"\0")) >= 0:
                    parts.append(chunk[:end])
                    message, parts, chunk = b"".join(parts), [], chunk[end + 1:]
                    if message:
                        self._inbox.put(json.loads(message))
                parts.append(chunk)

    def _stderr_reader(self) -> None:
        with os.fdopen(self._err_fd, "rb") as fh:
            for line in fh:
                self._stderr.append(line)
                del self._stderr[:-40]

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next_id += 1
        msg = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        try:
            self._write.write(json.dumps(msg).encode() + b"\0")
        except (BrokenPipeError, OSError) as e:
            raise BrowserError(f"Chromium is gone ({e}); its last output:\n{self.stderr_tail()}") from None
        return self._next_id

    def _receive(self, deadline: float) -> dict | None:
        """The next message, or None at the deadline."""
        try:
            msg = self._inbox.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None
        if msg is None:
            raise BrowserError(f"Chromium closed the DevTools pipe; its last output:\n{self.stderr_tail()}")
        return msg

    def call(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float | None = None) -> dict:
        """Send one command and wait for its reply. Events that arrive meanwhile are handled at once (a
        paused request is answered while a command waits, so no wait can block the page)."""
        msg_id = self._send(method, params, session)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            msg = self._receive(deadline)
            if msg is None:
                raise BrowserError(f"{method}: no reply within {timeout or self.timeout:.0f} s")
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise BrowserError(f"{method}: {msg['error'].get('message')} {msg['error'].get('data', '')}")
                return msg.get("result", {})
            self._dispatch(msg)

    def _dispatch(self, msg: dict) -> None:
        if "method" in msg and self._page is not None and msg.get("sessionId") == self._page[0]:
            self._handle(msg, *self._page)

    def stderr_tail(self) -> str:
        return b"".join(self._stderr[-15:]).decode("utf-8", "replace")

    # ---------------------------------------------------------------------------------------- pages

    def visit(self, url: str, *, check_js: str | None = None, settle_js: str | None = None,
              screenshot: bool = True, max_height: int = 8000) -> Visit:
        """Open `url` in a new tab, wait for the load event (and `settle_js`, a JS expression that becomes
        true once the page has drawn, polled for up to 10 s), run `check_js` (a JS expression whose JSON
        value is returned in Visit.check), take a full-page screenshot (at most `max_height` CSS px tall)
        and close the tab."""
        visit = Visit(url)
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self._page = (session, visit)
        try:
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.call(f"{domain}.enable", session=session)
            # Every request that could leave the machine is paused, recorded and failed (see _handle).
            self.call("Fetch.enable", {"patterns": [{"urlPattern": p} for p in REMOTE_PATTERNS]}, session=session)
            self.call("Emulation.setDeviceMetricsOverride",
                      {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
                      session=session)
            nav = self.call("Page.navigate", {"url": url}, session=session)
            if nav.get("errorText"):
                visit.failed_requests.append(f"{_short(url)} (Document): {nav['errorText']}")
            deadline = time.monotonic() + self.timeout
            while not visit.loaded:
                msg = self._receive(deadline)
                if msg is None:
                    break
                self._dispatch(msg)
            if visit.loaded and settle_js:
                self._evaluate(session, f"""new Promise(resolve => {{
                    const t0 = Date.now();
                    (function poll() {{
                        let ok = false;
                        try {{ ok = !!({settle_js}); }} catch (e) {{}}
                        if (ok || Date.now() - t0 > 10000) resolve(ok); else setTimeout(poll, 50);
                    }})();
                }})""")
            # Let late errors and requests (after load: timers, lazy images) arrive.
            self._evaluate(session, "new Promise(r => requestAnimationFrame(() => setTimeout(r, 100)))")
            if check_js:
                visit.check = self._evaluate(session, check_js)
            if screenshot and visit.loaded:
                metrics = self.call("Page.getLayoutMetrics", session=session)
                size = metrics.get("cssContentSize") or metrics["contentSize"]
                clip = {"x": 0, "y": 0, "width": max(self.width, int(size["width"])),
                        "height": min(max_height, max(self.height, int(size["height"]))), "scale": 1}
                shot = self.call("Page.captureScreenshot", {"format": "png", "clip": clip,
                                                            "captureBeyondViewport": True}, session=session)
                visit.screenshot = base64.b64decode(shot["data"])
        finally:
            try:
                self.call("Target.closeTarget", {"targetId": target})
            except BrowserError:
                pass
            self._page = None
        return visit

    def _evaluate(self, session: str, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "awaitPromise": True,
                                                "returnByValue": True}, session=session)
        if "exceptionDetails" in result:
            raise BrowserError(f"evaluating the page check failed: {_exception_text(result['exceptionDetails'])}")
        return result.get("result", {}).get("value")

    def _handle(self, msg: dict, session: str, visit: Visit) -> None:
        method, p = msg["method"], msg.get("params", {})
        if method == "Page.loadEventFired":
            visit.loaded = True
        elif method == "Fetch.requestPaused":
            req_url = p["request"]["url"]
            if req_url.startswith(LOCAL_SCHEMES):
                self._send("Fetch.continueRequest", {"requestId": p["requestId"]}, session)
            else:
                visit._outgoing(req_url)
                self._send("Fetch.failRequest", {"requestId": p["requestId"], "errorReason": "BlockedByClient"},
                           session)
        elif method == "Network.requestWillBeSent":
            req_url = p["request"]["url"]
            visit._urls[p.get("requestId")] = req_url
            if not req_url.startswith(LOCAL_SCHEMES):
                visit._outgoing(req_url)
        elif method == "Network.loadingFailed":
            req_url = visit._urls.get(p.get("requestId"), "(unknown URL)")
            visit.failed_requests.append(f"{_short(req_url)} ({p.get('type', '?')}): {p.get('errorText', '')}"
                                         f"{', blocked: ' + p['blockedReason'] if p.get('blockedReason') else ''}")
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            visit.console_errors.append(" ".join(_remote_text(a) for a in p.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            visit.exceptions.append(_exception_text(p.get("exceptionDetails", {})))
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            e = p["entry"]
            visit.console_errors.append(f"[{e.get('source')}] {e.get('text')}"
                                        f"{' ' + _short(e['url']) if e.get('url') else ''}")

    # ---------------------------------------------------------------------------------------- lifecycle

    def close(self) -> None:
        """Ask Chromium to quit; kill its process group if it has not within 5 s."""
        if getattr(self, "pid", None) is None:
            return
        try:
            self._send("Browser.close")
        except BrowserError:
            pass
        if not self._wait(5.0):
            try:
                os.killpg(self.pid, signal.SIGKILL)   # its own session: the renderers and helpers too
            except ProcessLookupError:
                pass
            self._wait(5.0)
        try:
            self._write.close()
        except OSError:
            pass
        self.pid = None
        shutil.rmtree(self._profile, ignore_errors=True)

    def _wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            try:
                pid, _ = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                return True
            if pid:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _dup_high(fd: int) -> int:
    """A close-on-exec copy of fd numbered 10 or more."""
    import fcntl
    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)


def _remote_text(obj: dict) -> str:
    if "value" in obj:
        return str(obj["value"])
    return str(obj.get("description") or obj.get("unserializableValue") or obj.get("type"))


def _exception_text(d: dict) -> str:
    exc = d.get("exception") or {}
    text = exc.get("description") or d.get("text") or "?"
    where = d.get("url") or ""
    if where and where not in text:
        text += f" ({_short(where)}:{d.get('lineNumber', 0) + 1})"
    return text


def _short(url: str, limit: int = 160) -> str:
    """data: URLs can be megabytes long; keep messages readable."""
    return url if len(url) <= limit else url[:limit] + "…"

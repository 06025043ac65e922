"""Headless Chromium for the browser tests, driven by Playwright (a maintained driver) with Debian's Chromium.

Playwright's own browser download cannot run here, so it launches the system Chromium through
`executable_path` (measured: playwright 1.65.2 drives Debian's Chromium 156). `Browser.visit(url, width=...)`
opens the page in a fresh context with the network off and returns what a reader would have met: failed and
outgoing requests, console errors, uncaught exceptions and the result of a DOM check, plus a screenshot.

    with Browser() as b:
        visit = b.visit(Path("reports/index.html").as_uri(), width=800, check_js="document.title")
        visit.problems()   # [] when nothing failed, nothing left the machine and the console had no errors

Network off, three ways: every http(s)/ftp request is routed to abort and recorded, every WebSocket is
closed and recorded; any request to a scheme other than file:, data:, blob: or about: is recorded; and
Chromium starts with a host resolver and a proxy that lead nowhere. So nothing leaves the machine even if
a page tries, and the attempt is reported.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome-error:", "devtools:")
REMOTE = re.compile(r"^(https?|ftp)://", re.I)
REMOTE_WS = re.compile(r"^wss?://", re.I)

# Belt and braces under Playwright's routing: no name resolves and every connection goes to a dead proxy.
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-domain-reliability",
    "--disable-breakpad",
    "--disable-dev-shm-usage",
    "--no-pings",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
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
    width: int
    loaded: bool = False
    check: object = None  # what check_js returned (JSON value)
    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    outgoing_requests: list[str] = field(default_factory=list)
    screenshot: bytes | None = None

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
    """One headless Chromium for many pages. Use as a context manager; `close()` ends it."""

    def __init__(self, executable: str | None = None, *, height: int = 900, timeout: float = 20.0):
        from playwright.sync_api import Error, sync_playwright

        self.executable = executable or find_chromium()
        if not self.executable:
            raise BrowserError("no Chromium binary found")
        self.height, self.timeout_ms = height, int(timeout * 1000)
        self._pw = sync_playwright().start()
        try:
            self._browser = self._pw.chromium.launch(
                executable_path=self.executable, args=list(FLAGS), headless=True, timeout=self.timeout_ms
            )
        except Error as e:
            self._pw.stop()
            raise BrowserError(f"Playwright cannot start {self.executable}: {e}") from None
        self.version = self._browser.version

    def visit(
        self,
        url: str,
        *,
        width: int = 1400,
        check_js: str | None = None,
        settle_js: str | None = None,
        screenshot: bool = True,
        max_height: int = 8000,
    ) -> Visit:
        """Open `url` at `width` CSS px in a fresh context, wait for the load event (and `settle_js`, a JS
        expression that becomes true once the page has drawn, waited for up to 10 s), run `check_js` (a JS
        expression whose JSON value is returned in Visit.check), take a full-page screenshot (at most
        `max_height` CSS px tall) and close the context."""
        from playwright.sync_api import Error

        visit = Visit(url, width)
        context = self._browser.new_context(
            viewport={"width": width, "height": self.height}, device_scale_factor=1, service_workers="block"
        )
        try:
            self._network_off(context, visit)
            page = context.new_page()
            self._listen(page, visit)
            try:
                page.goto(url, wait_until="load", timeout=self.timeout_ms)
                visit.loaded = True
            except Error as e:
                visit.failed_requests.append(f"{_short(url)} (Document): {_first_line(e)}")
            if visit.loaded:
                self._settle(page, settle_js)
                if check_js:
                    visit.check = _evaluate(page, check_js)
                if screenshot:
                    visit.screenshot = _screenshot(page, width, self.height, max_height)
        finally:
            context.close()
        return visit

    @staticmethod
    def _network_off(context, visit: Visit) -> None:
        def abort(route):
            visit._outgoing(route.request.url)
            route.abort("blockedbyclient")

        def close_ws(ws):
            visit._outgoing(ws.url)
            ws.close()

        context.route(REMOTE, abort)
        context.route_web_socket(REMOTE_WS, close_ws)

    @staticmethod
    def _listen(page, visit: Visit) -> None:
        def on_request(req):
            if not req.url.startswith(LOCAL_SCHEMES):
                visit._outgoing(req.url)

        def on_failed(req):
            visit.failed_requests.append(f"{_short(req.url)} ({req.resource_type}): {req.failure or ''}")

        def on_console(msg):
            if msg.type in ("error", "assert"):
                where = (msg.location or {}).get("url") or ""
                visit.console_errors.append(
                    msg.text + (f" ({_short(where)})" if where and where not in msg.text else "")
                )

        page.on("request", on_request)
        page.on("requestfailed", on_failed)
        page.on("console", on_console)
        page.on("pageerror", lambda err: visit.exceptions.append(f"{err.name}: {err.message}"))
        page.on("websocket", lambda ws: visit._outgoing(ws.url))

    @staticmethod
    def _settle(page, settle_js: str | None) -> None:
        from playwright.sync_api import Error

        if settle_js:
            try:
                page.wait_for_function(
                    f"() => {{ try {{ return !!({settle_js}); }} catch (e) {{ return false; }} }}", timeout=10_000
                )
            except Error:
                pass  # not drawn in 10 s: the check says what is missing
        # Let late errors and requests (after load: timers, lazy images) arrive.
        page.evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 100)))")

    def close(self) -> None:
        if getattr(self, "_pw", None) is None:
            return
        try:
            self._browser.close()
        finally:
            self._pw.stop()
            self._pw = None

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _evaluate(page, expression: str):
    from playwright.sync_api import Error

    try:
        return page.evaluate(expression)
    except Error as e:
        raise BrowserError(f"evaluating the page check failed: {_first_line(e)}") from None


def _screenshot(page, width: int, height: int, max_height: int) -> bytes:
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    clip = {"x": 0, "y": 0, "width": max(width, size[0]), "height": min(max_height, max(height, size[1]))}
    return page.screenshot(type="png", full_page=True, clip=clip, animations="disabled")


def _first_line(e: Exception) -> str:
    return str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__


def _short(url: str, limit: int = 160) -> str:
    """data: URLs can be megabytes long; keep messages readable."""
    return url if len(url) <= limit else url[:limit] + "…"

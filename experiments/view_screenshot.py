"""Start the browser view, drive it in headless Chromium and save a screenshot.

    python -m experiments.view_screenshot                       # results/figures/view.png
    python -m experiments.view_screenshot --days 120 --lang zh --out /tmp/view_zh.png

The view is started as people start it (``python -m sim.present.view``, with ``--lang`` when one is
asked for), so the screenshot in Chinese is of a tab that opened in Chinese.

Needs Debian's ``chromium`` (``apt-get install chromium``) and the Playwright package (the
``test`` extra). The browser test (``tests/test_view.py``) uses the same helpers.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
START_S = 120  # the server imports the model and builds both regimes (~10 s on 2 busy cores)
VIEWPORT = {"width": 1600, "height": 1100}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def view_server(log: Path, lang: str | None = None):
    """``python -m sim.present.view [--lang LANG]`` on a free local port, from the log's (empty)
    folder; yields its URL."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "sim.present.view",
        *(["--lang", lang] if lang else []),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-open",
    ]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_S
        while True:
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"solara did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.5)
        yield url
    finally:
        stop(proc, 10)


def stop(proc: subprocess.Popen, wait_s: float) -> None:
    """Ask a server process to end; kill it if it has not within ``wait_s`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=wait_s)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextlib.contextmanager
def chromium():
    """Headless Chromium (Debian's), through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_tab(browser, url: str, locale: str | None = None):
    """A tab on ``url`` in a browser context of its own, whose language is ``locale`` (``zh-CN``: the
    browser's ``navigator.language`` and the ``Accept-Language`` of its requests); ``page.failed_requests``
    lists what failed to load. ``page.context.new_page()``: a second tab in the same context."""
    page = browser.new_context(viewport=VIEWPORT, **({"locale": locale} if locale else {})).new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(url, timeout=START_S * 1000)
    page.failed_requests = failed
    return page


@contextlib.contextmanager
def browser_page(url: str, locale: str | None = None):
    """A headless Chromium tab on ``url`` (see :func:`open_tab`)."""
    with chromium() as browser:
        yield open_tab(browser, url, locale)


def wait_text(page, selector: str, pattern: str, timeout_s: float) -> str:
    """Wait until the element's text matches the regular expression; return the text."""
    page.wait_for_function(
        "([sel, pat]) => { const e = document.querySelector(sel); return e && new RegExp(pat).test(e.innerText); }",
        arg=[selector, pattern],
        timeout=timeout_s * 1000,
    )
    return page.locator(selector).inner_text()


def choose(page, label_class: str, option: str) -> None:
    """Pick ``option`` (its visible text) in the drop-down whose wrapper has ``label_class``."""
    page.locator(f".{label_class} .v-select").click()
    page.locator(".menuable__content__active .v-list-item", has_text=option).first.click()


DAY_N = {"en": r"^Day {n}\b", "zh": r"^第 {n} 天"}  # a side's day line, as a regular expression


def screenshot(out: Path, days: int, lang: str) -> Path:
    with (
        tempfile.TemporaryDirectory() as tmp,
        view_server(Path(tmp) / "server.log", lang) as url,
        browser_page(url) as page,
    ):
        wait_text(page, ".day-1", DAY_N[lang].format(n=0), START_S)
        choose(page, "days-per-step", "30")
        stepped = 0
        while stepped < days:
            page.locator("button.step").click()
            stepped += 30
            wait_text(page, ".day-1", DAY_N[lang].format(n=stepped), 120)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=90, help="days to step (in steps of 30) before the screenshot")
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--out", type=Path, default=Path("results/figures/view.png"))
    args = parser.parse_args(argv)
    if args.days < 0 or args.days % 30:
        parser.error(f"--days {args.days}: allowed a multiple of 30, 0 or more")
    print(screenshot(args.out, args.days, args.lang))
    return 0


if __name__ == "__main__":
    sys.exit(main())

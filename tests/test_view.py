"""The browser view in a real browser: ``solara run sim.present.view`` driven by headless Chromium.

Debian's ``chromium`` is the browser (``.ci/run`` installs it). Without it the test is skipped,
unless ``GOVSIM_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where a missing browser fails.
Screenshots are saved in the test's temporary folder.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from experiments.view_screenshot import CHROMIUM, START_S, browser_page, view_server, wait_text

STEP_S = 60  # a step redraws two maps and eight charts (about 2 s on 2 busy cores)


@pytest.fixture
def page(tmp_path):
    if not Path(CHROMIUM).exists():
        if os.environ.get("GOVSIM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    server_dir = tmp_path / "server"  # the view is run from an empty folder
    server_dir.mkdir()
    with view_server(server_dir / "server.log") as url, browser_page(url) as tab:
        yield tab


def _images(page, side: int) -> list[str]:
    return page.locator(f".regime-{side} img").evaluate_all("els => els.map(e => e.src)")


def test_view_renders_steps_both_regimes_and_rebuilds_on_reset(page, tmp_path):
    # 1. The page renders the map and the charts of both regimes.
    for side in (0, 1):
        wait_text(page, f".day-{side}", r"^Day 0\b", START_S)
    page.wait_for_function("document.querySelectorAll('.regime-0 img, .regime-1 img').length >= 4")
    before = [_images(page, side) for side in (0, 1)]
    assert all(len(srcs) == 2 for srcs in before), before  # a map and a chart panel per regime
    assert "Type-based" in page.locator(".regime-0 h3").inner_text()
    assert "Individualised" in page.locator(".regime-1 h3").inner_text()
    page.wait_for_function("document.title.startsWith('govsim')")  # the tab's name, not Solara's
    assert page.title() == "govsim: two regimes, the same residents"
    tops = [page.locator(f".regime-{side} img").last.bounding_box()["y"] for side in (0, 1)]
    assert abs(tops[0] - tops[1]) < 2, f"the two panels' charts start at different heights: {tops}"
    page.screenshot(path=tmp_path / "1_rendered.png", full_page=True)

    # 2. Step advances both models (the same day on both sides) and redraws both sides' figures.
    page.locator("button.step").click()
    for side in (0, 1):
        wait_text(page, f".day-{side}", r"^Day 1\b", STEP_S)
    page.wait_for_function(
        "([a, b]) => { const now = [...document.querySelectorAll('.regime-0 img, .regime-1 img')].map(e => e.src);"
        " return now.length == 4 && now.every((s, i) => s != [...a, ...b][i]); }",
        arg=before,
        timeout=STEP_S * 1000,
    )
    page.screenshot(path=tmp_path / "2_stepped.png", full_page=True)

    # Play runs on until Pause; both sides stay on the same day.
    page.locator("button.play").click()
    wait_text(page, ".day-0", r"^Day ([3-9]|\d\d+)\b", STEP_S)
    page.locator("button.play").click()  # now Pause
    wait_text(page, "button.play", "^(PLAY|Play)$", STEP_S)  # innerText is upper-cased by CSS
    time.sleep(1)  # a day begun before the pause may still be drawn
    assert page.locator(".day-0").inner_text().split("·")[0] == page.locator(".day-1").inner_text().split("·")[0]

    # A second tab (same browser, same cookies) has its own models, at day 0: nothing is shared.
    other = page.context.new_page()
    other.goto(page.url)
    wait_text(other, ".day-0", r"^Day 0\b", START_S)
    assert not page.locator(".day-0").inner_text().startswith("Day 0")
    other.close()

    # 3. A dial changed, then Reset: both models are rebuilt with the new value, at day 0.
    staff = page.locator(".dial-workers_per_10k")
    assert "Staff per 10,000 residents: 20" in staff.inner_text()
    staff.get_by_role("slider").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    wait_text(page, ".dial-workers_per_10k", r"residents: 23\b", STEP_S)
    for side in (0, 1):  # not applied before Reset
        assert "Staff per 10,000 residents 20" in page.locator(f".dials-{side}").inner_text()
    page.locator("button.reset").click()
    for side in (0, 1):
        wait_text(page, f".dials-{side}", r"Staff per 10,000 residents 23\b", STEP_S)
        assert re.match(r"^Day 0\b", page.locator(f".day-{side}").inner_text())
    page.screenshot(path=tmp_path / "3_reset.png", full_page=True)

    # 4. The language switch changes every word, controls included.
    page.get_by_role("button", name="中文").click()
    wait_text(page, ".day-0", r"^第 0 天", STEP_S)
    wait_text(page, "button.reset", "^重置$", STEP_S)  # the sidebar redraws after the panels
    assert "类型化" in page.locator(".regime-0 h3").inner_text()
    assert "每万人工作人员 23" in page.locator(".dials-1").inner_text()
    page.wait_for_function("document.title.startsWith('govsim:同一批')")
    page.screenshot(path=tmp_path / "4_chinese.png", full_page=True)

    # Offline: nothing the page asked for failed to load, and the server fetched nothing (no CDN).
    assert page.failed_requests == [], page.failed_requests
    log = (tmp_path / "server" / "server.log").read_text()
    assert "Could not load URL" not in log and "Traceback" not in log, log[-3000:]

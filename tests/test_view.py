"""The browser view in a real browser: ``python -m sim.present.view`` driven by headless Chromium.

Debian's ``chromium`` is the browser (``.ci/run`` installs it). Without it the browser tests are
skipped, unless ``GOVSIM_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where a missing browser fails.
They share one server and one browser (each test opens its own tabs). Screenshots are saved in
each test's temporary folder. The choice of a tab's language and the command's ``--lang`` are
also checked without a browser.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from experiments.view_screenshot import CHROMIUM, START_S, chromium, open_tab, view_server, wait_text
from sim.present import view
from sim.present.terms import term

STEP_S = 60  # a step redraws two maps and eight charts (about 2 s on 2 busy cores)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``python -m sim.present.view`` (no --lang), run from an empty folder: its URL and its log."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("GOVSIM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    log = tmp_path_factory.mktemp("server") / "server.log"
    with view_server(log) as url:
        yield url, log


@pytest.fixture(scope="module")
def browser(server):
    with chromium() as running:
        yield running


@pytest.fixture
def page(server, browser):
    tab = open_tab(browser, server[0])
    yield tab
    tab.context.close()


def _images(page, side: int) -> list[str]:
    return page.locator(f".regime-{side} img").evaluate_all("els => els.map(e => e.src)")


def test_view_renders_steps_both_regimes_and_rebuilds_on_reset(page, server, tmp_path):
    # 1. The page renders the map and the charts of both regimes, in English when nothing asks for
    # another language (the browser's is en-US).
    for side in (0, 1):
        wait_text(page, f".day-{side}", r"^Day 0\b", START_S)
    assert page.get_by_text(term("same_world", "en")).is_visible()
    assert page.get_by_text(term("same_world", "zh")).count() == 0
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

    # 4. The language switch changes every word, controls included, and the address (?lang=zh).
    page.get_by_role("button", name="中文").click()
    wait_text(page, ".day-0", r"^第 0 天", STEP_S)
    wait_text(page, "button.reset", "^重置$", STEP_S)  # the sidebar redraws after the panels
    assert "类型化" in page.locator(".regime-0 h3").inner_text()
    assert "每万人工作人员 23" in page.locator(".dials-1").inner_text()
    page.wait_for_function("document.title.startsWith('govsim:同一批')")
    page.wait_for_url(re.compile(r"[?&]lang=zh\b"), timeout=STEP_S * 1000)
    page.screenshot(path=tmp_path / "4_chinese.png", full_page=True)

    # Offline: nothing the page asked for failed to load, and the server fetched nothing (no CDN).
    assert page.failed_requests == [], page.failed_requests
    log = server[1].read_text()
    assert "Could not load URL" not in log and "Traceback" not in log, log[-3000:]


def _opened(tab, lang: str) -> None:
    """Wait until the tab shows both regimes at day 0 in ``lang``; check a sentence of the page is in
    that language and not in the other."""
    day = {"en": r"^Day 0\b", "zh": r"^第 0 天"}[lang]
    for side in (0, 1):
        wait_text(tab, f".day-{side}", day, START_S)
    reset = term("reset", lang)
    wait_text(tab, "button.reset", f"^({reset}|{reset.upper()})$", STEP_S)  # innerText is upper-cased by CSS
    other = "zh" if lang == "en" else "en"
    assert tab.get_by_text(term("same_world", lang)).is_visible()
    assert tab.get_by_text(term("same_world", other)).count() == 0
    assert tab.get_by_text(term("world", other)).count() == 0


def test_view_opens_in_the_language_asked(server, browser, tmp_path):
    url, log = server
    # The address asks for Chinese (the browser's language is en-US).
    tab = open_tab(browser, f"{url}?lang=zh")
    _opened(tab, "zh")
    assert tab.locator(".language .v-btn--active").inner_text() == "中文"
    tab.wait_for_function("document.title.startsWith('govsim:同一批')")
    tab.screenshot(path=tmp_path / "zh_address.png", full_page=True)
    tab.context.close()

    # The browser's language is Chinese (zh-CN: its requests say Accept-Language: zh-CN).
    tab = open_tab(browser, url, locale="zh-CN")
    _opened(tab, "zh")
    tab.screenshot(path=tmp_path / "zh_browser.png", full_page=True)
    # The switch changes the language and the address, so a reload keeps the choice: the address
    # comes before the browser's language.
    tab.get_by_role("button", name="English").click()
    tab.wait_for_url(re.compile(r"\?lang=en$"), timeout=STEP_S * 1000)
    wait_text(tab, ".day-0", r"^Day 0\b", STEP_S)
    tab.reload()
    _opened(tab, "en")
    # A language the view does not speak means English.
    other = tab.context.new_page()
    other.goto(f"{url}?lang=fr")
    _opened(other, "en")
    tab.context.close()
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]


# ------------------------------------------------------------------ without a browser
@pytest.mark.parametrize(
    ("search", "command", "accept_language", "lang"),
    [
        (None, None, None, "en"),  # nothing asks: English
        ("", None, "en-US,en;q=0.9", "en"),
        (None, None, "zh-CN", "zh"),  # the browser's language
        (None, None, "fr-FR,fr;q=0.9,zh;q=0.8,en;q=0.7", "zh"),  # its first one the view speaks
        (None, None, "en;q=0.5,zh-TW;q=0.8", "zh"),  # by weight, not by order
        (None, None, "zh;q=0,en;q=0.1", "en"),  # q=0: not wanted
        (None, None, "fr, de", "en"),
        (None, "zh", "en-US", "zh"),  # the command before the browser
        (None, "en", "zh-CN", "en"),
        ("lang=zh", "en", "en-US", "zh"),  # the address before both
        ("lang=en", "zh", "zh-CN", "en"),
        ("seed=3&lang=zh", None, None, "zh"),
        ("lang=ZH", None, None, "zh"),
        ("lang=zh-CN", None, None, "zh"),
        ("lang=fr", "zh", "zh-CN", "en"),  # a language the view does not speak: English
        ("lang=", "zh", None, "zh"),  # an empty one: as if absent
    ],
)
def test_opening_language(search, command, accept_language, lang):
    assert view.opening_lang(search, command, accept_language) == lang


def test_switch_keeps_the_address_other_parameters():
    assert view.with_lang(None, "zh") == "lang=zh"
    assert view.with_lang("lang=en", "zh") == "lang=zh"
    assert view.with_lang("a=1&lang=en&b=", "zh") == "a=1&b=&lang=zh"


def test_view_command_lang_reaches_the_view(monkeypatch):
    """``python -m sim.present.view --lang zh --port 8766``: solara runs the view with the other
    options, and the view's tabs open in Chinese unless their address asks otherwise."""
    import solara.__main__

    ran = []
    monkeypatch.setattr(solara.__main__, "cli", lambda args, prog_name: ran.append(args))
    monkeypatch.setenv(view.LANG_ENV, "")  # as if unset, and restored after the test
    view.main(["--lang", "zh", "--port", "8766", "--no-open"])
    assert ran == [["run", "sim.present.view", "--port", "8766", "--no-open"]]
    assert os.environ[view.LANG_ENV] == "zh"
    assert view.command_lang() == "zh"
    assert view.opening_lang(None, view.command_lang(), "en-US,en") == "zh"
    assert view.opening_lang("lang=en", view.command_lang(), None) == "en"


@pytest.mark.parametrize("argv", [["--lang", "fr"], ["--lang=fr", "--port", "8766"]])
def test_view_command_rejects_an_unknown_language(argv, monkeypatch, capsys):
    import solara.__main__

    monkeypatch.setattr(solara.__main__, "cli", lambda *a, **k: pytest.fail("the server was started"))
    with pytest.raises(SystemExit) as stopped:
        view.main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--lang: 'fr': allowed en (English), zh (中文)" in err, err


def test_view_rejects_an_unknown_language_set_by_hand(monkeypatch, capsys):
    import solara.__main__

    monkeypatch.setattr(solara.__main__, "cli", lambda *a, **k: pytest.fail("the server was started"))
    monkeypatch.setenv(view.LANG_ENV, "fr")
    with pytest.raises(SystemExit) as stopped:
        view.main([])
    assert stopped.value.code == 2
    assert "GOVSIM_VIEW_LANG='fr': allowed en, zh" in capsys.readouterr().err

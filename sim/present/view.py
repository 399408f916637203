"""The browser view: two regimes side by side on the teaching scenario, stepping together.

    python -m sim.present.view [--lang zh] [solara run options]    # or: solara run sim.present.view

Both sides are built with the same seed and world (:class:`sim.present.live.Pair`): the same
residents meet the same needs, so every difference on screen is the regimes' doing. The
sidebar holds the world's dials (shared), each side's regime dials (a preset, then any dial
changed), step / play / reset and the language; dials take effect on Reset, as in Mesa's
SolaraViz. The page is a Solara component made the way SolaraViz makes its own (reactive
state, a threaded play task), but with its own controls: SolaraViz drives one model and its
controls are in English only, and here two models step together and every word switches
between English and Chinese (``sim.present.terms``).

Each browser tab gets its own models: they are made inside :func:`Page` (per session), never
at module level.

A tab opens in the language its address asks for (``?lang=zh`` or ``?lang=en``; any other value
means English), else in the one the command asked for (``--lang``, passed to the server as
``GOVSIM_VIEW_LANG``), else in the browser's (its ``Accept-Language``), else in English. The
switch in the page changes the language and the address, so that a reload keeps it.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import solara
from matplotlib.figure import Figure

from sim.model.params import CHANNELS, STAFF_CALENDARS, ConfigError
from sim.present.live import Pair, map_state
from sim.present.run_plots import live_limits, plot_live, plot_map
from sim.present.terms import LANGUAGES, term

PRESETS = ("coarse", "refined")
POOL_LEVELS = ("town", "community", "grid")
STEP_DAYS = (1, 7, 30)
PLAY_PAUSE_S = 0.05  # between played days, on top of the time a day and its drawing take
REGIME_DIALS = ("patrol_share", "pool_level", "channels", "service_hours")
SCENARIO = "teaching"
WORLD_DIALS = (  # key, low, high, step: the ranges a class explores (sim.model.params declares the allowed ones)
    ("workers_per_10k", 5, 40, 1),
    ("need_heterogeneity", 0, 2, 0.1),
    ("volunteers_per_1k", 0, 200, 2),
)
LANG_ENV = "GOVSIM_VIEW_LANG"  # the language the command asked for (python -m sim.present.view --lang)
LANG_NAMES = {"en": "English", "zh": "中文"}


@functools.cache
def preset_dials(preset: str) -> dict:
    """The regime dials the view shows, at a preset's values (from ``configs/policy``)."""
    from sim.study.config import load_config

    policy = load_config(f"scenario={SCENARIO}", f"policy={preset}").policy
    # The preset's patrol floor is kept (not a dial here), below the patrol share chosen.
    return {"preset": preset, **{k: getattr(policy, k) for k in REGIME_DIALS}, "patrol_floor": policy.patrol_floor}


@functools.cache
def world_defaults() -> dict:
    from sim.study.config import load_config

    sc = load_config(f"scenario={SCENARIO}").scenario
    return {
        "seed": 0,
        "workers_per_10k": float(sc.workers_per_10k),
        "need_heterogeneity": float(sc.need_heterogeneity),
        "volunteers_per_1k": float(sc.volunteers_per_1k),
    }


def overrides(world: dict, side: dict) -> tuple[list[str], list[str]]:
    """Command-line overrides of the shared world and of one side's regime."""
    shared = [f"scenario={SCENARIO}", f"seed={int(world['seed'])}"]
    shared += [f"scenario.{key}={world[key]:g}" for key, *_ in WORLD_DIALS]
    own = [f"policy={side['preset']}", f"policy.patrol_share={side['patrol_share']:g}"]
    own.append(f"policy.patrol_floor={min(side.get('patrol_floor', 0.0), side['patrol_share']):g}")
    own += [f"policy.pool_level={side['pool_level']}", f"policy.service_hours={side['service_hours']}"]
    own.append(f"policy.channels=[{','.join(side['channels'])}]")
    return shared, own


def build_pair(world: dict, sides: tuple[dict, dict]) -> Pair:
    shared, left = overrides(world, sides[0])
    _, right = overrides(world, sides[1])
    return Pair.from_overrides(shared, left, right)


@dataclass(frozen=True)
class Snapshot:
    """What the page draws, taken right after a step (the models may step again meanwhile)."""

    day: int
    configs: tuple  # each side's RunConfig, as built
    maps: tuple
    frames: tuple


def snapshot(pair: Pair) -> Snapshot:
    return Snapshot(pair.day, pair.configs, tuple(map_state(m) for m in pair.models), pair.frames())


# ------------------------------------------------------------------ the language a tab opens in
def language_tag(tag: str) -> str:
    """The language of a tag such as ``zh-CN`` or ``EN``: ``zh``, ``en``."""
    return tag.strip().lower().split("-")[0]


def address_lang(search: str | None) -> str | None:
    """The language the page's address asks for (``lang=zh`` in its query ``search``): None if it
    asks for none; English if it asks for one the view does not speak."""
    asked = [value for key, value in parse_qsl(search or "") if key == "lang"]
    if not asked:
        return None
    lang = language_tag(asked[-1])
    return lang if lang in LANGUAGES else "en"


def browser_lang(accept_language: str | None) -> str | None:
    """The browser's preferred language among those the view speaks, from its ``Accept-Language``
    header (``zh-CN,zh;q=0.9,en;q=0.8``: zh); None if it names none of them."""
    ranked = []
    for order, item in enumerate((accept_language or "").split(",")):
        tag, *params = item.split(";")
        weight = 1.0
        for param in params:
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        lang = language_tag(tag)
        if lang in LANGUAGES and weight > 0:
            ranked.append((-weight, order, lang))
    return min(ranked)[2] if ranked else None


def command_lang() -> str | None:
    """The language the command that started the server asked for (``GOVSIM_VIEW_LANG``), or None."""
    lang = os.environ.get(LANG_ENV, "").strip()
    if not lang:
        return None
    if lang not in LANGUAGES:
        raise ValueError(f"{LANG_ENV}={lang!r}: allowed {', '.join(LANGUAGES)}")
    return lang


def opening_lang(search: str | None, command: str | None, accept_language: str | None) -> str:
    """The language a tab opens in: the address's, else the command's, else the browser's, else English."""
    return address_lang(search) or command or browser_lang(accept_language) or "en"


def with_lang(search: str | None, lang: str) -> str:
    """The address's query with ``lang`` set (other parameters kept)."""
    kept = [(key, value) for key, value in parse_qsl(search or "", keep_blank_values=True) if key != "lang"]
    return urlencode([*kept, ("lang", lang)])


# ------------------------------------------------------------------ components
@solara.component
def Choice(label: str, value, values, on_value, names=None, name: str = ""):
    """A drop-down whose entries are shown in the page's language (``names``: value -> text;
    ``name``: a class for tests and styling)."""
    items = [{"text": names(v) if names else str(v), "value": v} for v in values]
    with solara.Div(classes=[name] if name else []):
        solara.v.Select(label=label, items=items, v_model=value, on_v_model=on_value, dense=True)


@solara.component
def Dial(label: str, value: float, low: float, high: float, step: float, on_value, name: str):
    """A slider whose label shows its value (``name``: a class for tests and styling)."""
    with solara.Div(classes=[f"dial-{name}"]):
        solara.SliderFloat(f"{label}: {value:g}", value=value, min=low, max=high, step=step, on_value=on_value)


@solara.component
def WorldControls(world: solara.Reactive, lang: str):
    w = world.value

    def set_key(key):
        return lambda v: world.set({**world.value, key: v})

    solara.InputInt(term("seed", lang), value=int(w["seed"]), on_value=set_key("seed"), classes=["seed"])
    for key, low, high, step in WORLD_DIALS:
        Dial(term(key, lang), w[key], low, high, step, set_key(key), key)


@solara.component
def RegimeControls(sides: solara.Reactive, index: int, lang: str):
    side = sides.value[index]

    def update(**changes):
        new = list(sides.value)
        new[index] = {**new[index], **changes}
        sides.set(tuple(new))

    def choose_preset(preset):
        new = list(sides.value)
        new[index] = dict(preset_dials(preset))
        sides.set(tuple(new))

    def toggle_channel(name, on):
        chosen = set(side["channels"]) | {name} if on else set(side["channels"]) - {name}
        update(channels=[c for c in CHANNELS if c in chosen])

    Choice(term("preset", lang), side["preset"], PRESETS, choose_preset, lambda v: term(v, lang))
    Dial(term("patrol_share", lang), side["patrol_share"], 0, 0.6, 0.05, lambda v: update(patrol_share=v), "patrol")
    Choice(
        term("pool_level", lang),
        side["pool_level"],
        POOL_LEVELS,
        lambda v: update(pool_level=v),
        lambda v: term(f"pool_level.{v}", lang),
    )
    Choice(
        term("service_hours", lang),
        side["service_hours"],
        STAFF_CALENDARS,
        lambda v: update(service_hours=v),
        lambda v: term(f"service_hours.{v}", lang),
    )
    solara.Text(term("channels", lang))
    with solara.Column(gap="0px"):
        for name in CHANNELS:
            solara.Checkbox(
                label=term(f"channel.{name}", lang),
                value=name in side["channels"],
                on_value=lambda on, name=name: toggle_channel(name, on),
            )


def describe(cfg, lang: str) -> str:
    """One line naming a side's regime as it was built (what Reset applied)."""
    po, sc = cfg.policy, cfg.scenario
    parts = [
        f"{term('workers_per_10k', lang)} {sc.workers_per_10k:g}",
        f"{term('patrol_share', lang)} {po.patrol_share:g}",
        f"{term('pool_level', lang)}: {term(f'pool_level.{po.pool_level}', lang)}",
        f"{term('service_hours', lang)}: {term(f'service_hours.{po.service_hours}', lang)}",
        f"{term('channels', lang)}: {', '.join(term(f'channel.{c}', lang) for c in po.channels)}",
    ]
    return " · ".join(parts)


@solara.component
def RegimePanel(shot: Snapshot, index: int, lang: str, colour_by: str):
    cfg = shot.configs[index]

    def draw_map():
        fig = Figure(figsize=(5.6, 3.0), layout="constrained")
        plot_map(shot.maps[index], lang, colour_by, ax=fig.subplots())
        return fig

    def draw_charts():
        fig = Figure(figsize=(5.6, 4.2))  # laid out by hand: constrained layout doubles the drawing time
        fig.subplots_adjust(left=0.08, right=0.98, top=0.93, bottom=0.1, hspace=0.55, wspace=0.25)
        plot_live(shot.frames[index], lang, axes=fig.subplots(2, 2), limits=live_limits(shot.frames))
        return fig

    map_fig = solara.use_memo(draw_map, [shot, lang, colour_by])
    chart_fig = solara.use_memo(draw_charts, [shot, lang])
    frame = shot.frames[index]
    backlog = int(frame["backlog"].iloc[-1]) if len(frame) else 0
    with solara.Card(classes=[f"regime-{index}"], style={"min-width": "0"}):
        solara.v.Html(tag="h3", children=[term(cfg.policy.name, lang)])
        line = f"{term('day_n', lang, n=shot.day)} · {term('backlog', lang)}: {backlog}"
        solara.v.Html(tag="div", children=[line], class_=f"day-{index}")
        solara.v.Html(  # room for four lines on both sides, so that their charts line up
            tag="div",
            children=[describe(cfg, lang)],
            class_=f"dials-{index}",
            style_="font-size: 0.8em; color: #555; min-height: 6.4em",
        )
        solara.FigureMatplotlib(map_fig, format="png", dpi=110)
        solara.FigureMatplotlib(chart_fig, format="png", dpi=100)


@solara.component
def Page():
    router = solara.use_router()

    def opening() -> str:
        headers = solara.lab.headers.peek() or {}  # the page's own request's, as the server received them
        return opening_lang(router.search, command_lang(), ",".join(headers.get("accept-language", [])))

    lang = solara.use_reactive(solara.use_memo(opening, []))
    asked = address_lang(router.search)

    def follow_address():  # the address changed (back, forward): its language, if it names one
        if asked is not None and asked != lang.value:
            lang.set(asked)

    solara.use_effect(follow_address, [asked])

    def choose_lang(value: str) -> None:
        lang.set(value)
        router.push(f"{router.path}?{with_lang(router.search, value)}")  # a reload keeps the choice

    colour_by = solara.use_reactive("status")
    step_days = solara.use_reactive(1)
    world = solara.use_reactive(world_defaults())
    sides = solara.use_reactive((preset_dials("coarse"), preset_dials("refined")))
    first = solara.use_memo(lambda: build_pair(world_defaults(), (preset_dials("coarse"), preset_dials("refined"))), [])
    pair = solara.use_reactive(first)
    shot = solara.use_reactive(solara.use_memo(lambda: snapshot(first), []))
    error = solara.use_reactive(None)
    playing = solara.use_reactive(False)
    lock = solara.use_memo(threading.Lock, [])  # one step or reset at a time

    def advance(days: int) -> None:
        with lock:
            pair.value.step(days)
            shot.set(snapshot(pair.value))

    def play_loop():
        while playing.value:
            advance(step_days.value)
            time.sleep(PLAY_PAUSE_S)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    def reset():
        playing.set(False)
        with lock:
            try:
                new = build_pair(world.value, sides.value)
            except ConfigError as exc:
                error.set(str(exc))
                return
            error.set(None)
            pair.set(new)
            shot.set(snapshot(new))

    L = lang.value
    solara.Title(term("title", L))  # the browser tab's name, in the chosen language
    with solara.AppBar():
        solara.AppBarTitle(term("title", L))
        with solara.ToggleButtonsSingle(value=L, on_value=choose_lang, classes=["language"]):
            for code in LANGUAGES:
                solara.Button(LANG_NAMES[code], value=code, text=True)

    with solara.Sidebar():
        with solara.Card():
            with solara.Row():
                solara.Button(
                    term("step", L),
                    on_click=lambda: advance(step_days.value),
                    disabled=playing.value,
                    color="primary",
                    classes=["step"],
                )
                solara.Button(
                    term("pause" if playing.value else "play", L),
                    on_click=lambda: playing.set(not playing.value),
                    color="primary",
                    classes=["play"],
                )
                solara.Button(term("reset", L), on_click=reset, color="primary", classes=["reset"])
            solara.v.Html(tag="div", style_="height: 12px")
            Choice(term("days_per_step", L), step_days.value, STEP_DAYS, step_days.set, str, "days-per-step")
            Choice(
                term("colour_by", L), colour_by.value, ("status", "satisfaction"), colour_by.set, lambda v: term(v, L)
            )
            solara.Text(term("apply_on_reset", L), style={"font-size": "0.8em"})
            if error.value:
                solara.Error(term("not_built", L, error=error.value), classes=["build-error"])
        with solara.Card(term("world", L)):
            WorldControls(world, L)
        for index, key in enumerate(("regime_left", "regime_right")):
            with solara.Card(term(key, L)):
                RegimeControls(sides, index, L)

    solara.Info(term("same_world", L), dense=True)
    with solara.Columns([1, 1]):
        for index in range(2):
            RegimePanel(shot.value, index, L, colour_by.value)


# ------------------------------------------------------------------ the command
def language_option(value: str) -> str:
    if value not in LANGUAGES:
        allowed = ", ".join(f"{code} ({LANG_NAMES[code]})" for code in LANGUAGES)
        raise argparse.ArgumentTypeError(f"{value!r}: allowed {allowed}")
    return value


def command_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sim.present.view",
        allow_abbrev=False,  # solara run's options pass through whole
        description="Start the browser view (solara run sim.present.view) and print its address.",
        epilog="Any other option goes to solara run (see solara run --help), e.g. --port 8766 or --host 0.0.0.0. "
        "A tab's address can ask for a language itself, which comes first: http://localhost:8765/?lang=zh",
    )
    parser.add_argument(
        "--lang",
        type=language_option,
        metavar="{en,zh}",
        help="the language tabs open in: en (English) or zh (中文); "
        "without it, the browser's language if it is one of these, else English",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    """``python -m sim.present.view [--lang en|zh] [solara run options]``: the view's server, whose
    tabs open in ``--lang`` unless their address asks for a language (``?lang=``). An unknown
    language stops the command with exit status 2 before the server starts."""
    parser = command_parser()
    args, rest = parser.parse_known_args(argv)
    if args.lang:
        os.environ[LANG_ENV] = args.lang  # the server reads it when a tab opens (command_lang)
    else:
        try:
            command_lang()
        except ValueError as err:  # a language set in the environment by hand
            parser.error(str(err))
    from solara.__main__ import cli

    cli(["run", "sim.present.view", *rest], prog_name="solara")


if __name__ == "__main__":
    main(sys.argv[1:])

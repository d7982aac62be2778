"""The interactive page: tweak red lines and watch the rounds (``negsim ui``, Solara).

Run with ``negsim ui [FILE]``, which serves it behind :mod:`sim.ui.guard` (``solara run
sim.ui.app`` serves it unguarded). The scenarios it offers are the file given
(``NEGSIM_SCENARIO``) and those in ./scenarios, and it opens no other. The page only
shows: the work is done by :mod:`sim.ui.state` over the package's public objects.
"""

from __future__ import annotations

import os
import sys
import textwrap
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")  # figures are drawn to images for the page, never in a window

import solara
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.plots.colours import repeats
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.space import check_size
from sim.ui.state import (
    Bar,
    Conditions,
    Stepper,
    Tweaks,
    ZoneRow,
    batch_bars,
    failed_at_home,
    party_strategies,
    quick_rows,
    scenario_files,
    tweak,
    which_conditions,
    zone_view,
)

if TYPE_CHECKING:
    import pandas as pd

FILES = [str(p) for p in scenario_files(os.environ.get("NEGSIM_SCENARIO"))]

file = solara.reactive(FILES[0] if FILES else "")
off = solara.reactive(frozenset[str]())
credibility: solara.Reactive[dict[str, float]] = solara.reactive({})
reservation: solara.Reactive[dict[str, float]] = solara.reactive({})
strategy: solara.Reactive[dict[str, str]] = solara.reactive({})
informed: solara.Reactive[dict[str, float]] = solara.reactive({})  # party.ratifier -> chance
seed = solara.reactive(1)
transcript: solara.Reactive[list[str]] = solara.reactive([])
ending = solara.reactive("")
batch: solara.Reactive[list[Bar]] = solara.reactive([])


@dataclass(frozen=True, eq=False)  # compared by identity: a new batch is a new value
class QuickRows:
    """The rows of the last quick batch and the scenario they were run on."""

    rows: pd.DataFrame
    scenario: Scenario


batch_rows: solara.Reactive[QuickRows | None] = solara.reactive(None)
SEEDS = range(2**64)  # the seeds a run takes (as negsim run --seed)


def _reset_tweaks() -> None:
    off.set(frozenset())
    credibility.set({})
    reservation.set({})
    strategy.set({})
    informed.set({})
    transcript.set([])
    ending.set("")
    batch.set([])
    batch_rows.set(None)


def _tweaks() -> Tweaks:
    return Tweaks(off.value, credibility.value, reservation.value, strategy.value, informed.value)


_TONES = {"ok": "#e8f5e9", "warn": "#fff8e1", "error": "#ffebee"}


@solara.component
def Notice(text: str, tone: str, name: str = "") -> None:
    """A coloured note (Solara's own alerts do not render with these pinned versions)."""
    solara.Text(
        text,
        classes=[name] if name else [],
        style={
            "background": _TONES[tone],
            "padding": "8px 12px",
            "border-radius": "4px",
            "display": "block",
            "white-space": "pre-wrap",
        },
    )


@solara.component
def RedLines(scenario: Scenario) -> None:
    """A switch and a credibility slider for every red line."""
    with solara.Card("Red lines", subtitle="switch a line off to see which deals it blocks"):
        for pid, party in scenario.parties.items():
            for line in party.red_lines:
                label = f"{scenario.party_label(pid)}: {line.id}"
                _line_switch(label, f"{pid}.{line.id}", line.credibility)


def _line_switch(label: str, key: str, firm: float) -> None:
    """A red line's switch and, while it is on, its credibility (party's or ratifier's)."""
    keep = key not in off.value

    def toggle(value: bool) -> None:
        off.set(off.value - {key} if value else off.value | {key})

    def believe(value: float) -> None:
        credibility.set({**credibility.value, key: value})

    solara.Switch(label=label, value=keep, on_value=toggle)
    if keep:
        solara.SliderFloat(
            "credibility",
            value=credibility.value.get(key, firm),
            min=0.0,
            max=1.0,
            step=0.05,
            on_value=believe,
            thumb_label="always",
        )


@solara.component
def Ratification(scenario: Scenario) -> None:
    """Who must ratify at home: each ratifier's red lines, reservation value and ``informed``."""
    with solara.Card("Ratification at home", subtitle="who must ratify a deal, and what it takes"):
        for pid, party in scenario.parties.items():
            for ratifier in party.ratification:
                key = f"{pid}.{ratifier.id}"
                name = scenario.ratifier_label(pid, ratifier.id)
                who = f"{name} ({scenario.party_label(pid)})"

                def reserve(value: float, key: str = key) -> None:
                    reservation.set({**reservation.value, key: value})

                def know(value: float, key: str = key) -> None:
                    informed.set({**informed.value, key: value})

                solara.Markdown(f"**{name}** ratifies for {scenario.party_label(pid)}")
                for line in ratifier.red_lines:
                    _line_switch(f"{who}: {line.id}", f"{key}.{line.id}", line.credibility)
                solara.SliderFloat(
                    f"reservation value of {name}",
                    value=reservation.value.get(key, ratifier.reservation),
                    min=0.0,
                    max=1.0,
                    step=0.01,
                    on_value=reserve,
                    thumb_label="always",
                )
                solara.SliderFloat(
                    f"informed of {name}",
                    value=informed.value.get(key, ratifier.informed),
                    min=0.0,
                    max=1.0,
                    step=0.05,
                    on_value=know,
                    thumb_label="always",
                )
                solara.Text(
                    f"informed: the chance, in each simulated run, that the negotiators of"
                    f" {scenario.party_label(pid)} know the limits of {name} and refuse texts"
                    f" it would reject. The zone takes every line as firm and ignores it;"
                    f" the negotiation and the quick batch use it.",
                    style={"font-size": "smaller", "color": "#555", "display": "block"},
                )


@solara.component
def Parties(scenario: Scenario) -> None:
    """Each party's reservation value and strategy."""
    with solara.Card("Parties"):
        for pid, party in scenario.parties.items():
            current = strategy.value.get(pid, scenario.strategy_of(pid).type)

            def reserve(value: float, pid: str = pid) -> None:
                reservation.set({**reservation.value, pid: value})

            offered = party_strategies(scenario, pid)

            def choose(value: str, pid: str = pid, offered: list[str] = offered) -> None:
                if value in offered:  # a value the page did not offer is ignored
                    strategy.set({**strategy.value, pid: value})

            bloc = scenario.bloc_of(pid)
            within = (
                f" — in the bloc {scenario.bloc_label(bloc)} ({scenario.blocs[bloc].rule})"
                if bloc
                else ""
            )
            solara.Markdown(
                f"**{scenario.party_label(pid)}**" + (" (signs)" if party.signs else "") + within
            )
            solara.SliderFloat(
                f"reservation value of {scenario.party_label(pid)}",
                value=reservation.value.get(pid, party.reservation),
                min=0.0,
                max=1.0,
                step=0.01,
                on_value=reserve,
                thumb_label="always",
            )
            solara.Select(
                label=f"strategy of {scenario.party_label(pid)}",
                values=offered,
                value=current,
                on_value=choose,
            )


@solara.component
def Zone(scenario: Scenario, loaded: Scenario) -> None:
    """The agreement zone of the tweaked scenario, updated at every change."""
    view = solara.use_memo(lambda: zone_view(scenario, loaded), dependencies=[scenario])
    with solara.Card("Which deals can form"):
        new = f" ({view.new} new)" if view.new else ""
        solara.Text(
            f"{view.size} of {view.outcomes} deals can form{new}",
            classes=["negsim-zone-count"],
            style={"display": "block"},
        )
        if view.ratification:
            again = f" ({view.newly_ratifiable} new)" if view.newly_ratifiable else ""
            solara.Text(
                f"{view.ratifiable} of them would be ratified at home{again}",
                classes=["negsim-ratifiable-count"],
                style={"display": "block"},
            )
        if not view.rows:
            relax = "; ".join(" + ".join(r) for r in view.relaxations[:5]) or "none up to 3 lines"
            Notice(f"No deal can form. Drop one of these sets of red lines: {relax}", "warn")
        elif view.ratification and not view.ratifiable:
            relax = "; ".join(" + ".join(r) for r in view.ratifiable_relaxations[:5])
            Notice(
                "None of them would be ratified at home. "
                + (
                    f"Drop one of these sets of red lines, or lower a ratifier's reservation"
                    f" value: {relax}"
                    if relax
                    else "No set of up to 3 red lines helps: lower a ratifier's reservation value."
                ),
                "warn",
            )
        signers = list(view.rows[0].utilities) if view.rows else []
        header = "| | deal | " + " | ".join(scenario.party_label(p) for p in signers) + " |"
        rule = "|:---|:---|" + "---:|" * len(signers)
        if view.ratification:
            header += " at home |"
            rule += ":---|"
        body = [
            f"| {'**new** ' if row.new else ''}{row.marks} | {row.words} | "
            + " | ".join(f"{row.utilities[p]:.2f}" for p in signers)
            + " |"
            + (f" {_at_home(row)} |" if view.ratification else "")
            for row in view.rows[:12]
        ]
        if view.rows:
            solara.Markdown("\n".join([header, rule, *body]))
            solara.Text(
                "N = Nash point, K = Kalai–Smorodinsky point, P = Pareto-optimal"
                + (
                    "; at home: ratified when every ratifier of every signer accepts it"
                    " (its red lines, its reservation value)"
                    if view.ratification
                    else ""
                ),
                style={"font-size": "smaller"},
            )
        if len(view.rows) > 12:
            solara.Text(f"… and {len(view.rows) - 12} more")


def _at_home(row: ZoneRow) -> str:
    """The zone table's "at home" cell: ratified, or what rejects the deal."""
    if row.ratified:
        return "**new** ratified" if row.newly_ratified else "ratified"
    return "not ratified: " + "; ".join(row.home)


@solara.component
def Negotiation(scenario: Scenario) -> None:
    """One negotiation of the tweaked scenario, a round at a time."""
    stepper = solara.use_reactive(None)

    def fresh() -> Stepper:
        made = Stepper(scenario, seed=seed.value)
        stepper.set(made)
        return made

    def step() -> None:
        current = stepper.value or fresh()
        current.step()
        transcript.set(list(current.lines))
        ending.set(current.ending())

    def play() -> None:
        current = stepper.value or fresh()
        current.play()
        transcript.set(list(current.lines))
        ending.set(current.ending())

    def reset() -> None:
        stepper.set(None)
        transcript.set([])
        ending.set("")

    def reseed(value: int | None) -> None:
        if value is not None and value in SEEDS:  # out of range: the seed stays
            seed.set(value)
            reset()

    solara.use_effect(reset, dependencies=[scenario])
    with solara.Card("One negotiation", subtitle="step the rounds: offers, answers, vetoes"):
        with solara.Row():
            solara.InputInt("seed", value=seed.value, on_value=reseed)
            solara.Button("Step a round", on_click=step, color="primary")
            solara.Button("Play to the end", on_click=play)
            solara.Button("Reset", on_click=reset, text=True)
        if ending.value:
            failed = "\nNot ratified:" in ending.value  # signed, but it failed at home
            Notice(ending.value, "warn" if failed else "ok", "negsim-ending")
        if transcript.value:
            lines = transcript.value
            # a box of its own, so a long negotiation does not push the rest away
            with solara.Column(
                classes=["negsim-transcript"], style={"max-height": "420px", "overflow-y": "auto"}
            ):
                solara.Markdown("```\n" + "\n".join(lines) + "\n```")


def _batch_figure(bars: list[Bar], title: str) -> Figure:
    """Shares of no deal and the top deals in their colours, each named by what sets it apart."""
    shares = [bar.share for bar in bars]
    deals = [share.label.split("; ") for share in shares[1:]]
    common = set.intersection(*(set(d) for d in deals)) if len(deals) > 1 else set()
    labels = ["no deal"] + [
        textwrap.fill("; ".join(part for part in d if part not in common), 48) for d in deals
    ]
    figure = Figure(figsize=(8, 0.62 * len(shares) + 1.4))
    ax = figure.subplots()
    values = [s.share for s in shares]
    errors = [
        [max(0.0, s.share - s.interval[0]) for s in shares],
        [max(0.0, s.interval[1] - s.share) for s in shares],
    ]
    colours = [bar.colour for bar in bars]
    drawn = ax.barh(range(len(shares)), values, xerr=errors, color=colours, capsize=3)
    for patch, repeat in zip(drawn.patches, repeats(colours), strict=True):
        if repeat:  # two deals of one colour: the later ones hatched, never recoloured
            patch.set_hatch("//" * repeat)
            patch.set_edgecolor("white")
    home = any(s.ratified is not None for s in shares)
    for k, (patch, share, colour) in enumerate(zip(drawn.patches, shares, colours, strict=True)):
        kept = share.ratified_share
        if kept is None:
            continue
        # as deals.png draws it: the signed share outlined and hatched, its ratified
        # part solid on top (a repeated colour keeps its own hatch there)
        hatch = patch.get_hatch()
        patch.set_facecolor("white")
        patch.set_edgecolor(colour)
        patch.set_hatch("xx")
        solid = ax.barh([k], [kept.share], color=colour, height=patch.get_height())[0]
        if hatch:
            solid.set_hatch(hatch)
            solid.set_edgecolor("white")
    for k, share in enumerate(shares):
        kept = share.ratified_share
        said = f"{share.share:.1%}" + (f" / {kept.share:.1%}" if kept is not None else "")
        ax.text(share.interval[1] + 0.015, k, said, va="center", fontsize=8)
    ax.set_yticks(range(len(shares)), labels, fontsize=7.5)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.25 if home else 1.1)
    ax.set_xticks([0.0, 0.25, 0.5, 0.75, 1.0])
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel(
        "share of runs (95% interval)"
        + ("\nnumbers: signed / ratified at home; crossed: signed, failed at home" if home else "")
    )
    lines = [title]
    if common:
        lines.append(textwrap.fill(f"every deal shown: {'; '.join(sorted(common))}", 72))
    ax.set_title("\n".join(lines), fontsize=9)
    figure.tight_layout()
    return figure


@solara.component
def QuickBatch(scenario: Scenario) -> None:
    """About 1,000 runs of the tweaked scenario and their outcome distribution."""

    def run() -> None:
        rows = quick_rows(scenario, runs=1_000, seed=seed.value)
        batch.set(batch_bars(rows, scenario))
        batch_rows.set(QuickRows(rows, scenario))

    def forget() -> None:
        batch.set([])
        batch_rows.set(None)

    solara.use_effect(forget, dependencies=[scenario])
    with solara.Card("Quick batch", subtitle="1,000 runs with the settings on the left"):
        solara.Button("Run 1,000 negotiations", on_click=run)
        if batch.value:
            title = f"{scenario.id} (tweaked) — 1,000 runs"
            with solara.Column(classes=["negsim-batch"]):
                solara.FigureMatplotlib(_batch_figure(batch.value, title), format="png")
            if batch_rows.value is not None and (
                home := failed_at_home(batch_rows.value.rows, scenario)
            ):
                solara.Text(home, classes=["negsim-home"], style={"display": "block"})
        if batch_rows.value is not None:
            WhichConditions(batch_rows.value)


@solara.component
def WhichConditions(held: QuickRows) -> None:
    """The top PRIM box of the quick batch in words, computed in a thread.

    PRIM comes with EMA Workbench, whose import takes several seconds: it is imported
    only here, off the page's thread, so the page answers while it loads.
    """
    result = solara.use_thread(
        lambda: which_conditions(held.rows, held.scenario), dependencies=[held]
    )
    with solara.Column(classes=["negsim-conditions"]):
        solara.Markdown("**Which conditions** (PRIM, as `negsim discover`)")
        found: Conditions | None = result.value
        if result.state == solara.ResultState.FINISHED and found is not None:
            # plain text: the words quote the scenario's labels, never read as markup
            solara.Text(found.question, style={"font-style": "italic"})
            if found.why:
                solara.Text(found.why, style={"color": "#555"})
            solara.Text(found.answer, classes=["negsim-conditions-answer"])
        elif result.state == solara.ResultState.ERROR:
            _to_terminal(f"which conditions: {result.error!r}")
            Notice("PRIM could not run: the terminal running negsim ui says why.", "warn")
        else:
            solara.Text(
                "Finding the conditions under which the outcome forms (PRIM; the first time"
                " takes several seconds while EMA Workbench loads) …",
                style={"color": "#555"},
            )


@solara.component
def Page() -> None:
    """The whole page."""
    loaded = solara.use_memo(lambda: _load(file.value), dependencies=[file.value])
    scenario = solara.use_memo(
        lambda: _tweaked(loaded),
        dependencies=[
            loaded,
            off.value,
            credibility.value,
            reservation.value,
            strategy.value,
            informed.value,
        ],
    )
    if isinstance(loaded, str) or isinstance(scenario, str):
        Notice(loaded if isinstance(loaded, str) else str(scenario), "error")
        return
    solara.Title(f"negsim — {loaded.title}")
    with solara.Column(style={"padding": "12px"}):
        solara.Markdown(f"## {loaded.title}\n`{loaded.id}` — {file.value}")
        with solara.Columns([1, 2]):
            with solara.Column():
                solara.Select(
                    label="scenario",
                    values=FILES,
                    value=file.value,
                    on_value=_pick,
                )
                RedLines(loaded)
                if loaded.has_ratifiers:
                    Ratification(loaded)
                Parties(loaded)
            with solara.Column():
                Zone(scenario, loaded)
                Negotiation(scenario)
                QuickBatch(scenario)


def _pick(path: str) -> None:
    """Open a scenario of the list; any other value (not offered by the page) is ignored."""
    if path in FILES and path != file.value:
        file.set(path)
        _reset_tweaks()


def _tweaked(loaded: Scenario | str) -> Scenario | str:
    """The scenario with the page's tweaks, or what is wrong with them."""
    if isinstance(loaded, str):
        return loaded
    try:
        return tweak(loaded, _tweaks())
    except ScenarioError as exc:  # a tweak that the scenario cannot take
        _to_terminal("\n".join(exc.lines()))
        return (
            f"These settings do not make a valid scenario of {file.value}: "
            "the terminal running negsim ui says why."
        )


def _load(path: str) -> Scenario | str:
    if not path:
        return "No scenario: give a file (negsim ui FILE) or run from a folder with scenarios/."
    if path not in FILES:  # only the page's own list is ever opened
        return "No such scenario on this page."
    try:
        scenario = load_scenario(Path(path))
        check_size(scenario)  # a space too large to show is bad input like any other
        return scenario
    except ScenarioError as exc:
        _to_terminal("\n".join(exc.lines()))
    except Exception:  # whatever went wrong, its words stay off the page
        _to_terminal(traceback.format_exc())
    return f"{path} is not a valid scenario: the terminal running negsim ui says why."


def _to_terminal(details: str) -> None:
    """Details that may quote a file: for the terminal, never for the browser."""
    print(details, file=sys.stderr, flush=True)

"""What the interactive page computes, apart from the page itself (testable without it).

A user's tweaks — red lines switched off, credibilities, reservation values,
strategies, and the same for the ratifiers at home — make a new scenario; the page
shows its agreement zone (and, with ratifiers, which of its deals would be ratified)
against the scenario as loaded, steps one negotiation of it round by round, and runs
quick batches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.analysis import analyze
from sim.batch.deals import RUNS, deal_counts, deal_keys
from sim.batch.summary import Share
from sim.plots.colours import NO_DEAL_COLOUR, deal_colour
from sim.scenario import Scenario, ScenarioError
from sim.scenario.validate import revalidate
from sim.simulation import NegotiationModel, simulate
from sim.simulation.story import ratification_line, round_lines
from sim.simulation.tables import Tables
from sim.space import compile_space
from sim.strategies import REGISTRY

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Tweaks:
    """The user's changes to a scenario.

    Keys name things as rows and messages do (DESIGN.md): a party's red line
    ``party.line``, a ratifier's ``party.ratifier.line``; a party's reservation value
    ``party``, a ratifier's ``party.ratifier``.
    """

    off: frozenset[str] = frozenset()  # red lines switched off: party[.ratifier].line
    credibility: Mapping[str, float] = field(default_factory=dict)  # party[.ratifier].line -> c
    reservation: Mapping[str, float] = field(default_factory=dict)  # party[.ratifier] -> r
    strategy: Mapping[str, str] = field(default_factory=dict)  # party -> type
    informed: Mapping[str, float] = field(default_factory=dict)  # party.ratifier -> chance


def party_strategies(scenario: Scenario, party: str) -> list[str]:
    """The strategies a party may take: the mediator's policies, or the parties' tactics."""
    role = "mediator" if party == scenario.mediator else "party"
    return [name for name, cls in REGISTRY.items() if cls.role == role]


def tweak(scenario: Scenario, tweaks: Tweaks) -> Scenario:
    """The scenario with the user's changes, validated (a value set is not sampled)."""
    data: dict[str, Any] = scenario.model_dump(mode="json")
    sampled = data["uncertainty"]["parameters"]
    gone: list[str] = []  # the paths of the lines switched off, each ending in "."
    for pid, party in data["parties"].items():
        gone += _drop_lines(party, pid, f"parties.{pid}", tweaks.off)
        for line in party["red_lines"]:
            key = f"{pid}.{line['id']}"
            if key in tweaks.credibility:
                line["credibility"] = float(tweaks.credibility[key])
                sampled.pop(f"parties.{key.replace('.', '.red_lines.', 1)}.credibility", None)
        if pid in tweaks.reservation:
            party["reservation"] = float(tweaks.reservation[pid])
            sampled.pop(f"parties.{pid}.reservation", None)
        if pid in tweaks.strategy and tweaks.strategy[pid] != party["strategy"]["type"]:
            party["strategy"] = {"type": tweaks.strategy[pid]}
            sampled.pop(f"parties.{pid}.strategy.exponent", None)
        for ratifier in party["ratification"]:
            gone += _tweak_ratifier(pid, ratifier, tweaks, sampled)
    # Nothing samples or sets a line that is switched off, and no event drops it; an
    # event left doing nothing goes.
    for path in [p for p in sampled if p.startswith(tuple(gone))]:
        del sampled[path]
    for event in data["events"]:
        event["drop_red_lines"] = [r for r in event["drop_red_lines"] if r not in tweaks.off]
        event["set"] = {k: v for k, v in event["set"].items() if not k.startswith(tuple(gone))}
    data["events"] = [
        e for e in data["events"] if e["set"] or e["drop_red_lines"] or e["extend_deadline"]
    ]
    return revalidate(scenario, data)  # problems keep the file's lines


def _drop_lines(owner: dict[str, Any], key: str, path: str, off: frozenset[str]) -> list[str]:
    """Remove the owner's lines switched off; the paths they had (``...red_lines.ID.``)."""
    gone = [line["id"] for line in owner["red_lines"] if f"{key}.{line['id']}" in off]
    owner["red_lines"] = [line for line in owner["red_lines"] if line["id"] not in gone]
    return [f"{path}.red_lines.{name}." for name in gone]


def _tweak_ratifier(
    pid: str, ratifier: dict[str, Any], tweaks: Tweaks, sampled: dict[str, Any]
) -> list[str]:
    """A ratifier's lines, credibilities, reservation and ``informed``, as the user set them.

    Returns the paths of its lines switched off, as :func:`_drop_lines` does.
    """
    key = f"{pid}.{ratifier['id']}"
    path = f"parties.{pid}.ratification.{ratifier['id']}"
    gone = _drop_lines(ratifier, key, path, tweaks.off)
    for line in ratifier["red_lines"]:
        if f"{key}.{line['id']}" in tweaks.credibility:
            line["credibility"] = float(tweaks.credibility[f"{key}.{line['id']}"])
            sampled.pop(f"{path}.red_lines.{line['id']}.credibility", None)
    for name, given in (("reservation", tweaks.reservation), ("informed", tweaks.informed)):
        if key in given:
            ratifier[name] = float(given[key])
            sampled.pop(f"{path}.{name}", None)
    return gone


@dataclass(frozen=True)
class ZoneRow:
    """A deal in the agreement zone, for the page's table."""

    index: int
    words: str
    utilities: dict[str, float]
    nash_product: float
    pareto: bool
    new: bool  # not in the zone of the scenario as loaded
    nash: bool = False  # the Nash point (highest Nash product)
    kalai: bool = False  # the Kalai–Smorodinsky point
    #: Whether every ratifier of every signer accepts it (None: the scenario has none).
    ratified: bool | None = None
    #: What rejects it at home, in words (empty when ratified or without ratifiers).
    home: tuple[str, ...] = ()
    #: Ratified now but not in the scenario as loaded.
    newly_ratified: bool = False

    @property
    def marks(self) -> str:
        """N, K and P as ``negsim analyze`` marks them (Nash, Kalai–Smorodinsky, Pareto)."""
        return "".join(
            m for m, on in zip("NKP", (self.nash, self.kalai, self.pareto), strict=True) if on
        )


@dataclass(frozen=True)
class ZoneView:
    """The agreement zone of a tweaked scenario, against the scenario as loaded."""

    rows: list[ZoneRow]
    outcomes: int
    relaxations: list[list[str]]
    #: Whether any party has ratifiers (then each row says whether it would be ratified).
    ratification: bool = False
    #: The smallest sets of red lines (parties' and ratifiers', as keys) whose removal
    #: gives a deal that would be ratified; only when none would be.
    ratifiable_relaxations: list[list[str]] = field(default_factory=list)

    @property
    def size(self) -> int:
        """How many deals can form."""
        return len(self.rows)

    @property
    def new(self) -> int:
        """How many deals can form now that could not before."""
        return sum(r.new for r in self.rows)

    @property
    def ratifiable(self) -> int:
        """How many of the deals that can form every ratifier would accept."""
        return sum(bool(r.ratified) for r in self.rows)

    @property
    def newly_ratifiable(self) -> int:
        """How many deals would be ratified now that would not be as loaded."""
        return sum(r.newly_ratified for r in self.rows)


def zone_view(scenario: Scenario, loaded: Scenario) -> ZoneView:
    """Which deals can form in the tweaked scenario, which are new, which would be ratified.

    With ratifiers, a row is ratified when it is in ``Analysis.ratifiable`` (every
    ratifier of every signer accepts it), and ``home`` names what rejects it
    (``Analysis.home_obstacles``, in words).
    """
    first = analyze(compile_space(loaded), 0)
    before, ratified_before = set(first.feasible.tolist()), set(first.ratifiable.tolist())
    result = analyze(compile_space(scenario), 3)
    space = result.space
    signers = [p for p, flag in zip(space.parties, space.signs, strict=True) if flag]
    ratification = scenario.has_ratifiers
    ratifiable = set(result.ratifiable.tolist())
    rows = [
        ZoneRow(
            index=int(k),
            words="; ".join(space.describe(int(k))),
            utilities={p: float(space.utility[space.parties.index(p), int(k)]) for p in signers},
            nash_product=float(product),
            pareto=bool(pareto),
            new=int(k) not in before,
            nash=int(k) == result.nash,
            kalai=int(k) == result.kalai_smorodinsky,
            ratified=(int(k) in ratifiable) if ratification else None,
            home=tuple(home_words(scenario, key) for key in result.home_obstacles(int(k)))
            if ratification
            else (),
            newly_ratified=ratification and int(k) in ratifiable - ratified_before,
        )
        for k, product, pareto in zip(
            result.feasible, result.nash_product, result.pareto, strict=True
        )
    ]
    relaxations = [[space.lines[k].key for k in r] for r in result.relaxations if r]
    home_relaxations = (
        [[result.line_key(k) for k in r] for r in result.ratifiable_relaxations if r]
        if ratification and not ratifiable
        else []
    )
    return ZoneView(rows, space.n_outcomes, relaxations, ratification, home_relaxations)


def home_words(scenario: Scenario, key: str) -> str:
    """A ratifier's red line (``party.ratifier.line``) or reservation (``party.ratifier``).

    In words: ``Verkhovna Rada (Ukraine): no_de_jure_recognition``, or ``below the
    reservation value of Verkhovna Rada (Ukraine)``.
    """
    party, ratifier, *line = key.split(".")
    who = f"{scenario.ratifier_label(party, ratifier)} ({scenario.party_label(party)})"
    return f"{who}: {line[0]}" if line else f"below the reservation value of {who}"


class Stepper:
    """One negotiation of a scenario, played a round at a time, with its story."""

    def __init__(self, scenario: Scenario, seed: int = 0, run: int = 0) -> None:
        self.model = NegotiationModel(Tables.of(scenario), seed=seed, runs=[run], trace=True)
        self.lines: list[str] = []

    @property
    def done(self) -> bool:
        """Whether the negotiation has ended."""
        return not self.model.running

    def step(self) -> list[str]:
        """Play one round; return it in words."""
        if self.done:
            return []
        self.model.step()
        assert self.model.trace is not None
        new = round_lines(self.model, self.model.trace[-1])
        self.lines += new
        return new

    def play(self) -> None:
        """Play to the end."""
        while not self.done:
            self.step()

    def ending(self) -> str:
        """How the negotiation ended, in words ('' while it goes on)."""
        if not self.done:
            return ""
        result = self.model.outcomes()
        space = self.model.space
        if result.agreement[0]:
            words = "; ".join(space.describe(result.choice[0]))
            said = f"Agreement in round {int(result.round[0])}: {words}"
            if space.ratifiers:  # the story's own words: ratified, or who refused it
                said += f"\n{ratification_line(self.model)}"
            return said
        return "No agreement."


@dataclass(frozen=True)
class Bar:
    """One bar of the quick batch: a deal (or no deal) and how often it formed."""

    share: Share
    deal: Mapping[str, str] | None  # issue -> option; None for no deal

    @property
    def colour(self) -> str:
        """The deal's colour, as in every figure (:func:`sim.plots.colours.deal_colour`)."""
        return NO_DEAL_COLOUR if self.deal is None else deal_colour(self.deal)


def quick_batch(scenario: Scenario, runs: int = 1_000, seed: int = 0, top: int = 5) -> list[Bar]:
    """A quick batch: no deal and the most frequent deals, with 95% intervals."""
    return batch_bars(quick_rows(scenario, runs, seed), scenario, top)


def quick_rows(scenario: Scenario, runs: int = 1_000, seed: int = 0) -> pd.DataFrame:
    """The rows of a quick batch (one per run, as ``negsim batch`` writes them)."""
    return simulate(compile_space(scenario), seed=seed, runs=runs)


def batch_bars(rows: pd.DataFrame, scenario: Scenario, top: int = 5) -> list[Bar]:
    """No deal and the ``top`` most frequent deals of ``rows``, with 95% intervals.

    With ratifiers, each deal's share also counts the runs in which it was ratified at
    home (``Share.ratified``; the rows' ``ratified`` column).
    """
    space = compile_space(scenario)
    issues = list(space.issues)
    bars = [Bar(Share("no deal", int((~rows["agreement"]).sum()), len(rows)), None)]
    home = None
    if scenario.has_ratifiers and "ratified" in rows.columns:
        kept = rows["ratified"].fillna(False).to_numpy(dtype=bool)
        home = deal_keys(rows, issues)[kept].value_counts()
    for _, found in deal_counts(rows, scenario).head(top).iterrows():
        deal = {issue: str(found[issue]) for issue in issues}
        words = "; ".join(space.describe(space.index_of(deal)))
        ratified = None if home is None else int(home.get(tuple(deal.values()), 0))
        bars.append(Bar(Share(words, int(found[RUNS]), len(rows), ratified), deal))
    return bars


def failed_at_home(rows: pd.DataFrame, scenario: Scenario) -> str:
    """How many signed deals of a quick batch failed at home, in words ('' without ratifiers)."""
    if not scenario.has_ratifiers or "ratified" not in rows.columns:
        return ""
    signed = int(rows["agreement"].sum())
    if not signed:
        return "No deal was signed, so none went home to be ratified."
    failed = signed - int(rows["ratified"].fillna(False).sum())
    low, high = Share("", failed, signed).interval
    return (
        f"{failed:,} of the {signed:,} deals signed failed at home"
        f" ({failed / signed:.1%}, 95% interval {low:.1%}–{high:.1%}): a ratifier of a"
        " signer rejected them."
    )


#: Above this share of runs with a deal, the panel asks when the talks fail instead.
NEARLY_EVERY = 0.9


@dataclass(frozen=True)
class Conditions:
    """The "which conditions" panel: the question asked of a quick batch and its answer."""

    target: str  # "deal" or "no_deal"
    question: str  # the question in words
    answer: str  # the top box in words, or why PRIM cannot say
    why: str = ""  # why this target was asked for
    found: bool = False  # True when ``answer`` is a box


def conditions_target(rows: pd.DataFrame) -> str:
    """``deal``, or ``no_deal`` when a deal forms in nearly every run (over 90%).

    When nearly every run ends in a deal, a box "giving a deal" is nearly the whole input
    space, barely denser than the batch, and says little; the rare runs without a deal
    are what an analyst wants explained: under which conditions the talks fail.
    """
    share = float(rows["agreement"].mean()) if len(rows) else 0.0
    return "no_deal" if share > NEARLY_EVERY else "deal"


def which_conditions(rows: pd.DataFrame, scenario: Scenario) -> Conditions:
    """The top PRIM box of a quick batch in words (``negsim discover``'s first box).

    Slow on first use: it imports EMA Workbench (several seconds); the page calls it in a
    thread. Where PRIM cannot answer (every run or none reaches the target, too few runs
    with or without it, nothing varies), ``answer`` says so in a sentence.
    """
    from sim.analysis.discover import MIN_RUNS, Target, box_words, discover_rows, input_columns

    target = conditions_target(rows)
    runs = len(rows)
    deals = int(rows["agreement"].sum())
    hits = deals if target == "deal" else runs - deals
    if target == "deal":
        question, one = "Under which conditions does a deal form?", "a deal"
        why = ""
    else:
        question, one = "Under which conditions do the talks fail?", "no deal"
        why = (
            f"A deal formed in {deals:,} of {runs:,} runs (over {NEARLY_EVERY:.0%}), so the"
            " question is when one does not."
        )

    def say(answer: str) -> Conditions:
        return Conditions(target, question, answer, why)

    if hits == 0:
        if target == "no_deal":  # the answer says it all: no "why" beside it
            return Conditions(
                target,
                question,
                f"Every one of the {runs:,} runs ended in a deal: with these settings nothing"
                " that varies from run to run stops one, so there is no condition to find.",
            )
        return say(
            f"None of the {runs:,} runs ended in a deal: no condition among those that vary"
            " gives one. Switch a red line off or lower a reservation value."
        )
    if min(hits, runs - hits) < MIN_RUNS:
        reach, miss = ("with a deal", "without a deal")[:: 1 if target == "deal" else -1]
        few, fewer = (hits, reach) if hits < MIN_RUNS else (runs - hits, miss)
        return say(
            f"Only {few:,} of {runs:,} runs ended {fewer}: too few for PRIM to tell under"
            f" which conditions (it needs at least {MIN_RUNS} of each)."
        )
    if not input_columns(rows, ()):
        return say(
            "Nothing varies from run to run (every red line firm or not in every run, no"
            " sampled parameter, no event by chance), so no condition can explain the"
            " outcomes."
        )
    try:
        discovery = discover_rows(rows, scenario, Target(target))  # type: ignore[arg-type]
    except ScenarioError as exc:  # a case the checks above did not foresee
        return say(exc.problems[0].message if exc.problems else str(exc))
    if not discovery.boxes:
        return say(
            f"{one[:1].upper()}{one[1:]} in {hits:,} of {runs:,} runs, and PRIM found no set"
            " of conditions under which it is clearly more frequent than that."
        )
    box = discovery.boxes[0]
    return Conditions(
        target,
        question,
        box_words(box, discovery)[:1].upper() + box_words(box, discovery)[1:] + ".",
        why,
        True,
    )


def scenario_files(extra: str | None = None) -> list[Path]:
    """The scenarios the page offers: the one given and those in ./scenarios."""
    found = sorted(Path("scenarios").glob("*.yaml")) if Path("scenarios").is_dir() else []
    if extra:
        given = Path(extra)
        found = [given, *[f for f in found if f.resolve() != given.resolve()]]
    return found


__all__ = [
    "Bar",
    "Conditions",
    "Stepper",
    "Tweaks",
    "ZoneView",
    "batch_bars",
    "conditions_target",
    "failed_at_home",
    "home_words",
    "party_strategies",
    "quick_batch",
    "quick_rows",
    "scenario_files",
    "tweak",
    "which_conditions",
    "zone_view",
]

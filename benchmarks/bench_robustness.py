"""Does the answer swing with the mediator's parameters? One parameter at a time.

Run: .venv/bin/python benchmarks/bench_robustness.py [--runs N] [--scenarios N] [--quick]

Every ``single_text`` parameter (bias, logroll, attention, temperature, polish) is moved
alone across its documented range, the others at their defaults, on

* the baseline (scenarios/ukraine_2025.yaml) as it stands and with every red line firm
  (no uncertainty, no events): per setting, the share of runs with a deal, the modal
  deal and its share of the deals, and (firm) the share of deals Pareto-dominated
  within the zone over the ``signs: true`` parties;
* a fixed, seeded set of generated mediated negotiations (:func:`generated`: two to
  four signatories, sometimes a party that some options need, red lines, a mediator
  with preferences of its own), every line firm: per setting, pooled over the set, the
  share of runs without a deal, in how many scenarios the modal deal differs from the
  modal deal at the defaults, the mean share of deals that are the defaults' modal
  deal, and the pooled share of dominated deals.

Then, on the generated set at the defaults, why runs end without a deal although the
zone is not empty: the no-deal share at three deadlines (the deadline is the search's
budget), and each no-deal run replayed with its trace (sim.simulation.story.replay)
and classified by what happened. Only public interfaces are used, so the figures can be
regenerated after the engine changes. Issue 10, point 2; the figures are in the README.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis import analyze
from sim.scenario import Scenario, load_scenario
from sim.scenario.validate import validate_document
from sim.scenario.yamlsource import Document
from sim.simulation import simulate
from sim.simulation.story import replay, to_json
from sim.space import OutcomeSpace, compile_space
from sim.strategies.single_text import SingleText

ROOT = Path(__file__).resolve().parents[1]

RANGES: dict[str, list[Any]] = {
    "bias": [0.0, 1.0, 4.0, 16.0, 50.0],
    "logroll": [0.0, 0.25, 0.5, 0.75, 0.95],
    "attention": [0.0, 1.0, 4.0, 20.0, 100.0],
    "temperature": [0.0, 0.1, 0.3, 1.0],
    "polish": [0, 5, 20, 100],
}

#: The documented defaults, read from the policy itself.
DEFAULTS: dict[str, Any] = {name: SingleText.Params.model_fields[name].default for name in RANGES}

#: Seed of the generated set; scenario k draws from numpy's Generator([GENERATOR_SEED, k]).
GENERATOR_SEED = 2026
#: A generated scenario is kept when its firm zone holds at least this many outcomes.
MIN_ZONE = 2
#: Deadline of every generated scenario (the efficiency test draws 20 to 40).
DEADLINE = 30
#: Simulation seed of every setting.
SEED = 1

Deal = tuple[str, ...]
GRID = [k / 10 for k in range(11)]
TACTICS: list[dict[str, Any]] = [
    {"type": "boulware", "exponent": 0.3},
    {"type": "linear"},
    {"type": "conceder", "exponent": 2.0},
    {"type": "hardliner"},
]


def generated(index: int, seed: int = GENERATOR_SEED) -> dict[str, Any]:
    """Generated mediated negotiation ``index``: a scenario document, before validation.

    Three to five issues of two to four options; two to four signatories (``p0``...);
    with chance 1/2 a party ``s`` that does not sign but that some options need (each
    option but the first of an issue with chance 0.3); every negotiating party has
    weights 0-3 on the issues, values on a 0.1 grid, a reservation value of 0.2-0.5, a
    tactic (Boulware, linear, conceder, hardliner) and zero to two forbid or require
    lines over one or two issues; the mediator ``m`` does not sign and has weights and
    values of its own.
    """
    rng = np.random.default_rng([seed, index])
    n_issues = int(rng.integers(3, 6))
    sizes = [int(s) for s in rng.integers(2, 5, n_issues)]
    n_signatories = int(rng.integers(2, 5))
    needed = bool(rng.random() < 0.5)
    names = [f"p{k}" for k in range(n_signatories)] + (["s"] if needed else [])
    issues: dict[str, Any] = {}
    for i, size in enumerate(sizes):
        options = {}
        for k in range(size):
            needs = ["s"] if needed and k > 0 and rng.random() < 0.3 else []
            options[f"o{i}_{k}"] = {"label": f"option {k} of issue {i}", "needs": needs}
        issues[f"i{i}"] = {"options": options}
    parties: dict[str, Any] = {}
    for pid in [*names, "m"]:
        w = rng.integers(0, 4, n_issues)
        if not w.any():
            w[rng.integers(n_issues)] = 1
        weights = {f"i{i}": float(w[i]) for i in range(n_issues) if w[i] > 0}
        values = {i: {o: float(rng.choice(GRID)) for o in issues[i]["options"]} for i in weights}
        party: dict[str, Any] = {"signs": pid.startswith("p"), "weights": weights}
        party["values"] = values
        if pid == "m":
            party.update(reservation=0.0, strategy={"type": "single_text"})
        else:
            party["reservation"] = float(rng.choice([0.2, 0.3, 0.4, 0.5]))
            party["strategy"] = TACTICS[int(rng.integers(len(TACTICS)))]
            party["red_lines"] = [_line(rng, issues, j) for j in range(int(rng.integers(0, 3)))]
        parties[pid] = party
    return {
        "id": f"generated-{index}",
        "title": f"Generated negotiation {index}",
        "deadline": DEADLINE,
        "protocol": "mediated",
        "mediator": "m",
        "issues": issues,
        "parties": parties,
    }


def _line(rng: np.random.Generator, issues: dict[str, Any], j: int) -> dict[str, Any]:
    """A forbid (chance 0.6) or require line over one or two issues."""
    listed = rng.choice(len(issues), size=int(rng.integers(1, 3)), replace=False)
    rule = {}
    for i in sorted(int(x) for x in listed):
        options = list(issues[f"i{i}"]["options"])
        pick = rng.choice(len(options), size=int(rng.integers(1, len(options))), replace=False)
        rule[f"i{i}"] = [options[int(x)] for x in sorted(pick)]
    kind = "forbid" if rng.random() < 0.6 else "require"
    return {"id": f"l{j}", kind: rule, "credibility": float(rng.choice(GRID))}


def variant(data: dict[str, Any], firm: bool, **mediator: Any) -> Scenario:
    """The document with the mediator's parameters set (and every line firm if asked)."""
    data = {**data, "parties": {pid: dict(party) for pid, party in data["parties"].items()}}
    if firm:
        for party in data["parties"].values():
            party["red_lines"] = [
                {**line, "credibility": 1.0} for line in party.get("red_lines", [])
            ]
        data["uncertainty"], data["events"] = {}, []
        for party in data["parties"].values():
            party["cost_of_delay"] = 0.0  # the zone is the firm zone only without them
    mediator_party = data["parties"][data["mediator"]]
    mediator_party["strategy"] = {**mediator_party["strategy"], **mediator}
    return validate_document(Document(data))


@dataclass
class Zone:
    """The firm zone of a scenario, in option ids, and its Pareto set over the signatories."""

    space: OutcomeSpace
    zone: set[Deal]
    pareto: set[Deal]

    @classmethod
    def of(cls, scenario: Scenario) -> Zone:
        space = compile_space(scenario)
        result = analyze(space, 0)
        deals = [tuple(space.outcome(int(o)).values()) for o in result.feasible]
        pareto = {d for d, ok in zip(deals, result.pareto, strict=True) if ok}
        return cls(space, set(deals), pareto)

    def signers(self, deal: Deal) -> set[str]:
        """The parties that must sign ``deal``."""
        o = self.space.index_of(dict(zip(self.space.issues, deal, strict=True)))
        return {p for k, p in enumerate(self.space.parties) if self.space.signer[k, o]}

    def utility(self, deal: Deal) -> np.ndarray:
        """(P,) every party's utility of ``deal``."""
        o = self.space.index_of(dict(zip(self.space.issues, deal, strict=True)))
        return np.asarray(self.space.utility[:, o])

    def compare(self, old: Deal, new: Deal) -> str:
        """How the parties see a change of modal deal from ``old`` to ``new``."""
        space = self.space
        u_old, u_new = self.utility(old), self.utility(new)
        signs = space.signs
        mediator = space.parties.index(str(space.scenario.mediator))
        same = np.abs(u_old - u_new) < 1e-9
        if same[signs].all():
            if same[mediator]:
                return "a tie: the same utilities for every party"
            better = "new" if u_new[mediator] > u_old[mediator] else "old"
            return f"signatories indifferent; the mediator prefers the {better} one"
        kind = "Pareto" if new in self.pareto else "dominated"
        gain = "gains" if u_new[mediator] > u_old[mediator] + 1e-9 else "does not gain"
        return f"signatories not indifferent; the new one is {kind}, the mediator {gain}"


@dataclass
class Sample:
    """The deals of one setting."""

    runs: int
    deals: Counter[Deal] = field(default_factory=Counter)
    dominated: int = 0
    outside: int = 0

    @property
    def n_deals(self) -> int:
        return sum(self.deals.values())

    @property
    def mode(self) -> tuple[Deal, float] | None:
        """The modal deal and its share of the deals."""
        if not self.deals:
            return None
        ((deal, count),) = self.deals.most_common(1)
        return deal, count / self.n_deals


def sample(scenario: Scenario, runs: int, zone: Zone | None) -> Sample:
    """Simulate ``runs`` runs; count the deals, and (given the zone) the dominated ones."""
    rows = simulate(scenario, seed=SEED, runs=runs)
    columns = list(scenario.issues)
    deals = Counter(tuple(map(str, row)) for row in rows.loc[rows.agreement, columns].to_numpy())
    out = Sample(runs, deals)
    if zone is not None:
        for deal, count in deals.items():
            out.dominated += count * (deal in zone.zone and deal not in zone.pareto)
            out.outside += count * (deal not in zone.zone)
    return out


def settings() -> Iterable[tuple[str, Any]]:
    """Every (parameter, value) of the sweep."""
    for name, values in RANGES.items():
        for value in values:
            yield name, value


def baseline_study(runs: int) -> None:
    """The baseline, as it stands and with every line firm: one line per setting."""
    data = load_scenario(ROOT / "scenarios" / "ukraine_2025.yaml").model_dump(
        mode="json", exclude_none=True
    )
    for firm in (False, True):
        zone = Zone.of(variant(data, True)) if firm else None
        title = "every line firm" if firm else "as it stands"
        print(f"\nBaseline, {title}: {runs} runs a setting (* marks the default)")
        default = sample(variant(data, firm), runs, zone).mode
        for name, value in settings():
            s = sample(variant(data, firm, **{name: value}), runs, zone)
            mark = "*" if value == DEFAULTS[name] else " "
            head = f"  {name:<12}{value!s:>6}{mark}  deal {s.n_deals / runs:6.1%}"
            if s.mode is None:
                print(f"{head}  no deals")
                continue
            deal, share = s.mode
            same = "same" if default is not None and deal == default[0] else "OTHER"
            line = f"{head}  mode {same:<5} {share:6.1%}  {'/'.join(deal)}"
            if zone is not None:
                line += f"  dominated {s.dominated / max(s.n_deals, 1):5.1%}"
            print(line)


def generated_set(count: int) -> list[tuple[dict[str, Any], Zone]]:
    """The first ``count`` generated negotiations whose firm zone holds MIN_ZONE outcomes."""
    out: list[tuple[dict[str, Any], Zone]] = []
    index = 0
    while len(out) < count:
        data = generated(index)
        index += 1
        zone = Zone.of(variant(data, True))
        if len(zone.zone) >= MIN_ZONE:
            out.append((data, zone))
    return out


def generated_study(chosen: list[tuple[dict[str, Any], Zone]], runs: int) -> None:
    """The sweep over the generated set: one line per setting, pooled over the set."""
    n = len(chosen)
    print(f"\nGenerated negotiations, every line firm: {n} scenarios, {runs} runs a setting")
    defaults = [sample(variant(data, True), runs, zone) for data, zone in chosen]
    for (data, zone), s in zip(chosen, defaults, strict=True):
        mode = s.mode
        share = f"{mode[1]:6.1%}" if mode else "     -"
        print(
            f"  {data['id']:<14} {zone.space.n_outcomes:4} outcomes, zone {len(zone.zone):3},"
            f" Pareto {len(zone.pareto):2}, {len(data['parties']) - 1} parties:"
            f" no deal {1 - s.n_deals / runs:6.1%}, modal deal {share} of deals"
        )
    print(
        "  setting              no deal  modal deal changed  default mode's share"
        "  deals moved  dominated"
    )
    notes = []
    for name, value in settings():
        samples = [
            sample(variant(data, True, **{name: value}), runs, zone) for data, zone in chosen
        ]
        changed = kept = 0
        shares, moved = [], []
        for (data, zone), base, s in zip(chosen, defaults, samples, strict=True):
            if base.mode is None or s.mode is None:
                continue
            kept += 1
            shares.append(s.deals[base.mode[0]] / s.n_deals)
            moved.append(distance(base, s))
            if s.mode[0] != base.mode[0]:
                changed += 1
                notes.append(
                    f"  {name}={value}, {data['id']}: the default's modal deal"
                    f" {base.mode[1]:.0%} of deals -> {shares[-1]:.0%};"
                    f" the new one {base.deals[s.mode[0]] / base.n_deals:.0%} -> {s.mode[1]:.0%}"
                    f" ({zone.compare(base.mode[0], s.mode[0])})"
                )
        deals = sum(s.n_deals for s in samples)
        dominated = sum(s.dominated for s in samples)
        outside = sum(s.outside for s in samples)
        mark = "*" if value == DEFAULTS[name] else " "
        line = (
            f"  {name:<12}{value!s:>6}{mark}  {1 - deals / (n * runs):6.1%}"
            f"  {changed:>7} of {kept:<2}        {np.mean(shares):6.1%}"
            f"          {np.mean(moved):6.1%}     {dominated / max(deals, 1):5.1%}"
        )
        if outside:
            line += f"  OUTSIDE THE ZONE: {outside}"
        print(line)
    print("  (no deal, dominated: pooled over the runs and deals of every scenario; modal deal")
    print("  changed: scenarios with deals at both settings; default mode's share, deals moved:")
    print("  means over those scenarios; deals moved: total variation distance between the")
    print("  deals at the setting and at the defaults)")
    print("Where the modal deal changed:")
    print("\n".join(notes) if notes else "  nowhere")


def distance(a: Sample, b: Sample) -> float:
    """Total variation distance between the deals of two samples (each given a deal)."""
    keys = set(a.deals) | set(b.deals)
    return 0.5 * sum(abs(a.deals[k] / a.n_deals - b.deals[k] / b.n_deals) for k in keys)


#: No-deal runs replayed per scenario to classify them.
REPLAYS = 40


def why_no_deal(chosen: list[tuple[dict[str, Any], Zone]], runs: int) -> None:
    """At the defaults: per scenario, the no-deal share by deadline; no-deal runs classified."""
    deadlines = (10, DEADLINE, 4 * DEADLINE)
    print("\nWhy runs end without a deal (generated set, defaults; every zone is non-empty)")
    print(
        "  scenario        zone share  first text: lines crossed, issues from the zone"
        "   no deal at deadline " + ", ".join(map(str, deadlines))
    )
    totals = Counter[int]()
    kinds: Counter[str] = Counter()
    for data, zone in chosen:
        failed = []
        for deadline in deadlines:
            scenario = variant({**data, "deadline": deadline}, True)
            rows = simulate(scenario, seed=SEED, runs=runs)
            failed.append(int((~rows.agreement).sum()))
            totals[deadline] += failed[-1]
            if deadline != DEADLINE:
                continue
            stories = [
                to_json(replay(scenario, SEED, int(run)))
                for run in rows.loc[~rows.agreement, "run"][:REPLAYS]
            ]
            for story in stories:
                kinds.update(classify(story, zone, scenario))
        first = first_text(variant(data, True))
        space = zone.space
        crossed = int((space.crosses[:, first] & space.signer[space.line_owner, first]).sum())
        opening = tuple(space.outcome(first).values())
        away = min(sum(a != b for a, b in zip(opening, d, strict=True)) for d in zone.zone)
        shares = "  ".join(f"{f / runs:6.1%}" for f in failed)
        print(
            f"  {data['id']:<14} {len(zone.zone) / zone.space.n_outcomes:6.1%}"
            f"       {crossed:2} lines, {away} issues"
            f"                        {shares}"
        )
    n = len(chosen) * runs
    pooled = "  ".join(f"{totals[d] / n:6.1%}" for d in deadlines)
    print(f"  {'pooled':<14}{'':>67}{pooled}")
    replayed = kinds.pop("runs", 0)
    rounds, idle = kinds.pop("rounds", 0), kinds.pop("idle", 0)
    print(
        f"  {replayed} no-deal runs at deadline {DEADLINE} replayed (at most {REPLAYS} a scenario):"
    )
    for kind, count in sorted(kinds.items()):
        print(f"    {count:4} ({count / max(replayed, 1):5.1%})  {kind}")
    print(
        f"    in {idle} of their {rounds} rounds ({idle / max(rounds, 1):.0%}) the mediator's"
        " draft left the text as it was"
    )


def first_text(scenario: Scenario) -> int:
    """The outcome the mediator opens with (round 1 of run 0's trace)."""
    story = to_json(replay(scenario, SEED, 0))
    space = compile_space(scenario)
    return space.index_of(story["trace"][0]["offer"])


def classify(story: dict[str, Any], zone: Zone, scenario: Scenario) -> list[str]:
    """What a no-deal run's trace shows (a run may fall under several headings)."""
    trace = story["trace"]
    issues = list(scenario.issues)
    out = ["runs"]
    last = trace[-1]
    if not any(r["revision"] and r["revision"]["adopted"] for r in trace):
        out.append("a: the text never moved from the mediator's first text")
    if any(a["red_line"] for a in last["responses"] if not a["accept"]):
        out.append("b: the last text crosses a held red line of a party that must sign it")
    else:
        out.append("c: the last text crosses no held line but is below a signer's reservation")
    drafted = early = unneeded = False
    for r in trace:
        revision = r["revision"]
        if not revision or not revision["changes"]:
            continue
        deal = tuple({**r["offer"], **revision["changes"]}[i] for i in issues)
        if deal not in zone.zone:
            continue
        drafted = True
        against = {v["party"] for v in revision["votes"] if not v["agree"]}
        if against and not against & zone.signers(deal):
            unneeded = True
        elif against:
            early = True
        elif r is last:
            out.append("g: a revision into the zone was adopted in the last round (never signed)")
    if not drafted:
        out.append("d: the mediator never proposed a revision into the zone")
    if early:
        out.append(
            "e: a revision into the zone was refused by a signer of it (aspiration above it)"
        )
    if unneeded:
        out.append("f: a revision into the zone was refused only by parties it does not need")
    idle = sum(1 for r in trace if r["revision"] is not None and not r["revision"]["changes"])
    out.extend(["rounds"] * len(trace) + ["idle"] * idle)
    return out


def main() -> None:
    """Print the three studies."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=400, help="runs a setting (default 400)")
    parser.add_argument(
        "--scenarios", type=int, default=12, help="generated negotiations (default 12)"
    )
    parser.add_argument("--quick", action="store_true", help="60 runs a setting, 8 scenarios")
    args = parser.parse_args()
    runs, count = (60, 8) if args.quick else (args.runs, args.scenarios)
    start = time.perf_counter()
    baseline_study(runs)
    chosen = generated_set(count)
    generated_study(chosen, runs)
    why_no_deal(chosen, runs)
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()

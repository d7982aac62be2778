"""The summary: the same counts as a plain per-point count, fast on large grids, plurals."""

from __future__ import annotations

import copy
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.batch.deals import option_codes
from sim.batch.manifest import manifest_of
from sim.batch.plan import Plan, Point
from sim.batch.store import Batch
from sim.batch.summary import Share, counted, format_summary, summarise_batch, wilson
from sim.scenario import validate_document
from sim.scenario.yamlsource import Document

SCENARIO: dict[str, Any] = {
    "id": "tiny",
    "title": "Tiny",
    "deadline": 5,
    "protocol": "alternating",
    "issues": {
        "x": {"options": {"a": "Option A", "b": "Option B", "c": "Option C"}},
        "y": {"options": {"d": "Option D", "e": "Option E"}},
    },
    "parties": {
        p: {
            "signs": True,
            "reservation": 0.2,
            "weights": {"x": 1, "y": 1},
            "values": {"x": {"a": v, "b": 0.5, "c": 1 - v}, "y": {"d": v, "e": 1 - v}},
        }
        for p, v in (("p", 1), ("q", 0))
    },
}
OPTIONS = {"x": ["a", "b", "c"], "y": ["d", "e"]}
LABELS = {"a": "Option A", "b": "Option B", "c": "Option C", "d": "Option D", "e": "Option E"}
PATH = "parties.p.reservation"


def synthetic(
    outcomes: list[list[tuple[str, str] | None]], rounds: list[list[int]] | None = None
) -> Batch:
    """A batch read back whose point k ran ``outcomes[k]`` (None: no deal)."""
    points = []
    for k, runs in enumerate(outcomes):
        data = copy.deepcopy(SCENARIO)
        data["parties"]["p"]["reservation"] = k / (len(outcomes) + 1)
        point = Point(
            f"tiny@{k:04d}",
            "tiny.yaml",
            "tiny",
            k,
            {PATH: data["parties"]["p"]["reservation"]},
            data,
            max(1, len(runs)),
            0,
        )
        points.append(point)
    plan = Plan(
        tuple(points), block=10**9, sweeps={"tiny": {PATH: [p.values[PATH] for p in points]}}
    )
    flat = [deal for runs in outcomes for deal in runs]
    rows = pd.DataFrame(
        {
            "scenario": pd.Categorical(["tiny"] * len(flat)),
            "agreement": [d is not None for d in flat],
            "round": pd.array(
                [
                    None if d is None else r
                    for d, r in zip(flat, _flat(rounds, outcomes), strict=True)
                ],
                dtype="Int64",
            ),
            "x": pd.Categorical([d and d[0] for d in flat], categories=OPTIONS["x"]),
            "y": pd.Categorical([d and d[1] for d in flat], categories=OPTIONS["y"]),
        }
    )
    point = np.repeat(np.arange(len(outcomes)), [len(r) for r in outcomes]).astype(np.int64)
    return Batch(manifest_of(plan, ()), rows, point, 0)


def _flat(rounds, outcomes):
    if rounds is None:
        return [1] * sum(len(r) for r in outcomes)
    return [r for per in rounds for r in per]


def naive(runs: list[tuple[str, str] | None], top: int):
    """Count one point's deals by hand: most frequent first, ties in outcome order."""
    counts = Counter(d for d in runs if d is not None)
    order = {(x, y): (OPTIONS["x"].index(x), OPTIONS["y"].index(y)) for x, y in counts}
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], order[kv[0]]))
    shown = [(f"{LABELS[x]}; {LABELS[y]}", n) for (x, y), n in ranked[:top]]
    rest = ranked[top:]
    return shown, (len(rest), sum(n for _, n in rest)) if rest else None


deals = st.one_of(
    st.none(), st.tuples(st.sampled_from(OPTIONS["x"]), st.sampled_from(OPTIONS["y"]))
)


@settings(max_examples=60, deadline=None)
@given(
    outcomes=st.lists(st.lists(deals, min_size=1, max_size=30), min_size=1, max_size=6),
    top=st.integers(0, 4),
)
def test_the_summary_counts_what_a_per_point_count_gives(outcomes, top):
    rounds = [[3 + (i % 7) for i in range(len(runs))] for runs in outcomes]
    summaries = summarise_batch(synthetic(outcomes, rounds), top)
    assert len(summaries) == len(outcomes)
    for summary, runs, its_rounds in zip(summaries, outcomes, rounds, strict=True):
        shown, rest = naive(runs, top)
        assert summary.runs == len(runs)
        assert [(s.label, s.count) for s in summary.deals] == shown
        assert all(s.n == len(runs) for s in summary.deals)
        assert summary.no_deal.count == sum(d is None for d in runs)
        agreed = [r for d, r in zip(runs, its_rounds, strict=True) if d is not None]
        assert summary.median_round == (float(np.median(agreed)) if agreed else None)
        if rest is None:
            assert summary.rarer is None
        else:
            assert summary.rarer is not None
            assert (summary.rarer.label, summary.rarer.count) == (
                counted(rest[0], "rarer deal"),
                rest[1],
            )


def test_ten_thousand_sweep_points_summarise_in_seconds():
    rng = np.random.default_rng(7)
    every = [None] + [(x, y) for x in OPTIONS["x"] for y in OPTIONS["y"]]
    outcomes = [[every[i] for i in rng.integers(0, len(every), size=20)] for _ in range(10_000)]
    batch = synthetic(outcomes)
    started = time.perf_counter()
    summaries = summarise_batch(batch, top=3)
    took = time.perf_counter() - started
    assert took < 10, f"{took:.1f} s for 10,000 points"
    for k in (0, 4_321, 9_999):  # spot checks against the count by hand
        shown, _ = naive(outcomes[k], 3)
        assert [(s.label, s.count) for s in summaries[k].deals] == shown
    text = format_summary(summaries)
    assert text.count("tiny  [") == 100
    assert "… and 9,900 more points not shown (the summary lists the first 100)" in text


def test_counts_are_said_with_the_right_plural():
    one = synthetic([[("a", "d"), ("a", "e")], [("b", "d")]], rounds=[[4, 4], [6]])
    text = format_summary(summarise_batch(one, top=1))
    assert "tiny  [parties.p.reservation=0.0]: 2 runs, median round of a deal 4" in text
    assert ": 1 run, median round of a deal 6" in text
    assert "1 rarer deal\n" in text and "rarer deals" not in text
    three = synthetic([[("a", "d"), ("a", "e"), ("b", "e"), ("c", "e")]])
    assert "3 rarer deals" in format_summary(summarise_batch(three, top=1))


@given(st.integers(0, 10**7))
def test_counted_is_singular_for_one_only(n):
    assert counted(n, "run") == (f"{n:,} run" if n == 1 else f"{n:,} runs")
    assert counted(n, "party", "parties").endswith("party" if n == 1 else "parties")


# --- ratification: deals signed and deals ratified ------------------------------------

SENATE = {
    "id": "senate",
    "label": "Senate",
    "reservation": 0.6,
    "red_lines": [{"id": "no_a", "forbid": {"x": ["a"]}, "credibility": 0.5}],
}
SENATE_PATH = "parties.p.ratification.senate.reservation"
#: p's utility (the Senate's: the party's weights and values), by deal.
WORTH = {"a": 1.0, "b": 0.5, "c": 0.0, "d": 1.0, "e": 0.0}

home_runs = st.lists(
    st.tuples(deals, st.booleans(), st.booleans()),  # (deal, ratified, Senate's line firm)
    min_size=1,
    max_size=40,
)


def home_batch(runs: list[tuple[tuple[str, str] | None, bool, bool]], senate: bool = True) -> Batch:
    """One point whose party p must have its deals ratified by a Senate (when ``senate``)."""
    data = copy.deepcopy(SCENARIO)
    if senate:
        data["parties"]["p"]["ratification"] = [SENATE]
    point = Point("tiny", "tiny.yaml", "tiny", 0, {}, data, len(runs), 0)
    plan = Plan((point,), block=10**9, sweeps={})
    flat = [deal for deal, _, _ in runs]
    rows = pd.DataFrame(
        {
            "scenario": pd.Categorical(["tiny"] * len(flat)),
            "agreement": [d is not None for d in flat],
            "round": pd.array([None if d is None else 3 for d in flat], dtype="Int64"),
            "x": pd.Categorical([d and d[0] for d in flat], categories=OPTIONS["x"]),
            "y": pd.Categorical([d and d[1] for d in flat], categories=OPTIONS["y"]),
            "ratified": pd.array(
                [None if d is None or not senate else r for d, r, _ in runs], dtype="boolean"
            ),
            "firm.p.senate.no_a": [f for _, _, f in runs],
        }
    )
    return Batch(manifest_of(plan, ()), rows, np.zeros(len(runs), dtype=np.int64), 0)


@settings(max_examples=60, deadline=None)
@given(runs=home_runs)
def test_signed_and_ratified_deals_are_counted_as_a_count_by_hand(runs):
    (summary,) = summarise_batch(home_batch(runs), top=6)
    signed = [(d, r, f) for d, r, f in runs if d is not None]
    assert summary.signed is not None and summary.failed is not None
    assert (summary.signed.count, summary.signed.ratified) == (
        len(signed),
        sum(r for _, r, _ in signed),
    )
    by_deal = {
        (LABELS[x], LABELS[y]): sum(r for d, r, _ in signed if d == (x, y)) for x, y in OPTIONS_XY
    }
    for share in summary.deals:
        assert share.ratified == by_deal[tuple(share.label.split("; "))]
        assert share.ratified_share is not None and share.ratified_share.n == len(runs)
    failed = [(d, f) for d, r, f in signed if not r]
    assert (summary.failed.count, summary.failed.n) == (len(failed), len(signed))
    # which limit of the Senate rejects them: its firm line (x = a), its reservation 0.6
    expected = {
        "p's Senate's red line no_a": sum(d[0] == "a" and f for d, f in failed),
        "what p's Senate would ratify (its reservation value)": sum(
            (WORTH[d[0]] + WORTH[d[1]]) / 2 < 0.6 for d, _ in failed
        ),
    }
    got = {s.label.removeprefix("on "): s.count for s in summary.failed_by}
    assert got == {k: n for k, n in expected.items() if n}
    assert all(s.n == len(failed) for s in summary.failed_by)


OPTIONS_XY = [(x, y) for x in OPTIONS["x"] for y in OPTIONS["y"]]


def test_the_summary_says_how_often_signed_deals_fail_at_home():
    runs = (
        [(("a", "d"), False, True)] * 30
        + [(("b", "d"), True, True)] * 50
        + [(None, False, True)] * 20
    )
    text = format_summary(summarise_batch(home_batch(runs), top=3))
    low, high = wilson(30, 80)
    assert "signed [95%]" in text and "ratified [95%]" in text
    assert (
        f"Signed deals that fail at home (not ratified): 30 deals of 80 signed, 37.5%"
        f" [{low:.1%}, {high:.1%}]." in text
    )
    assert "Most often failed on p's Senate's red line no_a in 100.0%" in text
    # a deal's line: its signed share, then its ratified share (of all runs)
    for deal, signed, ratified in (("Option B; Option D", 50, 50), ("Option A; Option D", 30, 0)):
        line = next(line for line in text.splitlines() if line.endswith(deal))
        numbers = f"{Share('', signed, 100).numbers()} {Share('', ratified, 100).numbers()}"
        assert " ".join(line.split()).startswith(" ".join(numbers.split()))


def test_without_ratifiers_the_summary_is_unchanged():
    runs = [(("a", "d"), False, True)] * 3 + [(("b", "e"), False, True)] * 2 + [(None, False, True)]
    batch = home_batch(runs, senate=False)
    (summary,) = summarise_batch(batch, top=3)
    assert summary.signed is None and summary.failed is None and summary.failed_by == ()
    assert all(s.ratified is None for s in summary.deals)
    text = format_summary([summary])
    assert "ratif" not in text and "signed" not in text and "fail" not in text
    # the same text as rows that never had the ratification columns
    bare = Batch(
        batch.manifest,
        batch.rows.drop(columns=["ratified", "firm.p.senate.no_a"]),
        batch.point,
        0,
    )
    assert format_summary(summarise_batch(bare, top=3)) == text
    assert f"  {Share('no deal', 1, 6)}\n" in text and str(Share("no deal", 1, 6)).startswith(
        " 16.7%"
    )


def _row_columns(frame: pd.DataFrame) -> list[Any]:
    """A frame's columns as the engine hands them to the writer."""
    from sim.simulation.results import RowColumn

    out = []
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            labels = tuple(str(c) for c in column.cat.categories)
            out.append(RowColumn(name, column.cat.codes.to_numpy().astype(np.int64), labels=labels))
        elif isinstance(column.dtype, pd.BooleanDtype | pd.Int64Dtype):
            valid = column.notna().to_numpy()
            kind = bool if isinstance(column.dtype, pd.BooleanDtype) else np.int64
            values = column.fillna(False if kind is bool else 0).to_numpy(dtype=kind)
            out.append(RowColumn(name, values, valid=valid))
        else:
            out.append(RowColumn(name, column.to_numpy()))
    return out


def test_a_folder_is_summarised_part_by_part_as_the_rows_read_back(tmp_path):
    """The Arrow path of ``summarise`` (parts, chunks) gives what ``summarise_batch`` gives."""
    import yaml

    from sim.batch.manifest import RUNS, write_manifest
    from sim.batch.plan import plan_batch
    from sim.batch.schema import Rows, batch_columns
    from sim.batch.store import write_part
    from sim.batch.summary import summarise

    data = copy.deepcopy(SCENARIO)
    data["parties"]["p"]["ratification"] = [SENATE]
    file = tmp_path / "tiny.yaml"
    file.write_text(yaml.safe_dump(data), encoding="utf-8")
    plan = plan_batch([file], runs=300, seed=1, block=100)
    rng = np.random.default_rng(5)
    every = [None, *OPTIONS_XY]
    runs = [
        (every[i], bool(r), bool(f))
        for i, r, f in zip(
            rng.integers(0, len(every), 300),
            rng.random(300) < 0.6,
            rng.random(300) < 0.5,
            strict=True,
        )
    ]
    frame = home_batch(runs).rows.assign(run=np.arange(300, dtype=np.int64))
    columns = batch_columns([frame], {})
    out = tmp_path / "b"
    (out / RUNS).mkdir(parents=True)
    write_manifest(out, manifest_of(plan, columns))
    for task in plan.tasks():
        piece = frame.iloc[task.start : task.stop].reset_index(drop=True)
        write_part(out, task, [Rows(_row_columns(piece), dict(task.point.values))])
    (from_parts,) = summarise(out, top=3)
    (from_rows,) = summarise_batch(Batch.open(out), top=3)
    (planted,) = summarise_batch(home_batch(runs), top=3)
    assert from_parts == from_rows == planted
    assert from_parts.failed is not None and from_parts.failed.count > 0
    assert from_parts.failed_by


def test_rows_without_a_ratified_column_claim_no_ratification():
    runs = [(("a", "d"), True, True)] * 4 + [(None, False, True)]
    batch = home_batch(runs)
    bare = Batch(batch.manifest, batch.rows.drop(columns=["ratified"]), batch.point, 0)
    (summary,) = summarise_batch(bare, top=3)
    assert summary.signed is None and summary.failed is None
    assert "ratif" not in format_summary([summary])


def test_on_a_real_batch_the_recomputed_limits_are_the_engines_ratified(tmp_path):
    """Every deal the engine did not ratify is rejected by some ratifier's limit, as the
    summary recomputes them from the rows, and no ratified deal is (the baseline: its
    Rada takes Ukraine's preferences, drawn with noise; a stricter, less informed Rada)."""
    from sim.batch import run_batch
    from sim.batch.summary import home_columns, home_rejections, summarise

    base = Path(__file__).resolve().parents[2] / "scenarios" / "ukraine_2025.yaml"
    rada = "parties.ukraine.ratification.rada"
    out = tmp_path / "b"
    run_batch(
        base,
        runs=1500,
        seed=4,
        out=out,
        workers=1,
        overrides=[f"{rada}.informed=0.2", f"{rada}.reservation=0.45"],
    )
    batch = Batch.open(out)
    (scenario,) = batch.manifest.scenarios().values()
    rows = batch.rows[batch.rows["agreement"].to_numpy(dtype=bool)].reset_index(drop=True)
    every = np.ones(len(rows), dtype=bool)
    codes = {
        issue: option_codes(rows[issue], list(spec.options), every)
        for issue, spec in scenario.issues.items()
    }
    columns = {
        c: rows[c].to_numpy(dtype=bool)
        if c.startswith("firm.")
        else rows[c].to_numpy(dtype=float, na_value=np.nan)
        for c in home_columns(scenario)
        if c in rows.columns
    }
    rejected = np.logical_or.reduce(list(home_rejections(scenario, codes, columns).values()))
    ratified = rows["ratified"].to_numpy(dtype=bool)
    assert (~ratified).sum() > 20  # the premise: deals do fail at home here
    assert (rejected == ~ratified).all()
    (summary,) = summarise(out, top=3)
    assert summary.failed is not None and summary.failed.count == int((~ratified).sum())
    assert sum(s.count for s in summary.failed_by) >= summary.failed.count


def test_an_event_that_raises_a_ratifiers_reservation_is_seen():
    """A fired event sets the Senate's reservation to 0.9: (b, d), worth 0.75, then fails."""
    from sim.batch.summary import home_failures

    data = copy.deepcopy(SCENARIO)
    data["parties"]["p"]["ratification"] = [SENATE]
    data["events"] = [
        {"id": "vote", "round": 2, "probability": 0.5, "set": {f"{SENATE_PATH}": 0.9}}
    ]
    scenario = validate_document(Document(data), sources=False)
    codes = {"x": np.array([1, 1, 1, 1]), "y": np.array([0, 0, 0, 0])}  # (b, d) four times
    fired = np.array([True, False, True, False])
    columns = {"event.vote": fired, "firm.p.senate.no_a": np.ones(4, dtype=bool)}
    assert home_failures(scenario, codes, columns)["p.senate"] == 2
    assert home_failures(scenario, codes, {})["p.senate"] == 0


def test_a_ratifiers_line_an_event_dropped_rejects_nothing():
    from sim.batch.summary import home_failures

    data = copy.deepcopy(SCENARIO)
    data["parties"]["p"]["ratification"] = [SENATE]
    data["events"] = [{"id": "deal_at_home", "round": 2, "drop_red_lines": ["p.senate.no_a"]}]
    scenario = validate_document(Document(data), sources=False)
    codes = {"x": np.array([0, 0, 0]), "y": np.array([0, 0, 0])}  # (a, d): crosses no_a
    columns = {"event.deal_at_home": np.array([True, False, False])}
    columns["firm.p.senate.no_a"] = np.array([True, True, False])
    assert home_failures(scenario, codes, columns)["p.senate.no_a"] == 1  # the second run only


def test_a_swept_ratifier_is_judged_at_each_point_by_its_own_numbers(tmp_path):
    """Points of a sweep share one scenario for naming deals, not for numbers: the deals
    that fail at home at a strict point are rejected by that point's reservation value."""
    from sim.batch import run_batch
    from sim.batch.summary import summarise, summarise_batch

    base = Path(__file__).resolve().parents[2] / "scenarios" / "ukraine_2025.yaml"
    rada = "parties.ukraine.ratification.rada"
    out = tmp_path / "b"
    run_batch(
        base,
        runs=600,
        seed=2,
        out=out,
        workers=1,
        overrides=[f"{rada}.informed=0"],
        sweeps={f"{rada}.reservation": [0.3, 0.49]},
    )
    for summaries in (summarise(out, top=3), summarise_batch(Batch.open(out), top=3)):
        lax, strict = summaries
        assert strict.failed is not None and strict.failed.count > 100
        # every deal that failed at the strict point is explained by some limit, and most
        # by the reservation value that point set (0.49; the file says 0.3)
        assert sum(s.count for s in strict.failed_by) >= strict.failed.count
        top = strict.failed_by[0]
        assert "would ratify" in top.label and top.count > 0.9 * strict.failed.count
        assert lax.failed is not None and lax.failed.count < strict.failed.count

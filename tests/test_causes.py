"""Why talks fail (sim.causes): shares of no-deal runs by blocker, line/issue and ending."""

from __future__ import annotations

import re
from inspect import signature
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.batch.manifest import RUNS, manifest_of, write_manifest
from sim.batch.plan import plan_batch
from sim.batch.schema import Column, Rows
from sim.batch.store import load_results, probe_columns, write_part
from sim.batch.summary import wilson
from sim.causes import (
    BLOCKED_ON,
    BLOCKER,
    NOT_NAMED,
    Names,
    batch_causes,
    describe,
    format_causes,
    frame_causes,
    summary_text,
    sweep_columns,
    wilson_interval,
)
from sim.scenario import Scenario
from sim.scenario.models import Bloc
from sim.simulation.results import RowColumn

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "ukraine_2025.yaml"
VETO = "parties.russia.red_lines.no_nato_troops.credibility"
ENDINGS = ("agreement", "deadline", "no_zone", "walked_out")


def scipy_wilson(count: int, n: int) -> tuple[float, float]:
    from scipy.stats import binomtest

    ci = binomtest(count, n).proportion_ci(0.95, method="wilson")
    return float(ci.low), float(ci.high)


def planted(n_deal: int, causes: list[tuple[str | None, str | None, str, int]], **fixed) -> dict:
    """Rows with ``n_deal`` deals, then ``count`` no-deal runs of each (blocker, on, ended)."""
    blocker: list[str | None] = [None] * n_deal
    on: list[str | None] = [None] * n_deal
    ended = ["agreement"] * n_deal
    for who, what, how, count in causes:
        blocker += [who] * count
        on += [what] * count
        ended += [how] * count
    n = len(ended)
    return {
        "scenario": ["s"] * n,
        **{k: [v] * n for k, v in fixed.items()},
        "run": list(range(n)),
        "agreement": [True] * n_deal + [False] * (n - n_deal),
        "ended": ended,
        BLOCKER: blocker,
        BLOCKED_ON: on,
    }


def frame(*pieces: dict) -> pd.DataFrame:
    rows = pd.concat([pd.DataFrame(p) for p in pieces], ignore_index=True)
    for column in ("scenario", "ended", BLOCKER, BLOCKED_ON):
        rows[column] = rows[column].astype("category")
    return rows


#: 700 deals; of the 300 no-deal runs, 210 (70%) refused by a on its line a.x.
PLANT = [
    ("a", "a.x", "deadline", 210),
    ("b", "price", "deadline", 45),
    ("b", "b.y", "no_zone", 15),
    ("c", "price", "walked_out", 20),
    (None, None, "no_zone", 10),
]


def test_planted_shares_and_intervals():
    (point,) = frame_causes(frame(planted(700, PLANT)))
    assert (point.runs, point.no_deal, point.recorded) == (1000, 300, True)
    blockers = {c.name: c for c in point.blockers}
    # counted here from the plant, not from the code under test
    expected = {"a": 210, "b": 60, "c": 20, NOT_NAMED: 10}
    assert {k: c.count for k, c in blockers.items()} == expected
    assert [c.name for c in point.blockers] == ["a", "b", "c", NOT_NAMED]  # most first
    assert blockers["a"].share == pytest.approx(0.7)
    on = {c.name: c.count for c in point.blocked_on}
    assert on == {"a.x": 210, "price": 65, "b.y": 15, NOT_NAMED: 10}
    assert {c.name: c.count for c in point.ended} == {
        "deadline": 255,
        "no_zone": 25,
        "walked_out": 20,
    }
    assert point.joint[("b", "price")] == 45
    for cause in (*point.blockers, *point.blocked_on, *point.ended):
        assert cause.n == 300
        assert cause.interval == pytest.approx(scipy_wilson(cause.count, 300), abs=1e-9)
        assert cause.interval == pytest.approx(wilson(cause.count, 300), abs=1e-9)


def test_intervals_are_statsmodels_wilson():
    proportion = pytest.importorskip("statsmodels.stats.proportion")
    for count, n in [(0, 5), (3, 10), (210, 300), (300, 300), (1, 10_000)]:
        expected = proportion.proportion_confint(count, n, alpha=0.05, method="wilson")
        assert wilson_interval(count, n) == pytest.approx(expected, abs=1e-12)


def test_interval_matches_an_independent_wilson():
    for count, n in [(0, 5), (3, 10), (210, 300), (300, 300), (1, 10_000)]:
        assert wilson_interval(count, n) == pytest.approx(scipy_wilson(count, n), abs=1e-9)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_words_name_the_planted_top_cause():
    (point,) = frame_causes(frame(planted(700, PLANT)))
    text = describe(point)
    low, high = wilson_interval(210, 300)
    assert text.startswith("No deal in 300 of 1,000 runs (30.0%): ")
    assert f"a refused the last text in 70% of them ({100 * low:.0f}–{100 * high:.0f}%)" in text
    assert "on its red line x in 70%" in text
    assert "b in 20%" in text  # the second blocker, and what it named most: the issue
    assert "over the issue price in 15%" in text
    assert "2 other signers in 10% together" in text
    assert "Ended at the deadline in 85%" in text


def test_words_use_the_scenarios_labels():
    from sim.scenario import load_scenario

    scenario = load_scenario(str(BASE))
    rows = frame(
        planted(
            10,
            [
                ("russia", "russia.no_nato_troops", "deadline", 60),
                ("ukraine", "territory", "deadline", 30),
                ("ukraine", "russia.no_nato_troops", "deadline", 10),
            ],
        )
    )
    text = describe(frame_causes(rows)[0], scenario)
    assert "Russia refused the last text in 60% of them" in text
    assert "on its red line no_nato_troops in 60%" in text
    assert f"Ukraine in 40%, over the issue {scenario.issue_label('territory')} in 30%" in re.sub(
        r" \([^)]*\)", "", text
    )


def test_older_rows_say_the_causes_are_not_recorded():
    rows = frame(planted(700, PLANT)).drop(columns=[BLOCKER, BLOCKED_ON])
    (point,) = frame_causes(rows)
    assert not point.recorded and point.blockers == () and point.blocked_on == ()
    text = describe(point)
    assert "No deal in 300 of 1,000 runs" in text
    assert "not recorded" in text and "blocker" in text
    assert "Ended at the deadline in 85%" in text  # what older rows do hold


def test_no_no_deal_runs():
    (point,) = frame_causes(frame(planted(50, [])))
    assert point.no_deal == 0 and point.blockers == ()
    assert describe(point) == "A deal in every one of the 50 runs: no cause of failure to report."
    assert frame_causes(frame(planted(0, []))) == []


def test_points_are_scenario_and_sweep_columns():
    rows = frame(
        planted(80, [("a", "a.x", "deadline", 20)], **{"p.q": 0.0}),
        planted(50, [("b", "b.y", "deadline", 50)], **{"p.q": 1.0}),
    )
    assert sweep_columns(rows) == ["p.q"]
    first, second = frame_causes(rows)
    assert first.sweep == {"p.q": 0.0} and second.sweep == {"p.q": 1.0}
    assert [(c.name, c.count, c.n) for c in first.blockers] == [("a", 20, 20)]
    assert [(c.name, c.count, c.n) for c in second.blockers] == [("b", 50, 50)]
    text = format_causes([first, second])
    assert "s  [p.q=0.0]: why talks fail" in text and "s  [p.q=1.0]" in text


@st.composite
def batches(draw):
    n = draw(st.integers(1, 60))
    return pd.DataFrame(
        {
            "scenario": draw(st.lists(st.sampled_from(["s", "t"]), min_size=n, max_size=n)),
            "run": range(n),
            "agreement": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
            "ended": draw(
                st.lists(st.sampled_from(["deadline", "no_zone"]), min_size=n, max_size=n)
            ),
            BLOCKER: draw(st.lists(st.sampled_from(["a", "b", None]), min_size=n, max_size=n)),
            BLOCKED_ON: draw(
                st.lists(st.sampled_from(["a.x", "b.y", "i", None]), min_size=n, max_size=n)
            ),
        }
    )


@settings(max_examples=60, deadline=None)
@given(batches())
def test_counts_match_a_direct_count(rows):
    for point in frame_causes(rows):
        mine = rows[(rows["scenario"] == point.scenario)]
        lost = mine[~mine["agreement"]]
        assert (point.runs, point.no_deal) == (len(mine), len(lost))
        for column, causes in ((BLOCKER, point.blockers), (BLOCKED_ON, point.blocked_on)):
            named = lost[column].where(lost[column].notna(), NOT_NAMED)
            for cause in causes:
                assert cause.count == int((named == cause.name).sum())
                low, high = cause.interval
                assert 0 <= low <= cause.share <= high <= 1
            assert sum(c.count for c in causes) == len(lost)
        assert sum(point.joint.values()) == len(lost)


# --- a batch folder, written with the store's writer ---------------------------------


def write_batch(
    out: Path, *, runs: int = 400, block: int = 200, causes: bool = True, deals_only: bool = False
) -> pd.DataFrame:
    """A tiny batch of the baseline swept over VETO=0,1, with planted causes; its rows.

    At VETO=0, 30% of runs end without a deal, 70% of which refused by Russia on
    no_nato_troops; at VETO=1, 60% without a deal, 80% of which refused by Ukraine over
    territory. ``causes=False``: a batch as older versions wrote it (no blocker columns).
    """
    plan = plan_batch([BASE], runs=runs, seed=1, block=block, sweeps=[f"{VETO}=0,1"])
    columns = tuple(c for c in probe_columns(plan) if c.name not in (BLOCKER, BLOCKED_ON))
    if causes:
        columns += (Column(BLOCKER, "text", True), Column(BLOCKED_ON, "text", True))
    out.mkdir(parents=True, exist_ok=True)
    (out / RUNS).mkdir(exist_ok=True)
    write_manifest(out, manifest_of(plan, columns))
    scenario = plan.points[0].model
    assert scenario is not None
    issues = list(scenario.issues)
    frames = []
    for task in plan.tasks():
        n = task.stop - task.start
        veto = task.point.values[VETO]
        k = np.arange(task.start, task.stop)
        lost = np.zeros(n, bool) if deals_only else (k % 10) < (6 if veto else 3)
        # Per hundred runs: 30 (or 60) lost, 7 (or 8) tens of them the main cause: 70% (80%).
        main = lost & ((k % 100) // 10 < (8 if veto else 7))
        party, line = ("ukraine", "territory") if veto else ("russia", "russia.no_nato_troops")
        other = ("russia", "russia.no_temporary_truce") if veto else ("ukraine", "territory")
        who = np.where(lost, np.where(main, party, other[0]), None)
        what = np.where(lost, np.where(main, line, other[1]), None)
        ended = np.where(lost, "deadline", "agreement")
        labels = (party, other[0])
        lines = (line, other[1])
        rows = [
            RowColumn("scenario", np.zeros(n, np.int64), labels=(task.point.scenario_id,)),
            RowColumn("run", k.astype(np.int64)),
            RowColumn("agreement", ~lost),
            RowColumn("ended", np.where(lost, 1, 0), labels=("agreement", "deadline")),
        ]
        for issue in issues:  # a deal: every issue's first option
            first = next(iter(scenario.issues[issue].options))
            rows.append(RowColumn(issue, np.where(lost, -1, 0), labels=(first,)))
        if causes:
            rows.append(RowColumn(BLOCKER, np.where(lost, np.where(main, 0, 1), -1), labels=labels))
            rows.append(
                RowColumn(BLOCKED_ON, np.where(lost, np.where(main, 0, 1), -1), labels=lines)
            )
        block = Rows(rows, dict(task.point.values))
        # The writer takes the block's rows whole, or (newer) as an iterable of pieces.
        write_part(out, task, [block] if "pieces" in signature(write_part).parameters else block)
        frames.append(
            pd.DataFrame(
                {"veto": veto, "agreement": ~lost, "ended": ended, "who": who, "what": what}
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("causes") / "b"
    return out, write_batch(out)


def test_a_batch_folder_end_to_end(folder):
    out, plant = folder
    causes = batch_causes(out)
    assert [c.sweep for c in causes] == [{VETO: 0}, {VETO: 1}]
    for point, veto in zip(causes, (0, 1), strict=True):
        mine = plant[plant["veto"] == veto]
        lost = mine[~mine["agreement"]]
        assert (point.runs, point.no_deal) == (len(mine), len(lost))
        top = lost["who"].value_counts()
        assert point.blockers[0].name == top.index[0]
        assert point.blockers[0].count == top.iloc[0]
        lines = lost["what"].value_counts()
        assert {c.name: c.count for c in point.blocked_on} == lines.to_dict()
    assert causes[0].blockers[0].share == pytest.approx(0.7)
    assert causes[1].blockers[0].share == pytest.approx(0.8)
    # the same as counting the rows pandas reads back from the folder
    again = frame_causes(load_results(out))
    assert [(c.no_deal, c.blockers, c.blocked_on) for c in again] == [
        (c.no_deal, c.blockers, c.blocked_on) for c in causes
    ]
    text = summary_text(out)
    assert "No deal in 120 of 400 runs (30.0%): Russia refused the last text in 70% of them" in text
    assert "on its red line no_nato_troops in 70%" in text
    assert (
        "No deal in 240 of 400 runs (60.0%): Ukraine refused the last text in 80% of them" in text
    )
    assert "over the issue Status of the occupied territories in 80%" in text


def test_an_older_batch_folder(tmp_path):
    out = tmp_path / "old"
    write_batch(out, runs=200, block=200, causes=False)
    causes = batch_causes(out)
    assert causes and not any(c.recorded for c in causes)
    text = summary_text(out)
    assert text.count("not recorded") == 2
    assert "Traceback" not in text


def test_narrow_intervals_get_a_decimal():
    (point,) = frame_causes(
        frame(planted(0, [("a", "a.x", "deadline", 50_000), ("b", "b.y", "deadline", 50_000)]))
    )
    low, high = scipy_wilson(50_000, 100_000)
    text = describe(point)
    assert f"a refused the last text in 50.0% of them ({100 * low:.1f}–{100 * high:.1f}%)" in text


def test_a_scenario_without_the_sweep_is_its_own_point():
    other = planted(5, [("c", "c.z", "no_zone", 5)])
    other["scenario"] = ["t"] * len(other["run"])
    rows = frame(planted(8, [("a", "a.x", "deadline", 2)], **{"p.q": 1.0}), other)
    assert rows["p.q"].isna().sum() == 10
    first, second = frame_causes(rows)
    assert (first.scenario, first.sweep, first.runs) == ("s", {"p.q": 1.0}, 10)
    assert (second.scenario, second.sweep, second.runs) == ("t", {}, 10)
    assert [(c.name, c.count) for c in second.blocked_on] == [("c.z", 5)]


def test_unnamed_refusals_first():
    (point,) = frame_causes(
        frame(planted(0, [(None, None, "deadline", 6), ("b", "i", "no_zone", 4)]))
    )
    text = describe(point)
    assert "no signer is named as refusing in 60%" in text
    assert "b refused the last text in 40% of them" in text


def two_level() -> Scenario:
    """Ukraine with a ratifier (the Rada), Europe and the UK as one bloc, The West."""
    from sim.scenario import validate_document
    from sim.scenario.yamlsource import Document

    def party(label: str, **more: object) -> dict:
        values = {"x": {"a": 1.0, "b": 0.0}}
        return {"label": label, "signs": True, "reservation": 0.1, "weights": {"x": 1}} | {
            "values": values,
            **more,
        }

    rada = {
        "id": "rada",
        "label": "Verkhovna Rada",
        "reservation": 0.5,
        "red_lines": [{"id": "no_recognition", "forbid": {"x": ["b"]}}],
    }
    raw = {
        "id": "s",
        "title": "Two levels",
        "deadline": 5,
        "protocol": "alternating",
        "issues": {"x": {"label": "Territory", "options": {"a": "A", "b": "B"}}},
        "parties": {
            "ukraine": party("Ukraine", ratification=[rada]),
            "europe": party("Europe", red_lines=[{"id": "no_veto", "forbid": {"x": ["a"]}}]),
            "united_kingdom": party("United Kingdom"),
        },
        "blocs": {"west": {"label": "The West", "members": ["europe", "united_kingdom"]}},
    }
    return validate_document(Document(raw), sources=False)


def test_words_name_a_ratifiers_line_and_reservation_and_the_bloc():
    rows = frame(
        planted(
            0,
            [
                ("ukraine", "ukraine.rada.no_recognition", "deadline", 50),
                ("europe", "europe.no_veto", "deadline", 30),
                ("ukraine", "ukraine.rada", "deadline", 20),
            ],
        )
    )
    (point,) = frame_causes(rows)
    text = describe(point, two_level(), top=3)
    plain = re.sub(r" \([^)]*\)", "", text)
    assert "Ukraine refused the last text in 70% of them" in plain
    assert "on Ukraine's Verkhovna Rada's red line no_recognition in 50%" in plain
    # the bloc member is named with its bloc; its own line is still "its"
    assert "The West in 30%, on its red line no_veto in 30%" in plain
    assert "(Europe)" in text
    names = Names(two_level())
    assert names.named("ukraine.rada") == (
        "on what Ukraine's Verkhovna Rada would ratify (its reservation value)"
    )
    assert names.label("ukraine.rada.no_recognition") == (
        "Ukraine's Verkhovna Rada: red line no_recognition"
    )
    assert names.label("ukraine.rada") == "Ukraine's Verkhovna Rada: what it would ratify"
    assert names.label("europe.no_veto") == "Europe: red line no_veto"
    assert names.blocker("europe") == "The West (Europe)"
    assert names.blocker("ukraine") == "Ukraine"
    assert names.kind("x") == "issue" and not names.is_line("x")
    # without the scenario: three parts are a ratifier's line, two a party's
    assert Names().kind("p.q.l") == "ratifier_line" and Names().kind("p.l") == "line"


def test_a_bloc_of_one_is_named_as_the_party_alone():
    scenario = two_level().model_copy(
        update={"blocs": {"solo": Bloc(label="Alone", members=["europe"])}}
    )
    assert Names(scenario).blocker("europe") == "Europe"

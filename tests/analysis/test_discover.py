"""Scenario discovery (sim/analysis/discover.py): PRIM finds planted structure (12.1, 12.6)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.analysis.discover import (
    MIN_RUNS,
    Discovery,
    Target,
    discover,
    discover_rows,
    format_discovery,
    parse_target,
    plot_discovery,
)
from sim.scenario import ScenarioError
from sim.scenario.validate import validate_document
from sim.scenario.yamlsource import Document

LINE = "firm.seller.no_soft_terms"
PARAM = "param.parties.seller.reservation"

#: A deal forms exactly when the seller's line against soft terms is not firm (half the
#: runs) and the seller's sampled reservation value is at most 0.5, the worth of soft terms
#: to it: the buyer takes nothing but soft terms, and hard terms are worth 0 to it.
PLANTED: dict[str, Any] = {
    "id": "planted",
    "title": "A deal exactly when the seller's line gives way and it asks little",
    "deadline": 20,
    "protocol": "alternating",
    "issues": {
        "terms": {"label": "Terms", "options": {"hard": "Hard terms", "soft": "Soft terms"}},
        "venue": {"label": "Venue", "options": {"here": "Here", "there": "There"}},
    },
    "parties": {
        "seller": {
            "label": "Seller",
            "signs": True,
            "reservation": 0.5,
            "weights": {"terms": 1},
            "values": {"terms": {"hard": 1.0, "soft": 0.5}},
            "red_lines": [
                {"id": "no_soft_terms", "forbid": {"terms": ["soft"]}, "credibility": 0.5}
            ],
        },
        "buyer": {
            "label": "Buyer",
            "signs": True,
            "reservation": 0.3,
            "weights": {"terms": 1, "venue": 0.01},
            "values": {"terms": {"hard": 0.0, "soft": 1.0}, "venue": {"here": 1, "there": 0}},
        },
    },
    "uncertainty": {
        "parameters": {
            "parties.seller.reservation": {"dist": "uniform", "low": 0.2, "high": 0.8},
            # A decoy: the buyer's reservation never decides (soft terms are worth ~1 to it).
            "parties.buyer.reservation": {"dist": "uniform", "low": 0.1, "high": 0.5},
        }
    },
}
THRESHOLD = 0.5


def planted_batch(folder: Path, runs: int = 3000, data: dict[str, Any] | None = None) -> Path:
    """A real batch of the planted scenario (validated first) in ``folder / "batch"``."""
    from sim.batch import run_batch

    data = copy.deepcopy(PLANTED if data is None else data)
    validate_document(Document(data), sources=False)
    file = folder / "planted.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = folder / "batch"
    run_batch(file, runs=runs, seed=3, out=out, workers=1)
    return out


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return planted_batch(tmp_path_factory.mktemp("planted"))


@pytest.fixture(scope="module")
def scenario() -> Any:
    return validate_document(Document(copy.deepcopy(PLANTED)), sources=False)


def test_the_planted_structure_holds_in_the_rows(batch):
    # The test's premise, checked on the rows themselves rather than assumed.
    from sim.batch import load_results

    rows = load_results(batch)
    inside = ~rows[LINE] & (rows[PARAM] <= THRESHOLD)
    assert rows.loc[inside, "agreement"].mean() > 0.9
    assert not rows.loc[~inside, "agreement"].any()


def test_discover_finds_the_planted_box(batch):
    (found,) = discover(batch)
    first = found.boxes[0]
    conditions = {c.column: c for c in first.conditions}
    assert set(conditions) == {LINE, PARAM}
    assert (conditions[LINE].op, conditions[LINE].value) == ("==", False)
    assert conditions[PARAM].op == "<="
    assert abs(conditions[PARAM].value - THRESHOLD) <= 0.05
    assert first.density > 0.9 and first.coverage > 0.9
    # The box's numbers are the rows' own.
    from sim.batch import load_results

    rows = load_results(batch)
    inside = ~rows[LINE] & (rows[PARAM] <= conditions[PARAM].value)
    assert first.runs == int(inside.sum())
    assert first.density == pytest.approx(rows.loc[inside, "agreement"].mean())
    assert first.coverage == pytest.approx(
        rows.loc[inside, "agreement"].sum() / rows["agreement"].sum()
    )


def test_the_words_name_the_line_and_the_threshold(batch):
    found = discover(batch)
    text = format_discovery(found)
    (bound,) = [c.value for c in found[0].boxes[0].conditions if c.column == PARAM]
    assert "when Seller's red line no_soft_terms is not firm" in text
    assert f"Seller's reservation value is at most {bound:.3g}: a deal in " in text
    assert "(density)" in text and "(coverage)" in text and "densest" in text


def test_no_deal_and_a_given_deal_are_targets(batch):
    (no_deal,) = discover(batch, "no_deal")
    assert no_deal.target.text == "no_deal"
    assert no_deal.boxes and no_deal.boxes[0].density > no_deal.share
    (soft,) = discover(batch, "terms=soft")
    (deal,) = discover(batch)
    # Every deal has soft terms (hard terms are worth nothing to the buyer).
    assert soft.share == deal.share
    assert {c.column for c in soft.boxes[0].conditions} == {LINE, PARAM}


def test_json_has_the_designed_shape(batch):
    (found,) = discover(batch)
    data = json.loads(json.dumps(found.to_json(), allow_nan=False))
    assert set(data) == {"target", "share", "boxes"}
    assert data["target"] == "deal"
    assert 0 < data["share"] < 1
    for box in data["boxes"]:
        assert set(box) == {"conditions", "coverage", "density", "runs"}
        assert isinstance(box["runs"], int)
        for condition in box["conditions"]:
            assert set(condition) == {"column", "op", "value"}
            assert condition["op"] in ("<=", ">=", "==", "in")


def test_the_figure_is_written(batch, tmp_path):
    found = discover(batch)
    (figure,) = plot_discovery(found, tmp_path)
    assert figure.name == "discover.png" and figure.stat().st_size > 10_000


def test_an_unknown_scenario_is_refused(batch):
    with pytest.raises(ScenarioError, match="not in this batch"):
        discover(batch, scenario="nowhere")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("terms=firm", "issue 'terms' of planted has no option 'firm'"),
        ("price=low", "planted has no issue 'price'"),
        ("terms", "expected deal, no_deal or issue=option"),
        ("terms=soft,terms=hard", "named twice"),
        ("deals", "expected deal, no_deal or issue=option"),
    ],
)
def test_a_bad_target_is_refused_clearly(scenario, text, message):
    with pytest.raises(ScenarioError) as caught:
        parse_target(text, [scenario], "DIR")
    lines = caught.value.lines()
    assert any(message in line for line in lines), lines
    assert all(line.startswith("error: DIR") for line in lines)


def test_target_forms(scenario):
    assert parse_target("deal", [scenario], "DIR") == Target("deal")
    assert parse_target(" no_deal ", [scenario], "DIR") == Target("no_deal")
    # Issues come back in file order whatever order the command line gives.
    target = parse_target("venue=here, terms=soft", [scenario], "DIR")
    assert target.options == (("terms", "soft"), ("venue", "here"))
    assert target.text == "terms=soft,venue=here"
    rows = pd.DataFrame(
        {
            "agreement": [True, True, True, False],
            "terms": pd.Categorical(["soft", "soft", "hard", None]),
            "venue": pd.Categorical(["here", "there", "here", None]),
        }
    )
    assert target.reached(rows).tolist() == [True, False, False, False]
    assert Target("no_deal").reached(rows).tolist() == [False, False, False, True]


# -- synthetic rows: the same question without a simulation ---------------------------


def synthetic(threshold: float, runs: int, seed: int) -> pd.DataFrame:
    """Rows in which a deal forms exactly when the line is not firm and the draw <= threshold."""
    rng = np.random.default_rng(seed)
    firm = rng.random(runs) < 0.5
    drawn = rng.uniform(0.0, 1.0, runs)
    decoy = rng.uniform(0.0, 1.0, runs)
    event = rng.random(runs) < 0.3
    agreed = ~firm & (drawn <= threshold)
    return pd.DataFrame(
        {
            "scenario": "planted",
            "run": np.arange(runs),
            "agreement": agreed,
            "terms": pd.Categorical(np.where(agreed, "soft", None)),
            LINE: firm,
            PARAM: drawn,
            "param.parties.buyer.reservation": decoy,
            "event.later": event,
        }
    )


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(threshold=st.floats(0.25, 0.85), seed=st.integers(0, 2**32 - 1))
def test_prim_finds_any_planted_threshold(scenario, threshold, seed):
    found = discover_rows(synthetic(threshold, 2000, seed), scenario, Target("deal"))
    conditions = {c.column: c for c in found.boxes[0].conditions}
    assert set(conditions) == {LINE, PARAM}
    assert conditions[LINE].value is False
    assert abs(conditions[PARAM].value - threshold) <= 0.05


def test_a_target_in_every_run_or_none_has_no_box_and_says_so(scenario):
    rows = synthetic(0.5, 500, 1)
    rows["agreement"] = True
    every = discover_rows(rows, scenario, Target("deal"))
    assert every.boxes == () and every.share == 1.0
    assert "in every one of the 500 runs" in (every.note or "")
    none = discover_rows(rows, scenario, Target("no_deal"))
    assert none.boxes == () and none.share == 0.0 and "in none of the 500" in (none.note or "")
    assert "no condition" in format_discovery([every])
    assert every.to_json() == {"target": "deal", "share": 1.0, "boxes": []}


def test_too_few_target_runs_is_an_error(scenario):
    rows = synthetic(0.5, 500, 2)
    rows["agreement"] = False
    rows.loc[: MIN_RUNS - 2, "agreement"] = True
    with pytest.raises(ScenarioError, match=f"only {MIN_RUNS - 1} of 500 runs with a deal"):
        discover_rows(rows, scenario, Target("deal"), where="DIR")


def test_no_varying_input_is_an_error(scenario):
    rows = synthetic(0.5, 500, 3)
    rows = rows.drop(columns=[PARAM, "param.parties.buyer.reservation", "event.later"])
    rows[LINE] = False
    with pytest.raises(ScenarioError, match="no input varies"):
        discover_rows(rows, scenario, Target("deal"), where="DIR")


def test_swept_fields_are_inputs(scenario):
    rows = synthetic(0.5, 2000, 4).drop(columns=[PARAM])
    sweep = "parties.seller.values.terms.soft"
    rows[sweep] = np.repeat([0.2, 0.4, 0.6, 0.8], 500)
    rows["agreement"] = ~rows[LINE] & (rows[sweep] >= 0.6)
    found: Discovery = discover_rows(rows, scenario, Target("deal"), swept=[sweep])
    assert sweep in found.inputs
    conditions = {c.column: c for c in found.boxes[0].conditions}
    assert set(conditions) == {LINE, sweep}
    # A bound is put on a value the runs hold, not between two swept values.
    assert (conditions[sweep].op, conditions[sweep].value) == (">=", 0.6)

"""The page's "which conditions" panel: the top PRIM box of a quick batch, in words."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.scenario import load_scenario
from sim.ui.state import conditions_target, quick_rows, which_conditions

ROOT = Path(__file__).resolve().parents[2]
BASE = load_scenario(ROOT / "scenarios" / "ukraine_2025.yaml")
RESERVATION = "param.parties.russia.reservation"
LINE = "firm.ukraine.no_de_jure_recognition"


def planted(runs: int, threshold: float, seed: int = 3) -> pd.DataFrame:
    """Rows in which a deal forms exactly when Russia's reservation is below a threshold.

    The inputs are the baseline's (its sampled reservation range, one of its red lines),
    drawn at random; one red line varies too but plays no part.
    """
    rng = np.random.default_rng(seed)
    reservation = rng.uniform(0.35, 0.55, runs)
    return pd.DataFrame(
        {
            "run": np.arange(runs),
            RESERVATION: reservation,
            LINE: rng.random(runs) < 0.7,
            "agreement": reservation <= threshold,
        }
    )


def bound(answer: str) -> float:
    """The number after "Russia's reservation value is at most/at least" in the answer."""
    found = re.search(r"Russia's reservation value is at (?:most|least) ([0-9.]+)", answer)
    assert found, answer
    return float(found.group(1))


def test_a_planted_threshold_is_the_top_box_in_words():
    found = which_conditions(planted(1_000, 0.45), BASE)
    assert found.target == "deal" and found.found
    assert found.question == "Under which conditions does a deal form?"
    assert "Russia's reservation value is at most" in found.answer
    assert bound(found.answer) == pytest.approx(0.45, abs=0.01)
    assert "no_de_jure_recognition" not in found.answer  # the idle line is not in the box
    assert "a deal in 100% of runs (density)" in found.answer


def test_deals_in_nearly_every_run_ask_when_the_talks_fail():
    rows = planted(1_000, 0.53)  # a deal in about 90% of runs: the rest above 0.53
    rows["agreement"] = rows[RESERVATION] <= 0.535
    assert rows["agreement"].mean() > 0.9
    found = which_conditions(rows, BASE)
    assert found.target == "no_deal" and found.found
    assert found.question == "Under which conditions do the talks fail?"
    assert "over 90%" in found.why
    assert "Russia's reservation value is at least" in found.answer
    assert bound(found.answer) == pytest.approx(0.535, abs=0.01)
    assert found.answer.startswith("When ") and "no deal in" in found.answer


def test_the_target_flips_only_above_ninety_percent():
    rows = pd.DataFrame({"agreement": [True] * 90 + [False] * 10})
    assert conditions_target(rows) == "deal"  # exactly 90%: still "when does a deal form"
    rows.loc[90, "agreement"] = True
    assert conditions_target(rows) == "no_deal"


def test_the_baseline_quick_batch_ends_in_a_deal_every_time_and_says_so():
    rows = quick_rows(BASE, runs=300, seed=1)
    assert rows["agreement"].all()  # what the README reports of the baseline
    found = which_conditions(rows, BASE)
    assert not found.found and found.target == "no_deal"
    assert found.answer.startswith("Every one of the 300 runs ended in a deal")


def test_no_deal_at_all_is_said():
    rows = planted(500, 0.0)
    found = which_conditions(rows, BASE)
    assert not found.found and found.target == "deal"
    assert found.answer.startswith("None of the 500 runs ended in a deal")


def test_too_few_runs_without_the_target_for_prim():
    rows = planted(1_000, 0.0)
    rows.loc[:9, "agreement"] = True  # 10 deals
    found = which_conditions(rows, BASE)
    assert not found.found
    assert found.answer.startswith("Only 10 of 1,000 runs ended with a deal: too few for PRIM")
    rows = planted(1_000, 1.0)
    rows.loc[:4, "agreement"] = False  # 995 deals: the question is no deal, 5 runs
    found = which_conditions(rows, BASE)
    assert found.target == "no_deal" and not found.found
    assert found.answer.startswith("Only 5 of 1,000 runs ended without a deal")


def test_nothing_varies_is_said():
    rows = planted(400, 0.45)
    rows[RESERVATION] = 0.45
    rows[LINE] = True
    found = which_conditions(rows, BASE)
    assert not found.found
    assert found.answer.startswith("Nothing varies from run to run")


def test_the_page_does_not_import_ema_workbench_until_the_panel_computes():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import sim.ui.app, sim.ui.state\n"
        "assert 'ema_workbench' not in sys.modules, 'EMA Workbench imported at page load'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)

"""``sim.analysis.sensitivity`` and ``--design sobol`` on planted structure (issue 12.2, 12.6)."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from sim import load_results, run_batch
from sim.analysis.sensitivity import firm_effect, interaction, sensitivity
from sim.batch import execute, plan_batch
from sim.batch.design import Design, design_matrix
from sim.batch.manifest import read_manifest
from sim.scenario import ScenarioError
from sim.scenario.validate import validate_document
from sim.scenario.yamlsource import Document
from tests.analysis import planted

#: PAWN's index of an idle input: a slice holds a tenth of the runs, so its share of
#: deals strays from the whole by about sqrt(0.36 * 0.64 / 200) = 0.034 at 2,000 runs;
#: the median over ten slices of that stray stays below 0.1 (about three such spreads).
PAWN_IDLE = 0.1
#: PAWN's index of alpha's reservation: every slice has a share of deals of 0 or about
#: 0.72 against about 0.36 overall, so the median is about 0.36.
PAWN_PLANTED = 0.25


def batch(folder, runs=None, design=None, workers=1, block=20_000, data=None, name="p"):
    file = planted.write(folder, data, f"{name}.yaml")
    plan = plan_batch([file], runs=runs, seed=3, design=design, block=block)
    out = folder / name
    execute(plan, out, workers=workers)
    return out


@pytest.fixture(scope="module")
def random_batch(tmp_path_factory):
    return batch(tmp_path_factory.mktemp("random"), runs=2000)


@pytest.fixture(scope="module")
def sobol_batch(tmp_path_factory):
    return batch(tmp_path_factory.mktemp("sobol"), design=Design("sobol", 256))


def parameters(found, name="deal"):
    return [i for i in found.outcome(name).indices if i.kind == "parameter"]


def test_pawn_ranks_the_planted_parameter_first_and_the_idle_ones_near_zero(random_batch):
    found = sensitivity(random_batch, resamples=20)
    assert found.method == "pawn"
    ranked = parameters(found)
    assert ranked[0].column == planted.PLANTED
    assert ranked[0].index > PAWN_PLANTED
    assert ranked[0].low <= ranked[0].index <= ranked[0].high
    idle = {i.column: i.index for i in ranked[1:]}
    assert set(idle) == set(planted.IDLE)
    assert all(abs(v) < PAWN_IDLE for v in idle.values()), idle
    # the same for each deal: alpha's reservation value decides whether any forms
    for deal in ("x=a", "x=b"):
        assert parameters(found, deal)[0].column == planted.PLANTED


def test_sobol_design_ranks_it_first_and_gives_idle_inputs_exactly_zero(sobol_batch):
    """The runs of one base sample share their random draws, so an idle input changes
    nothing between its A and AB rows: its indices are 0 (up to rounding)."""
    for method in ("sobol-total", "sobol-first"):
        found = sensitivity(sobol_batch, method=method, resamples=20)
        assert found.method == method
        ranked = parameters(found)
        assert ranked[0].column == planted.PLANTED
        assert ranked[0].index > 0.5
        for index in ranked[1:]:
            assert index.column in planted.IDLE
            assert abs(index.index) < 1e-12 and abs(index.high - index.low) < 1e-12
    assert sensitivity(sobol_batch, resamples=0).method == "sobol-total"  # the default
    # the given-data estimator also works on a designed batch (on the rows of matrix A)
    assert parameters(sensitivity(sobol_batch, method="pawn", resamples=0))[0].column == (
        planted.PLANTED
    )


def test_the_design_is_recorded_and_its_rows_do_not_depend_on_workers_or_blocks(
    sobol_batch, tmp_path
):
    manifest = read_manifest(sobol_batch)
    assert manifest.design == {"method": "sobol", "samples": 256, "second_order": False}
    assert manifest.total_runs == 256 * (3 + 2)
    other = batch(tmp_path, design=Design("sobol", 256), workers=2, block=97)
    pd.testing.assert_frame_equal(load_results(sobol_batch), load_results(other))
    rows = load_results(sobol_batch)
    # each run took its row of SALib's design (uniform parameters: SALib's own bounds)
    from SALib.sample import sobol as saltelli

    scenario = manifest.points[0].scenario()
    problem = {
        "num_vars": 3,
        "names": list(scenario.uncertainty.parameters),
        "bounds": [[0.0, 1.0], [0.0, 0.3], [0.5, 1.0]],
    }
    expected = saltelli.sample(problem, 256, calc_second_order=False, seed=manifest.points[0].seed)
    got = rows[[f"param.{p}" for p in problem["names"]]].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12)


def test_a_design_maps_other_distributions_through_their_inverse_cdf():
    data = copy.deepcopy(planted.DATA)
    data["uncertainty"]["parameters"] = {
        "parties.alpha.reservation": {"dist": "beta", "a": 2.0, "b": 5.0},
        "parties.beta.reservation": {"dist": "normal", "mean": 0.2, "sd": 0.05},
        "parties.beta.weights.x": {"dist": "triangular", "low": 0.5, "mode": 0.6, "high": 1.0},
    }
    scenario = validate_document(Document(data), sources=False)
    x = design_matrix(Design("sobol", 1024), scenario, seed=7)
    assert x.shape == (1024 * 5, 3)
    a_rows = x[::5]  # the rows of matrix A: a scrambled Sobol' sample of the marginals
    for column, dist in zip(
        a_rows.T,
        [stats.beta(2, 5), stats.norm(0.2, 0.05), stats.triang(0.2, 0.5, 0.5)],
        strict=True,
    ):
        assert stats.kstest(column, dist.cdf).pvalue > 0.01


def direct(rows, outcome):
    """The deal indicator of every row, computed from the rows themselves."""
    if outcome == "deal":
        return rows["agreement"].astype(bool)
    issue, option = outcome.split("=")
    return rows["agreement"].astype(bool) & (rows[issue] == option)


@pytest.mark.parametrize("outcome", ["deal", "x=a", "x=b"])
def test_firmness_effects_are_the_differences_of_shares_in_the_rows(random_batch, outcome):
    found = sensitivity(random_batch, resamples=0).outcome(outcome)
    rows = load_results(random_batch)
    y = direct(rows, outcome)
    assert found.count == int(y.sum())
    by = {i.column: i for i in found.indices}
    for line in planted.LINES:
        firm = rows[line].astype(bool)
        effect = by[line]
        assert effect.index == pytest.approx(y[firm].mean() - y[~firm].mean(), abs=1e-12)
        assert effect.runs == (int(firm.sum()), int((~firm).sum()))
        assert effect.low < effect.index < effect.high
    a, b = (rows[line].astype(bool) for line in planted.LINES)
    share = {(i, j): y[(a == i) & (b == j)] for i in (True, False) for j in (True, False)}
    means = {k: v.mean() for k, v in share.items()}
    did = (means[True, True] - means[True, False]) - (means[False, True] - means[False, False])
    pair = by[":".join(planted.LINES)]
    assert pair.kind == "interaction"
    assert pair.index == pytest.approx(did, abs=1e-12)
    # the HC2 interval of the saturated fit is the Wald interval of a contrast of four
    # independent shares, each with its own unbiased variance
    se = np.sqrt(sum(v.var(ddof=1) / len(v) for v in share.values()))
    z = stats.norm.ppf(0.975)
    assert pair.low == pytest.approx(did - z * se, abs=1e-9)
    assert pair.high == pytest.approx(did + z * se, abs=1e-9)


def test_the_planted_interaction_both_lines_firm_leave_no_text(random_batch):
    found = sensitivity(random_batch, resamples=0).outcome("deal")
    pair = next(i for i in found.indices if i.kind == "interaction")
    assert pair.index < -0.3 and pair.high < 0  # both firm: no deal, whatever alpha wants
    assert found.indices[0].column in (*planted.LINES, ":".join(planted.LINES), planted.PLANTED)


def test_no_deal_mirrors_deal(random_batch):
    found = sensitivity(random_batch, resamples=0)
    deal, no_deal = found.outcome("deal"), found.outcome("no_deal")
    assert deal.count + no_deal.count == deal.runs
    firm = {i.column: i.index for i in deal.indices if i.kind != "parameter"}
    for i in no_deal.indices:
        if i.kind != "parameter":
            assert i.index == pytest.approx(-firm[i.column], abs=1e-12)


def test_errors(tmp_path, random_batch):
    few = batch(tmp_path, runs=100, name="few")
    with pytest.raises(ScenarioError, match="too few"):
        sensitivity(few)
    fixed = planted.variant(uncertainty={"parameters": {}})
    for party in fixed["parties"].values():
        party["red_lines"][0]["credibility"] = 1.0
    still = batch(tmp_path, runs=300, data=fixed, name="still")
    with pytest.raises(ScenarioError, match="no input varies"):
        sensitivity(still)
    with pytest.raises(ScenarioError, match="needs a batch made with a sampling design"):
        sensitivity(random_batch, method="sobol-total")
    with pytest.raises(ScenarioError, match="power of 2"):
        plan_batch([planted.write(tmp_path)], design=Design("sobol", 100))
    with pytest.raises(ScenarioError, match=r"uncertainty\.parameters is empty"):
        plan_batch([planted.write(tmp_path, fixed, "f.yaml")], design=Design("sobol", 64))
    with pytest.raises(ScenarioError, match="drop --runs"):
        plan_batch([planted.write(tmp_path)], runs=10, design=Design("sobol", 64))


@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans()), min_size=8, max_size=200))
@settings(max_examples=60, deadline=None)
def test_line_effects_are_the_shares_of_the_rows_whatever_the_rows(cells):
    a, b, y = (np.array(column, dtype=bool) for column in zip(*cells, strict=True))
    assume(0 < a.sum() < len(a))
    effect = firm_effect("firm.p.l", a, y)
    assert effect.index == pytest.approx(y[a].mean() - y[~a].mean(), abs=1e-12)
    assert effect.low <= effect.index + 1e-12 and effect.index <= effect.high + 1e-12
    assert -1 <= effect.low <= effect.high <= 1
    pair = interaction("a:b", a, b, y)
    groups = [(a == i) & (b == j) for i, j in ((1, 1), (1, 0), (0, 1), (0, 0))]
    if min(int(g.sum()) for g in groups) < 2:
        assert pair is None  # no difference of differences, or no variance for a cell
        return
    assert pair is not None
    p11, p10, p01, p00 = (y[g].mean() for g in groups)
    assert pair.index == pytest.approx((p11 - p10) - (p01 - p00), abs=1e-9)
    assert pair.low <= pair.index + 1e-9 and pair.index <= pair.high + 1e-9


def test_a_designed_folder_is_another_batch(tmp_path):
    file = planted.write(tmp_path)
    out = tmp_path / "d"
    execute(plan_batch([file], design=Design("sobol", 16)), out, workers=1)
    for other in (plan_batch([file], design=Design("sobol", 32)), plan_batch([file], runs=80)):
        with pytest.raises(ScenarioError):
            execute(other, out, workers=1)
    again = execute(plan_batch([file], design=Design("sobol", 16)), out, workers=1)
    assert again.ran_runs == 0 and again.skipped_runs == 16 * 5


def test_run_batch_takes_a_design(tmp_path):
    rows = run_batch(planted.write(tmp_path), design=Design("sobol", 16), seed=2)
    assert len(rows) == 16 * 5
    assert rows["run"].tolist() == list(range(80))


def test_a_swept_field_is_an_input_and_ranks_first_when_it_decides(tmp_path):
    """Sweeping the deciding field (its sampling removed) ranks the sweep column first."""
    data = copy.deepcopy(planted.DATA)
    del data["uncertainty"]["parameters"]["parties.alpha.reservation"]
    file = planted.write(tmp_path, data, "swept.yaml")
    sweep = {"parties.alpha.reservation": [0.2, 0.4, 0.6, 0.8]}
    plan = plan_batch([file], runs=400, seed=3, sweeps=sweep)
    execute(plan, tmp_path / "s", workers=1)
    found = sensitivity(tmp_path / "s", resamples=10)
    ranked = parameters(found)
    assert ranked[0].column == "parties.alpha.reservation"
    assert ranked[0].index > 0.25
    assert all(abs(i.index) < PAWN_IDLE for i in ranked[1:]), ranked

"""``negsim compare``: real batches, the table, the JSON, the figure and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim import run_batch
from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "scenarios" / "ukraine_2025.yaml"
DEMAND = ROOT / "scenarios" / "ukraine_2025_recognition_demand.yaml"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def batches(tmp_path_factory) -> dict[str, Path]:
    """The baseline and the recognition demand, 2,000 runs each with seed 1; the baseline
    again with seed 2; and a swept baseline with two points."""
    root = tmp_path_factory.mktemp("compare")
    made = {"base": (BASE, 1), "demand": (DEMAND, 1), "base_seed2": (BASE, 2)}
    for name, (file, seed) in made.items():
        run_batch(file, runs=2000, seed=seed, block=1000, workers=1, out=root / name)
    run_batch(
        BASE,
        runs=2000,
        seed=1,
        block=1000,
        workers=1,
        out=root / "set",
        overrides=["parties.russia.reservation=0.3"],
    )
    run_batch(
        BASE,
        runs=200,
        seed=1,
        block=1000,
        workers=1,
        out=root / "swept",
        sweeps=["parties.ukraine.reservation=0.3,0.4"],
    )
    return {name: root / name for name in [*made, "swept", "set"]}


def row_of(table: str, label: str) -> str:
    """The first line of the row of a deal (its numbers come before its words)."""
    return next(line for line in table.splitlines() if line.rstrip().endswith(label))


def test_compare_baseline_with_the_recognition_demand(batches, tmp_path, capsys):
    out = tmp_path / "figs"
    code = main(["compare", str(batches["base"]), str(batches["demand"]), "--out", str(out)])
    assert code == 0
    table = capsys.readouterr().out
    assert "A: ukraine-2025-08 (2,000 runs) → B: ukraine-2025-08-recognition-demand" in table
    assert "Paired runs: the same seed 1" in table and "McNemar" in table
    no_deal = row_of(table, "no deal")
    assert " * " in no_deal  # the demand closes many deals: far beyond chance
    a, b, change = no_deal.split()[:3]
    assert float(b.rstrip("%")) - float(a.rstrip("%")) > 30 and change.startswith("+")
    assert "Russian control" in table and "acknowledged de facto" in table  # deals in words
    assert max(len(line) for line in table.splitlines()) <= 120
    figure = out / "compare.png"
    assert f"figure: {figure}" in table
    assert figure.read_bytes()[:8] == PNG and figure.stat().st_size > 20_000


def test_json_has_the_same_content(batches, capsys):
    assert main(["compare", str(batches["base"]), str(batches["demand"]), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (pair,) = data["pairs"]
    assert pair["paired"] is True and pair["runs_a"] == pair["runs_b"] == 2000
    first = pair["deals"][0]
    assert first["deal"] is None and first["label"] == "no deal"
    assert first["larger_than_chance"] is True and first["change"] > 0.3
    assert first["interval"][0] > 0.3 and first["p_adjusted"] < 0.05
    one_by_one = [d for d in pair["deals"][1:] if not d["other_deals"]]
    shares = [max(d["a"]["share"], d["b"]["share"]) for d in one_by_one]
    assert shares == sorted(shares, reverse=True)
    # At most top (12) one by one, or top + 1 listed whole rather than one rolled up.
    assert pair["top"] in (0, 12)
    assert len(one_by_one) <= (12 if pair["top"] else 13)
    assert sum(d["a"]["count"] for d in pair["deals"]) == 2000  # every run in one row
    # The default place of the figure is DIR_B/figures.
    assert data["figure"] == str(batches["demand"] / "figures" / "compare.png")
    assert Path(data["figure"]).read_bytes()[:8] == PNG


def test_a_batch_against_itself_changes_nothing(batches, tmp_path, capsys):
    folder = str(batches["base"])
    assert main(["compare", folder, folder, "--out", str(tmp_path), "--json"]) == 0
    deals = json.loads(capsys.readouterr().out)["pairs"][0]["deals"]
    assert len(deals) > 3
    assert all(d["change"] == 0 and not d["larger_than_chance"] for d in deals)
    assert all(d["p_adjusted"] == 1.0 for d in deals)


def test_different_seeds_are_compared_as_independent(batches, tmp_path, capsys):
    args = [str(batches["base"]), str(batches["base_seed2"]), "--out", str(tmp_path)]
    assert main(["compare", *args, "--format", "svg"]) == 0
    table = capsys.readouterr().out
    assert "Independent runs: different seeds (1 and 2)" in table and "Newcombe" in table
    assert "McNemar" not in table
    assert (tmp_path / "compare.svg").read_text().lstrip().startswith("<?xml")


def test_points_that_cannot_be_paired(batches, tmp_path, capsys):
    code = main(["compare", str(batches["base"]), str(batches["swept"]), "--out", str(tmp_path)])
    assert code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "error: compare: cannot pair the points: A holds 1 point" in captured.err
    assert "B holds 2 points" in captured.err
    assert "Traceback" not in captured.err
    assert not (tmp_path / "compare.png").exists()


def test_a_folder_that_is_not_a_batch(batches, tmp_path, capsys):
    assert main(["compare", str(tmp_path / "missing"), str(batches["base"])]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'missing'}: not a batch folder")
    assert "Traceback" not in err


def test_top_rolls_up_the_rarer_deals(batches, tmp_path, capsys):
    args = [str(batches["base"]), str(batches["demand"]), "--out", str(tmp_path)]
    assert main(["compare", *args, "--top", "2", "--json"]) == 0
    deals = json.loads(capsys.readouterr().out)["pairs"][0]["deals"]
    assert deals[0]["label"] == "no deal"
    assert len(deals) == 4 and deals[-1]["other_deals"] > 1
    assert deals[-1]["label"] == f"{deals[-1]['other_deals']} other deals"
    assert sum(d["a"]["count"] for d in deals) == 2000
    assert main(["compare", *args, "--top", "2"]) == 0
    table = capsys.readouterr().out
    assert "other deals" in table and "--top" in table


def test_a_batch_made_with_set_is_labelled_by_what_was_set(batches, tmp_path, capsys):
    args = [str(batches["base"]), str(batches["set"]), "--out", str(tmp_path)]
    assert main(["compare", *args]) == 0
    table = capsys.readouterr().out
    assert "→ B: ukraine-2025-08 with russia.reservation=0.3 (2,000 runs)" in table
    assert "A: ukraine-2025-08 (2,000 runs)" in table


def test_compare_help_states_every_default(capsys):
    with pytest.raises(SystemExit):
        main(["compare", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for said in ("(default: png)", "(default: 12;", "(default: DIR_B/figures)"):
        assert said in text

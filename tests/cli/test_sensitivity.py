"""``negsim sensitivity DIR [--json]`` and ``negsim batch --design sobol`` (issue 12.2)."""

from __future__ import annotations

import json

import pytest

from sim.cli import main
from tests.analysis import planted


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def random_batch(folder):
    out = folder / "random"
    file = planted.write(folder)
    assert (
        main(["batch", file, "--runs", "1000", "--workers", "1", "--out", str(out), "--quiet"]) == 0
    )
    return out


@pytest.fixture(scope="module")
def sobol_batch(folder):
    out = folder / "sobol"
    file = planted.write(folder)
    argv = ["batch", file, "--design", "sobol", "--samples", "128", "--workers", "1"]
    assert main([*argv, "--out", str(out), "--quiet"]) == 0
    return out


def test_json_has_the_shape_of_design_md(random_batch, capsys):
    assert main(["sensitivity", str(random_batch), "--json", "--resamples", "10"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"outcomes", "method"}
    assert data["method"] == "pawn"
    assert {"deal", "no_deal", "x=a", "x=b"} <= set(data["outcomes"])
    for columns in data["outcomes"].values():
        assert {planted.PLANTED, *planted.IDLE, *planted.LINES} <= set(columns)
        for column, entry in columns.items():
            assert set(entry) == {"index", "low", "high"}
            assert all(isinstance(v, float) for v in entry.values())
            assert entry["low"] <= entry["high"]
            if column.startswith("firm."):  # a PAWN index near 0 may lie below its interval
                assert entry["low"] <= entry["index"] <= entry["high"]
    deal = data["outcomes"]["deal"]
    params = {c: v["index"] for c, v in deal.items() if c.startswith("param.")}
    assert max(params, key=params.__getitem__) == planted.PLANTED


def test_text_and_figure(random_batch, tmp_path, capsys):
    figure = tmp_path / "ranked.png"
    assert main(["sensitivity", str(random_batch), "--resamples", "0", "--out", str(figure)]) == 0
    text = capsys.readouterr().out
    assert "PAWN" in text and planted.PLANTED in text and f"figure: {figure}" in text
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["sensitivity", str(random_batch), "--resamples", "0"]) == 0
    assert (random_batch / "sensitivity.png").is_file()


def test_a_sobol_batch_gets_sobol_indices(sobol_batch, capsys):
    assert main(["sensitivity", str(sobol_batch), "--json", "--resamples", "10"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "sobol-total"
    deal = data["outcomes"]["deal"]
    assert deal[planted.PLANTED]["index"] > 0.5
    for idle in planted.IDLE:
        assert abs(deal[idle]["index"]) < 1e-12


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--design", "sobol"], "--design needs --samples N"),
        (["--samples", "64"], "--samples needs --design"),
        (["--design", "sobol", "--samples", "48"], "power of 2"),
        (["--design", "sobol", "--samples", "64", "--runs", "10"], "drop --runs"),
    ],
)
def test_batch_design_errors_exit_2(folder, tmp_path, capsys, argv, message):
    file = planted.write(folder)
    assert main(["batch", file, *argv, "--out", str(tmp_path / "x"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_sensitivity_errors_exit_2(random_batch, tmp_path, capsys):
    assert main(["sensitivity", str(random_batch), "--method", "sobol-first"]) == 2
    assert "sampling design" in capsys.readouterr().err
    assert main(["sensitivity", str(tmp_path / "nowhere")]) == 2
    assert "no such batch folder" in capsys.readouterr().err
    few = tmp_path / "few"
    file = planted.write(tmp_path)
    assert (
        main(["batch", file, "--runs", "50", "--workers", "1", "--out", str(few), "--quiet"]) == 0
    )
    assert main(["sensitivity", str(few)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {few}: ") and "too few" in err

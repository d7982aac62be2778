"""``negsim analyze``: the one-screen answer reads right for any zone (9.17)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings

from sim.analysis import analyze
from sim.analysis.report import to_json, to_text
from sim.cli import main
from sim.space import compile_space
from tests.scenarios import scenarios

ROOT = Path(__file__).resolve().parents[2]

#: A count of one with a plural noun or verb ("1 deals", "1 leave", "1 more cross").
ONE_PLURAL = re.compile(r"(?<![\d,.])1 (more )?(possible deals|deals|issues|leave|cross)\b")


@settings(max_examples=80, deadline=None)
@given(scenarios)
def test_the_answer_reads_right_for_any_zone(scenario):
    analysis = analyze(compile_space(scenario))
    text = to_text(analysis)
    n_zone, n_outcomes = analysis.feasible.size, analysis.space.n_outcomes
    assert "the other 0" not in text
    assert ("Why the other" in text) == (0 < n_zone < n_outcomes)
    if n_zone == 0:
        assert ("None of the" in text) == (n_outcomes > 1)
    if n_zone == n_outcomes:
        assert "can form." in text and "cannot form" not in text
    if n_outcomes - n_zone == 1:
        assert "cannot form: it " in text
    assert not ONE_PLURAL.search(text), ONE_PLURAL.search(text)
    assert "every deal is signed by " in text


def test_a_closed_zone_says_none_of_the_deals_can_form(capsys):
    file = ROOT / "scenarios" / "ukraine_2025_recognition_demand.yaml"
    assert main(["analyze", str(file)]) == 0
    out = capsys.readouterr().out
    assert "None of the 48 possible deals can form: 25 leave a signer below its" in out
    assert "Why the other" not in out and "No deal can form" not in out


def test_a_single_signer_is_named_without_a_plural_verb(tmp_path, capsys):
    file = tmp_path / "one.yaml"
    file.write_text(
        "id: one\ntitle: One signer\ndeadline: 5\nprotocol: alternating\n"
        "issues: {price: {options: {low: Low, high: High}}}\n"
        "parties:\n"
        "  buyer: {label: Buyer, signs: true, reservation: 0.5, weights: {price: 1},"
        " values: {price: {low: 1.0, high: 0.0}}}\n",
        encoding="utf-8",
    )
    assert main(["analyze", str(file)]) == 0
    out = capsys.readouterr().out
    assert "2 possible deals over 1 issue (price); every deal is signed by Buyer," in out
    assert "1 deal can form" in out
    assert "Why the other deal cannot form: it leaves a signer below its reservation value." in out


#: ``negsim analyze`` text and JSON of generated scenarios, as the code before issue 13
#: (ratifiers and blocs) printed them: 36 scenarios, open and closed zones, every
#: ``--max-relax`` from 0 to 3 and ``--top`` from 1 to 12 (recorded at commit 520bda6).
RECORDED = ROOT / "tests" / "analysis" / "recorded_v1.json"


def test_without_ratifiers_and_blocs_the_answer_is_what_it_was():
    from tests.scenarios import build

    cases = json.loads(RECORDED.read_text(encoding="utf-8"))
    assert len(cases) == 36
    for case in cases:
        analysis = analyze(compile_space(build(case["data"])), case["max_relax"])
        assert to_text(analysis, case["top"]) == case["text"]
        now = json.dumps(to_json(analysis), indent=1, allow_nan=False)
        assert now == json.dumps(case["json"], indent=1, allow_nan=False)

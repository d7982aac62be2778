"""``negsim new FILE``: a small, valid, commented scenario to start from, and its source text."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from sim.cli.common import add_force

#: The scenario written, with ``@ID@`` and ``@SOURCE@`` filled in. Every quote in it
#: stands in :data:`SOURCE`, so the pair validates as written (a test checks).
TEMPLATE = """\
# A negsim scenario, written by `negsim new` as a place to start: pay talks between a
# union and a company, with a mediator, and a council that must agree to one option.
# Replace the parties, issues and red lines with those of your negotiation, and the
# source text beside this file with the document your quotes come from. Then:
#   negsim validate @FILE@     every problem, one line each (FILE:LINE: path: message)
#   negsim analyze @FILE@      which deals can form at all, and which red lines block the rest
#   negsim run @FILE@          one simulated negotiation, round by round
#   negsim batch @FILE@ --out results/@ID@      many negotiations (runs: the batch section)
# The whole format: README.md ("The scenario format, by example"); `negsim schema`
# prints a JSON Schema for editors. Names are lowercase snake_case.

id: @ID@                        # lowercase letters, digits, - and _
title: Pay talks at a city bus company
source: @SOURCE@   # the text the quotes come from (this file's folder, or a parent's)
deadline: 20                    # rounds of offers before the talks end
protocol: mediated              # mediated (one text, revised by the mediator) | alternating
mediator: mediator              # the party that drafts the texts; only with mediated

issues:                         # an outcome takes one option of every issue
  pay:
    label: Pay rise
    options:                    # in order; `name: label`, or {label: ..., needs: [...]}
      rise_2: 2% a year
      rise_4: 4% a year
      rise_6: 6% a year
  hours:
    label: Working week
    options:
      same: 38 hours
      shorter: {label: 36 hours, needs: [council]}   # a deal with it needs the council too

parties:
  union:
    label: Union
    signs: true                 # must accept every deal (default false: only when needed)
    reservation: 0.3            # what no deal is worth to it, in [0, 1]
    weights: {pay: 2, hours: 1}                       # normalised to sum 1
    values:                     # each option of each issue it weighs, in [0, 1]
      pay: {rise_2: 0.0, rise_4: 0.6, rise_6: 1.0}
      hours: {same: 0.2, shorter: 1.0}
    strategy: {type: boulware, exponent: 0.5}         # default: linear
    red_lines:
      - id: no_real_pay_cut
        forbid: {pay: [rise_2]}   # crossed when every listed issue takes a listed option
        credibility: 0.8          # chance the line holds in a simulated run (default 1)
        quote: "We will not sign anything that means a real-terms pay cut for our drivers."
  company:
    label: Company
    signs: true
    reservation: 0.2
    weights: {pay: 3, hours: 1}
    values:
      pay: {rise_2: 1.0, rise_4: 0.6, rise_6: 0.0}
      hours: {same: 1.0, shorter: 0.3}
    strategy: {type: conceder}
    red_lines:
      - id: no_six_percent
        forbid: {pay: [rise_6]}
        credibility: 0.6
        quote: "a rise of six per cent a year ... would put the routes we run at risk"
        # a quote stands in the source word for word; `...` marks words left out
  council:
    label: City council
    reservation: 0.2            # signs only deals with an option that needs it
    weights: {hours: 1}
    values:
      hours: {same: 0.5, shorter: 0.6}
    red_lines:
      - id: moderate_settlement
        require: {pay: [rise_2, rise_4]}   # crossed when pay takes an option not listed
        basis: implied          # the source implies the line rather than states it
        note: The council pays for the shorter week only with a moderate pay rise.
        quote: "will pay for a shorter week only if the pay settlement stays moderate"
  mediator:
    label: Mediator
    reservation: 0.0
    weights: {pay: 1}           # the mediator's own leaning biases the texts it drafts
    values:
      pay: {rise_2: 0.3, rise_4: 1.0, rise_6: 0.3}
    # strategy: {type: single_text}   # the mediator's default policy

# Optional, sampled afresh in every simulated run (`analyze` ignores them):
# uncertainty:
#   parameters:
#     parties.company.reservation: {dist: uniform, low: 0.2, high: 0.4}
#   noise: {weights: 0.1, values: 0.05}
# events:
#   - id: strike
#     round: 10
#     probability: 0.5
#     set: {parties.company.reservation: 0.2}

batch:                          # what `negsim batch` runs unless told otherwise
  runs: 2000
  seed: 1
  # sweeps:
  #   parties.union.red_lines.no_real_pay_cut.credibility: [0.2, 0.5, 0.8]
"""

#: The source text written beside the scenario.
SOURCE = """\
An invented example, written by `negsim new`: replace it with the document your
scenario's quotes come from (an article, minutes of a meeting, a statement).

Pay talks at the city bus company opened on Monday. The union's leader told members:
"We will not sign anything that means a real-terms pay cut for our drivers." The
company's finance director warned that a rise of six per cent a year "would put the
routes we run at risk". A spokesperson said the city council will pay for a shorter
week only if the pay settlement stays moderate.
"""


def register(commands: Any) -> None:
    """Add the subcommand."""
    parser = commands.add_parser(
        "new",
        help="write a small, commented scenario to start from",
        description="Write FILE, a small valid scenario with a comment on every field, and "
        "beside it FILE's name with .source.txt, the source text its quotes come from. "
        "Both pass `negsim validate` and `negsim analyze` as written; edit them into "
        "your negotiation.",
    )
    parser.add_argument("file", metavar="FILE", help="the scenario to write, e.g. talks.yaml")
    add_force(parser, "FILE or its source text")
    parser.set_defaults(handler=run)


def source_path(file: Path) -> Path:
    """The source text written beside ``file``: its stem with ``.source.txt``."""
    return file.with_name(file.stem + ".source.txt")


def scenario_id(file: Path) -> str:
    """A scenario id from the file's name: lowercase, other characters as ``-``."""
    name = re.sub(r"[^a-z0-9_-]+", "-", file.stem.lower()).strip("-_")
    return name or "my-scenario"


def run(args: argparse.Namespace) -> int:
    """Write the scenario and its source text."""
    from sim.scenario import Problem, ScenarioError
    from sim.scenario.problems import Origin

    file = Path(args.file)
    source = source_path(file)
    problems = [
        Problem(Origin(str(path)), (), "exists already (--force replaces it)")
        for path in (file, source)
        if path.exists() and not args.force
    ]
    problems += [
        Problem(Origin(str(path)), (), "is a folder") for path in (file, source) if path.is_dir()
    ]
    if problems:
        raise ScenarioError(problems)
    file.parent.mkdir(parents=True, exist_ok=True)
    text = (
        TEMPLATE.replace("@ID@", scenario_id(file))
        .replace("@SOURCE@", source.name)
        .replace("@FILE@", str(file))
    )
    source.write_text(SOURCE, encoding="utf-8")
    file.write_text(text, encoding="utf-8")
    print(f"wrote {file} and its source text {source}; next: negsim analyze {file}")
    return 0

"""Typed models of a scenario file (the format of DESIGN.md), validated by pydantic.

These models check structure: types, ranges, names, unknown fields. Checks that relate
one part of a file to another (an option a red line names must exist, ...) are in
:mod:`sim.scenario.checks`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from sim.scenario.problems import DataPath, Origin, shown
from sim.strategies import StrategyParams, StrategySpec
from sim.strategies.single_text import SingleText
from sim.strategies.time_dependent import Linear

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")

#: Limits on a scenario's size (the README lists them): far above any real negotiation,
#: low enough that every command's work stays bounded.
MAX_PARTIES = 1_000
MAX_ISSUES = 1_000
MAX_OPTIONS = 10_000  # per issue; outcome arrays index options with 16-bit integers
MAX_DEADLINE = 100_000
SCENARIO_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _name(value: str) -> str:
    if not NAME_RE.fullmatch(value):
        raise ValueError(
            f"{shown(value)} is not a name:"
            " use lowercase snake_case (a-z, 0-9, _; starting with a letter)"
        )
    return value


def _scenario_id(value: str) -> str:
    if not SCENARIO_ID_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not an id: use lowercase letters, digits, '-' and '_'")
    return value


Name = Annotated[str, AfterValidator(_name)]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Option(_Model):
    """One option of an issue: its label and the parties whose consent it needs."""

    label: Text | None = None
    needs: list[Name] = Field(default_factory=list)


class Issue(_Model):
    """An issue on the table and its options, in the order of the file."""

    label: Text | None = None
    options: Annotated[dict[Name, Option], Field(min_length=1, max_length=MAX_OPTIONS)]

    @field_validator("options", mode="before")
    @classmethod
    def _labels_as_options(cls, value: Any) -> Any:
        # `nato_troops: NATO troops in Ukraine` is shorthand for {label: ...}; a bare
        # `none:` is an option without a label.
        if isinstance(value, dict):
            return {
                k: {"label": v} if isinstance(v, str) else ({} if v is None else v)
                for k, v in value.items()
            }
        return value


class RedLine(_Model):
    """A deal a party refuses whatever it gains elsewhere (exactly one of forbid / require)."""

    id: Name
    forbid: dict[Name, Annotated[list[Name], Field(min_length=1)]] | None = None
    require: dict[Name, Annotated[list[Name], Field(min_length=1)]] | None = None
    credibility: Unit = 1.0
    #: Utility its owner loses on a deal crossing the line after giving it up (the cost
    #: of backing down before its audience, Fearon 1994). Default 0.
    audience_cost: Unit = 0.0
    quote: Text | None = None
    basis: Literal["stated", "implied"] = "stated"
    note: Text | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> RedLine:
        if (self.forbid is None) == (self.require is None):
            raise ValueError("a red line has exactly one of forbid or require")
        rule = self.forbid if self.forbid is not None else self.require
        if not rule:
            raise ValueError("a red line names at least one issue")
        return self

    @property
    def kind(self) -> Literal["forbid", "require"]:
        """Whether the line forbids or requires its options."""
        return "forbid" if self.forbid is not None else "require"

    @property
    def rule(self) -> dict[str, list[str]]:
        """The issues and options the line lists."""
        rule = self.forbid if self.forbid is not None else self.require
        assert rule is not None
        return rule


class Ratifier(_Model):
    """Who must ratify a party's deal at home (Putnam 1988: the second level of the game).

    A ratifier accepts a deal that crosses none of its red lines and is worth at least
    its reservation value to it. Its utility uses its own ``weights`` when given, else
    the party's; on each issue its own ``values`` when it lists the issue, else the
    party's (so a ratifier that differs from its negotiator on one issue states only
    that issue). ``informed`` is the probability, drawn once per run, that the
    negotiator knows the ratifier's limits and refuses texts the ratifier would reject;
    an uninformed negotiator may sign a deal that then fails at home.
    """

    id: Name
    label: Text | None = None
    reservation: Unit
    weights: Annotated[dict[Name, Annotated[float, Field(ge=0.0)]], Field(min_length=1)] | None = (
        None
    )
    values: dict[Name, dict[Name, Unit]] | None = None
    red_lines: list[RedLine] = Field(default_factory=list)
    informed: Unit = 1.0
    note: Text | None = None


class Party(_Model):
    """A party: its preferences, what no deal is worth to it, its strategy and red lines."""

    label: Text | None = None
    signs: bool = False
    reservation: Unit
    weights: Annotated[dict[Name, Annotated[float, Field(ge=0.0)]], Field(min_length=1)]
    values: dict[Name, dict[Name, Unit]]
    strategy: StrategySpec = Field(default_factory=lambda: Linear.Params(type="linear"))
    red_lines: list[RedLine] = Field(default_factory=list)
    #: Utility lost per round without a deal (Zartman's hurting stalemate); negative when
    #: time is on the party's side. Round t's reservation value is
    #: ``clip(reservation - cost_of_delay * t, 0, 1)``. Default 0.
    cost_of_delay: Annotated[float, Field(ge=-1.0, le=1.0)] = 0.0
    #: The last round the party stays at the table (private: no other party knows it).
    #: Default: the talks' deadline.
    deadline: Annotated[int, Field(ge=1)] | None = None
    #: Correlation of its red lines' firmness draws (Gaussian copula), in [0, 1]; 0 draws
    #: them independently. Default 0.
    resolve: Unit = 0.0
    #: Who must ratify the party's deals at home (a two-level game, Putnam 1988).
    ratification: list[Ratifier] = Field(default_factory=list)

    def normalised_weights(self) -> dict[str, float]:
        """Weights divided by their sum (sum 1), in the order given."""
        total = sum(self.weights.values())
        return {issue: w / total for issue, w in self.weights.items()}

    def ratifier_preferences(
        self, ratifier: Ratifier
    ) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
        """A ratifier's weights (raw) and values: its own where given, else the party's.

        Weights are the ratifier's when it gives any, else the party's; values, issue by
        issue, the ratifier's on the issues it lists, else the party's.
        """
        weights = dict(ratifier.weights if ratifier.weights is not None else self.weights)
        values = {issue: dict(v) for issue, v in self.values.items()}
        values.update({issue: dict(v) for issue, v in (ratifier.values or {}).items()})
        return weights, values

    def normalised_ratifier_weights(self, ratifier: Ratifier) -> dict[str, float]:
        """A ratifier's weights divided by their sum (sum 1)."""
        weights, _ = self.ratifier_preferences(ratifier)
        total = sum(weights.values())
        return {issue: w / total for issue, w in weights.items()} if total > 0 else weights


class Uniform(_Model):
    """Uniform on [low, high]."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.low > self.high:
            raise ValueError("low must not exceed high")
        return self


class Normal(_Model):
    """Normal with mean and sd, clipped to the field's allowed range."""

    dist: Literal["normal"]
    mean: float
    sd: Annotated[float, Field(ge=0.0)]


class Triangular(_Model):
    """Triangular on [low, high] with its peak at mode."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError("needs low <= mode <= high")
        return self


class Beta(_Model):
    """Beta(a, b) on [0, 1]."""

    dist: Literal["beta"]
    a: Annotated[float, Field(gt=0.0)]
    b: Annotated[float, Field(gt=0.0)]


class Choice(_Model):
    """One of listed values, with optional weights."""

    dist: Literal["choice"]
    values: Annotated[list[float], Field(min_length=1)]
    weights: list[Annotated[float, Field(ge=0.0)]] | None = None

    @model_validator(mode="after")
    def _weights_fit(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError("weights must have one entry per value")
            if sum(self.weights) <= 0:
                raise ValueError("weights must not all be zero")
        return self


Distribution = Annotated[Uniform | Normal | Triangular | Beta | Choice, Field(discriminator="dist")]


class Noise(_Model):
    """Noise drawn per run on every party's preferences."""

    weights: Annotated[float, Field(ge=0.0, le=5.0)] = 0.0
    values: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0


class Uncertainty(_Model):
    """What is sampled per run: distributions of numeric fields, and preference noise."""

    parameters: dict[str, Distribution] = Field(default_factory=dict)
    noise: Noise = Field(default_factory=Noise)


class Event(_Model):
    """At a round, with a probability, change numeric fields or drop red lines."""

    id: Name
    label: Text | None = None
    round: Annotated[int, Field(ge=1)]
    probability: Unit = 1.0
    set: dict[str, float] = Field(default_factory=dict)
    drop_red_lines: list[str] = Field(default_factory=list)
    #: Rounds added to the talks' deadline in the runs where the event fires.
    extend_deadline: Annotated[int, Field(ge=1)] | None = None
    quote: Text | None = None

    @model_validator(mode="after")
    def _does_something(self) -> Event:
        if not self.set and not self.drop_red_lines and self.extend_deadline is None:
            raise ValueError(
                "an event changes something: give set, drop_red_lines or extend_deadline"
            )
        return self


class Bloc(_Model):
    """Parties that negotiate as one voice: they answer every text together, by ``rule``.

    ``unanimous``: the bloc accepts a text only when every member does; ``majority``:
    when more than half of its members do (a member outvoted is bound by the bloc).
    When any member must sign a text, every member answers it.
    """

    label: Text | None = None
    members: Annotated[list[Name], Field(min_length=1)]
    rule: Literal["unanimous", "majority"] = "unanimous"


class Batch(_Model):
    """A study in one file: how many runs, the seed, and the sweeps over fields."""

    runs: Annotated[int, Field(ge=1, le=10**9)] | None = None
    seed: Annotated[int, Field(ge=0, lt=2**64)] | None = None
    sweeps: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(default_factory=dict)


@dataclass(frozen=True)
class Located:
    """Where each part of a scenario was read (file and line, by data path).

    Not part of what a scenario is: its fields take no part in comparisons, so two
    scenarios with the same data are equal wherever they were read from.
    """

    origins: Mapping[DataPath, Origin] = field(default_factory=dict, compare=False)
    fallback: Origin | None = field(default=None, compare=False)


class Scenario(_Model):
    """A whole scenario: issues, parties and how their talks run."""

    id: Annotated[str, AfterValidator(_scenario_id)]
    title: Text
    source: Text | None = None
    deadline: Annotated[int, Field(ge=1, le=MAX_DEADLINE)]
    protocol: Literal["mediated", "alternating"]
    mediator: Name | None = None
    issues: Annotated[dict[Name, Issue], Field(min_length=1, max_length=MAX_ISSUES)]
    parties: Annotated[dict[Name, Party], Field(min_length=1, max_length=MAX_PARTIES)]
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    events: list[Event] = Field(default_factory=list)
    #: Parties that negotiate as one voice (DESIGN.md, "Blocs and ratification").
    blocs: dict[Name, Bloc] = Field(default_factory=dict)
    batch: Batch = Field(default_factory=Batch)

    _located: Located = PrivateAttr(default_factory=Located)

    @model_validator(mode="before")
    @classmethod
    def _mediator_default(cls, data: Any) -> Any:
        # The mediator's default policy is made explicit here, not inferred later from
        # which fields were given: a dumped scenario then validates to the same scenario.
        if not isinstance(data, dict) or data.get("protocol") != "mediated":
            return data
        mediator, parties = data.get("mediator"), data.get("parties")
        if not isinstance(mediator, str) or not isinstance(parties, dict):
            return data
        party = parties.get(mediator)
        if not isinstance(party, dict) or "strategy" in party:
            return data
        default = {**party, "strategy": {"type": "single_text"}}
        return {**data, "parties": {**parties, mediator: default}}

    def read_from(self, origins: Mapping[DataPath, Origin], fallback: Origin | None) -> None:
        """Record where the scenario's parts were read, for messages that name a line."""
        self._located = Located(dict(origins), fallback)

    @property
    def located(self) -> Located:
        """Where the scenario's parts were read (empty for one built in Python)."""
        return self._located

    def origin(self, path: DataPath = ()) -> Origin:
        """The file and line of the value at ``path`` (or of its nearest part recorded)."""
        for end in range(len(path), -1, -1):
            found = self._located.origins.get(path[:end])
            if found is not None:
                return found
        return self._located.fallback or Origin(f"scenario {self.id}")

    @property
    def signatories(self) -> list[str]:
        """Parties whose acceptance every agreement needs, in file order."""
        return [pid for pid, party in self.parties.items() if party.signs]

    def issue_label(self, issue: str) -> str:
        """The issue's label, or its name."""
        return self.issues[issue].label or issue.replace("_", " ")

    def option_label(self, issue: str, option: str) -> str:
        """The option's label, or its name."""
        return self.issues[issue].options[option].label or option.replace("_", " ")

    def strategy_of(self, party: str) -> StrategyParams:
        """The party's strategy; a mediator that names none follows the single text."""
        spec = self.parties[party]
        if party == self.mediator and "strategy" not in spec.model_fields_set:
            return SingleText.Params(type="single_text")
        return spec.strategy

    def party_label(self, party: str) -> str:
        """The party's label, or its name."""
        return self.parties[party].label or party.replace("_", " ")

    def ratifier_label(self, party: str, ratifier: str) -> str:
        """A ratifier's label, or its name."""
        found = next(q for q in self.parties[party].ratification if q.id == ratifier)
        return found.label or ratifier.replace("_", " ")

    def bloc_label(self, bloc: str) -> str:
        """A bloc's label, or its name."""
        return self.blocs[bloc].label or bloc.replace("_", " ")

    def bloc_of(self, party: str) -> str | None:
        """The bloc the party belongs to, or None."""
        return next((b for b, spec in self.blocs.items() if party in spec.members), None)

    @property
    def has_ratifiers(self) -> bool:
        """Whether any party has ratifiers (then rows have ``ratified``)."""
        return any(party.ratification for party in self.parties.values())

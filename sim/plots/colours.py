"""The colours of deals and parties: the same deal has the same colour everywhere.

A deal's colour follows from the deal itself, its option on every issue, and from
nothing else: not from how often it formed, not from the batch, not from the other
deals in the figure. So a deal is drawn in one colour in ``deals.png`` of any batch,
in ``compare.png`` and on the page. The deal's ``issue=option`` pairs, sorted by
issue, are hashed (BLAKE2b, stable across processes and machines, unlike Python's
``hash``) into :data:`DEAL_PALETTE`, a fixed qualitative palette without greys:
dark grey means no deal, light grey the deals not drawn one by one.

A palette of a few colours cannot give every deal of a large space its own, so two
deals in one figure can share a colour; figures tell them apart by their labels and,
where the colour alone would have to, by a hatch or marker (:func:`repeats`), never
by changing a deal's colour. The hash's key (:data:`SALT`) was picked once, so that
the most frequent deals of the shipped scenarios all differ in colour; it is part of
the colours' definition and never changes (a new key would recolour every figure).

This module imports nothing heavy (no matplotlib), so the page can use it freely.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

#: The deal colours: Tableau 10 without its grey (Stone, Tableau 2016) and five darker
#: or warmer tones of Tableau 20b/20c, each far enough from the others to name apart.
DEAL_PALETTE: tuple[str, ...] = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#843c39",
    "#7b4173",
    "#e7ba52",
)
#: The key of the hash (see the module's docstring).
SALT = b"negsim-354"
#: Runs without a deal.
NO_DEAL_COLOUR = "#4d4d4d"
#: Deals drawn together ("other deals"), not one by one.
OTHER_COLOUR = "#c7c7c7"
#: Parties, in the order they first appear (Okabe & Ito 2008, colour-blind safe).
PARTY_COLOURS: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)


def deal_key(deal: Mapping[str, str]) -> str:
    """A deal as ``issue=option,...`` with issues sorted: the same text for the same deal."""
    if not deal:
        raise ValueError("a deal has an option for at least one issue")
    return ",".join(f"{issue}={deal[issue]}" for issue in sorted(deal))


def deal_colour(deal: Mapping[str, str]) -> str:
    """The colour of a deal (issue id -> option id), as ``#rrggbb``; the same everywhere."""
    digest = hashlib.blake2b(deal_key(deal).encode("utf-8"), digest_size=8, key=SALT).digest()
    return DEAL_PALETTE[int.from_bytes(digest, "big") % len(DEAL_PALETTE)]


def repeats(colours: Sequence[str]) -> list[int]:
    """For each colour, how many earlier entries have the same one (0 for its first use).

    A figure that shows deals side by side marks a repeat (a hatch, a marker) so that
    two deals of one colour stay apart without either changing colour.
    """
    seen: dict[str, int] = {}
    out = []
    for colour in colours:
        out.append(seen.get(colour, 0))
        seen[colour] = out[-1] + 1
    return out


def party_colour(order: Sequence[str], party: str) -> str:
    """The colour of ``party`` among the parties in ``order`` (first appearance)."""
    return PARTY_COLOURS[list(order).index(party) % len(PARTY_COLOURS)]


__all__ = [
    "DEAL_PALETTE",
    "NO_DEAL_COLOUR",
    "OTHER_COLOUR",
    "PARTY_COLOURS",
    "deal_colour",
    "deal_key",
    "party_colour",
    "repeats",
]

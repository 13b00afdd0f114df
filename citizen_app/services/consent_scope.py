"""What a consent in force covers (``Scope``), on its own so that modules told about consent (consent_spread)
need not import the consent rules, which call them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Scope:
    unit_ids: frozenset[str]
    other_parties: frozenset[str]
    categories: frozenset[str]
    exclusions: tuple[str, ...]
    valid_until: date

    def covers_unit(self, unit_public_id: str) -> bool:
        return unit_public_id in self.unit_ids

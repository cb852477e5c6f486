"""The stock ledger's hash chain: each movement stores the hash of the previous movement of its SKU."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

GENESIS_HASH = "0" * 64


class MovementKind(StrEnum):
    RECEIPT = "receipt"
    ADJUSTMENT = "adjustment"
    SHIPMENT = "shipment"


@dataclass(frozen=True, slots=True)
class Movement:
    sku: str
    seq: int  # 1, 2, 3 … per SKU
    kind: MovementKind
    delta: int
    reason: str
    ref: str


def movement_hash(prev_hash: str, movement: Movement) -> str:
    """SHA-256 over the previous hash and the movement's fields; changing any past row breaks the chain."""
    text = "\x1f".join(
        [prev_hash, movement.sku, str(movement.seq), movement.kind.value, str(movement.delta),
         movement.reason, movement.ref]
    )
    return hashlib.sha256(text.encode()).hexdigest()

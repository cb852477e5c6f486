"""The stock ledger's hash chain: each movement stores the hash of the previous movement of its SKU.

With a ledger key (INDEN_LEDGER_KEY) the hash is an HMAC-SHA256 under that key: whoever can write the
database but does not hold the key cannot rewrite a movement and recompute the chain after it. Without a key
it is a plain SHA-256, which shows accidental damage only (anyone can recompute it).
"""

from __future__ import annotations

import hashlib
import hmac
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


def movement_hash(prev_hash: str, movement: Movement, *, key: str | None = None) -> str:
    """SHA-256 (HMAC-SHA256 under `key`, when given) over the previous hash and the movement's fields;
    changing any past row breaks the chain."""
    text = "\x1f".join(
        [prev_hash, movement.sku, str(movement.seq), movement.kind.value, str(movement.delta),
         movement.reason, movement.ref]
    ).encode()
    if key is None:
        return hashlib.sha256(text).hexdigest()
    return hmac.new(key.encode(), text, hashlib.sha256).hexdigest()


def key_that_signed(prev_hash: str, movement: Movement, stored: str, keys: list[str]) -> str | None:
    """Which of `keys` made `stored` (the first that matches), or None when none did."""
    for key in keys:
        if hmac.compare_digest(movement_hash(prev_hash, movement, key=key), stored):
            return key
    return None

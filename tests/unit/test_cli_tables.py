"""How the CLI fits a table into the console: columns shrink to their longest word, never below it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from inden.cli.common import column_widths

words = st.text(alphabet="abcdefghij", min_size=1, max_size=12)
cells = st.lists(words, min_size=1, max_size=4).map(" ".join)


def test_columns_keep_their_natural_width_when_there_is_room() -> None:
    assert column_widths([["SKU", "KOPI-GAYO-250"], ["Qty", "2"]], room=80) == [13, 3]


def test_the_column_with_most_to_spare_gives_up_room_first() -> None:
    widths = column_widths([["Name", "Kemeja Batik Tulis Pria"], ["SKU", "BATIK-TULIS-M"]], room=25)
    assert widths == [12, 13]  # the name wraps between words; the SKU stays whole


@given(st.lists(st.lists(cells, min_size=1, max_size=5), min_size=1, max_size=8), st.integers(10, 120))
def test_no_column_is_narrower_than_its_longest_word(columns: list[list[str]], room: int) -> None:
    widths = column_widths(columns, room=room)
    for column, width in zip(columns, widths, strict=True):
        assert width >= max(len(w) for cell in column for w in cell.split())
        assert width <= max(len(cell) for cell in column)
    assert sum(widths) <= room or all(
        width == max(len(w) for cell in column for w in cell.split()) for column, width in zip(columns, widths,
                                                                                               strict=True))

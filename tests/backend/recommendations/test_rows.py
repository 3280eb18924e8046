"""RowIndex answers like the dict of database id -> row it replaces."""

from __future__ import annotations

import numpy as np
import pytest

from backend.recommendations.rows import RowIndex, rows_of


@pytest.mark.parametrize("ids", [[3, 8, 20, 21], [20, 3, 21, 8]])
def test_lookups_match_a_dict(ids):
    index, expected = RowIndex(ids), {item_id: row for row, item_id in enumerate(ids)}
    assert dict(index) == expected and len(index) == len(ids)
    for item_id in range(25):
        assert (item_id in index) == (item_id in expected)
        assert index.get(item_id) == expected.get(item_id)
    assert index[np.int64(21)] == expected[21]
    with pytest.raises(KeyError):
        index[4]
    assert "8" not in index and None not in index
    np.testing.assert_array_equal(
        index.rows_of(np.array([21, 4, 3, 99])), [expected[21], -1, expected[3], -1]
    )


def test_repeated_ids_are_refused_and_an_empty_index_finds_nothing():
    with pytest.raises(ValueError, match="repeat"):
        RowIndex([5, 2, 5])
    empty = RowIndex([])
    assert 1 not in empty and len(empty) == 0
    np.testing.assert_array_equal(empty.rows_of(np.array([1, 2])), [-1, -1])


@pytest.mark.parametrize("ids", [[3, 8, 20, 21], [20, 3, 21, 8]])
def test_rows_of_answers_alike_for_an_index_and_a_dict(ids):
    asked = [21, 4, 3, 99, 8]
    as_dict = {item_id: row for row, item_id in enumerate(ids)}
    expected = [as_dict.get(i, -1) for i in asked]
    np.testing.assert_array_equal(rows_of(RowIndex(ids), asked), expected)
    np.testing.assert_array_equal(rows_of(as_dict, asked), expected)
    assert rows_of(RowIndex(ids), []).shape == (0,)

"""The tags-only catalogue derived from a split: no genres, no years, everything else kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from gnn.bench import load_split
from gnn.derive import main as derive
from gnn.derive import strip_year, tags_only

ITEMS = (
    "item_id\tmovie_id\ttitle\tyear\tgenres\ttags\n"
    "0\t1\tToy Story (1995)\t1995\tAnimation|Comedy\tpixar|fun\n"
    "1\t2\tBabylon 5\t\tSci-Fi\tspace\n"
    "2\t3\tThe Office (2005–2013)\t2005\tComedy\t\n"
    "3\t4\t11'09\"01 - September 11 (2002)\t2002\tDrama\tpolitics\n"
)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "split"
    folder.mkdir()
    (folder / "items.tsv").write_text(ITEMS)
    (folder / "train.txt").write_text("0 0 1\n1 2\n")
    (folder / "test.txt").write_text("0 2\n1 0\n")
    (folder / "cold_items.txt").write_text("3\n")
    (folder / "test_cold.txt").write_text("0 3\n")
    (folder / "SPLIT.txt").write_text("a split\n")
    return folder


@pytest.mark.parametrize(
    ("title", "bare"),
    [
        ("Heat (1995)", "Heat"),
        ("Cosmos (1980- )", "Cosmos"),
        ("The Office (2005–2013) ", "The Office"),
        ("Babylon 5", "Babylon 5"),
        ("1984 (1984)", "1984"),
        ("Brazil (1985) (Director's Cut)", "Brazil (1985) (Director's Cut)"),
    ],
)
def test_strip_year_removes_only_a_final_year(title, bare):
    assert strip_year(title) == bare


def test_tags_only_drops_genres_and_years_and_keeps_the_rest(source, tmp_path):
    out = tmp_path / "tags-only"
    counts = tags_only(source, out)
    assert counts == {"items": 4, "tagged_items": 3, "files_copied": 4}
    lines = (out / "items.tsv").read_text().splitlines()
    assert lines[0].split("\t") == ["item_id", "title", "tags"]
    assert lines[1:3] == ["0\tToy Story\tpixar|fun", "1\tBabylon 5\tspace"]
    for name in ("train.txt", "test.txt", "cold_items.txt", "test_cold.txt"):
        assert (out / name).read_bytes() == (source / name).read_bytes()
    data, _, extra = load_split(out)
    assert data.item_text == ["Toy Story", "Babylon 5", "The Office", "11'09\"01 - September 11"]
    assert data.num_tags == 4  # pixar, fun, space, politics: no genre is left
    assert (data.item_category == -1).all()  # no genre left to be a category
    assert extra["cold_items"].tolist() == [3]
    assert "a split" in (out / "SPLIT.txt").read_text()


def test_command_line(source, tmp_path, capsys):
    assert derive(["tags-only", "--source", str(source), "--out", str(tmp_path / "o")]) == 0
    assert "tagged_items" in capsys.readouterr().out

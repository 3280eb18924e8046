"""import_dataset refuses bad rows of every format before writing anything.

Each case appends or swaps one bad row in small files of the real layouts and checks that
the refusal names the file and line, and that the database is exactly as it was, even
with ``--flush`` (the flush is part of the write that never starts).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from backend.content.importers import DatasetError, import_dataset, read_dataset, write_dataset
from tests.backend.test_import_dataset import (
    ITEMS_TSV,
    MOVIES_CSV,
    RATINGS_CSV,
    TAGS_CSV,
    TRAIN_TXT,
    U_DATA,
    U_GENRE,
    U_ITEM,
    platform_rows,
)

pytestmark = pytest.mark.django_db

BIG = "9223372036854775808"  # 2**63: one past the largest int64
TRAIN_INTERACTIONS_TSV = (
    "user_id\titem_id\trating\ttimestamp\n"
    "0\t0\t5\t874965478\n"
    "0\t1\t3\t874965479\n"
    "1\t2\t1\t874965480\n"
)


def movielens(ratings: str = "", movies: str | bytes = MOVIES_CSV, tags: str = TAGS_CSV) -> dict:
    return {"movies.csv": movies, "ratings.csv": RATINGS_CSV + ratings, "tags.csv": tags}


def movielens_100k(data: str | bytes = "", item: str = U_ITEM) -> dict:
    udata = U_DATA.encode() + data if isinstance(data, bytes) else U_DATA + data
    return {"u.data": udata, "u.item": item, "u.genre": U_GENRE}


def lightgcn(train: str = "", items: str | bytes = ITEMS_TSV, ratings: str = "") -> dict:
    return {
        "train.txt": TRAIN_TXT + train,
        "items.tsv": items,
        "train_interactions.tsv": TRAIN_INTERACTIONS_TSV + ratings,
    }


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True)
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (folder / name).write_bytes(data)
    return folder


CASES = [
    # MovieLens latest: ratings.csv has its header on line 1 and 8 rows; line 10 is new.
    ("ml-neg", movielens("-4,1,4.0,964982703\n"), "ratings.csv line 10: user id -4 is negative"),
    (
        "ml-int64",
        movielens(f"{BIG},1,4.0,964982703\n"),
        f"ratings.csv line 10: userId {BIG} is beyond the largest id 9223372036854775807",
    ),
    ("ml-nan", movielens("4,1,nan,964982703\n"), "ratings.csv line 10: the rating is missing"),
    ("ml-inf", movielens("4,1,inf,964982703\n"), "ratings.csv line 10: rating inf is not finite"),
    ("ml-range", movielens("4,1,7,964982703\n"), "ratings.csv line 10: rating 7 is outside 0..5"),
    (
        "ml-time",
        movielens("4,1,4.0,1e30\n"),
        "ratings.csv line 10: time 1e+30 is outside 1970-01-01..2100-01-01",
    ),
    (
        "ml-utf8",
        movielens(movies=MOVIES_CSV.encode().replace(b"Jumanji", b"Jum\xffanji")),
        "movies.csv line 3: not valid UTF-8 (byte 0xff at column 6)",
    ),
    (
        "ml-nul",
        movielens(movies=MOVIES_CSV.replace("Jumanji", "Jum\x00anji")),
        r"movies.csv line 3: title 'Jum\x00anji (1995)' contains a NUL character",
    ),
    (
        "ml-tag-nul",
        movielens(tags=TAGS_CSV + "3,3,old\x00men,1445715300\n"),
        r"tags.csv line 6: tag 'old\x00men' contains a NUL character",
    ),
    (
        "ml-malformed",
        movielens("4,1,4.0\n"),
        "ratings.csv line 10: expected 4 fields (userId, movieId, rating, timestamp), found 3",
    ),
    (
        "ml-not-a-number",
        movielens("4,1,four,964982703\n"),
        "ratings.csv line 10: rating 'four' is not a number",
    ),
    (
        "ml-duplicate",
        movielens(movies=MOVIES_CSV + "2,Jumanji again (1995),Comedy\n"),
        "movies.csv line 7: item id 2 is listed twice (first on line 3)",
    ),
    ("ml-unknown", movielens("4,999,4.0,964982703\n"), "ratings.csv line 10: item 999 is not in"),
    # MovieLens 100K: u.data has no header and 6 rows; line 7 is new.
    ("100k-neg", movielens_100k("-5\t1\t4\t887736532\n"), "u.data line 7: user id -5 is negative"),
    (
        "100k-int64",
        movielens_100k(f"5\t{BIG}\t4\t887736532\n"),
        f"u.data line 7: item id {BIG} is beyond the largest id",
    ),
    ("100k-nan", movielens_100k("5\t1\tnan\t887736532\n"), "u.data line 7: the rating is missing"),
    ("100k-inf", movielens_100k("5\t1\t4\tinf\n"), "u.data line 7: time inf is not a finite"),
    ("100k-time", movielens_100k("5\t1\t4\t1e30\n"), "u.data line 7: time 1e+30 is outside"),
    (
        "100k-utf8",
        movielens_100k(b"5\t1\t4\t88773\xff6532\n"),
        "u.data line 7: not valid UTF-8 (byte 0xff at column 12)",
    ),
    (
        "100k-nul",
        movielens_100k(item=U_ITEM.replace("GoldenEye", "Golden\x00Eye")),
        r"u.item line 2: title 'Golden\x00Eye (1995)' contains a NUL character",
    ),
    (
        "100k-malformed",
        movielens_100k("5 1 4 887736532\n"),
        "u.data line 7: expected 4 fields (user id, item id, rating, timestamp), found 1",
    ),
    # LightGCN train.txt (3 lines; line 4 is new) with the side files of a split.
    ("lgcn-neg-user", lightgcn("-3 1 2\n"), "train.txt line 4: user id -3 is negative"),
    ("lgcn-neg-item", lightgcn("3 1 -2\n"), "train.txt line 4: item -2 is negative"),
    ("lgcn-int64", lightgcn(f"3 1 {BIG}\n"), f"train.txt line 4: id {BIG} is beyond the largest"),
    (
        "lgcn-dense",
        lightgcn("3 20000000\n"),
        "train.txt line 4: item 20000000 is beyond the 10,000,000 items",
    ),
    (
        "lgcn-nan",
        lightgcn(ratings="2\t4\tnan\t874965481\n"),
        "train_interactions.tsv line 5: the rating is missing",
    ),
    (
        "lgcn-inf",
        lightgcn(ratings="2\t4\t-inf\t874965481\n"),
        "train_interactions.tsv line 5: rating -inf is not finite",
    ),
    (
        "lgcn-time",
        lightgcn(ratings="2\t4\t3\t1e30\n"),
        "train_interactions.tsv line 5: time 1e+30 is outside",
    ),
    (
        "lgcn-utf8",
        lightgcn(items=ITEMS_TSV.encode().replace(b"Jumanji", b"Jum\xc3anji")),
        "items.tsv line 3: not valid UTF-8 (byte 0xc3 at column 8)",
    ),
    (
        "lgcn-nul",
        lightgcn(items=ITEMS_TSV.replace("Heat", "He\x00at")),
        r"items.tsv line 6: title 'He\x00at (1995)' contains a NUL character",
    ),
    ("lgcn-malformed", lightgcn("3 1 x\n"), "train.txt line 4: id 'x' is not an integer"),
    (
        "lgcn-split-malformed",
        lightgcn(ratings="2\t4\t3\n"),
        "train_interactions.tsv line 5: expected 4 fields",
    ),
    (
        "lgcn-items-id",
        lightgcn(items=ITEMS_TSV + "five\t7\tSeven (1995)\t1995\tCrime\t\n"),
        "items.tsv line 7: item_id 'five' is not an integer",
    ),
]


@pytest.fixture
def imported(tmp_path: Path) -> tuple[int, ...]:
    """A platform with one dataset already in it, so "nothing written" means something."""
    import_dataset(write(tmp_path / "existing", movielens()), prefix="before")
    return platform_rows()


@pytest.mark.parametrize(("name", "files", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_rows_are_refused_with_their_line_and_nothing_is_written(
    tmp_path: Path, imported: tuple[int, ...], name: str, files: dict, message: str
) -> None:
    folder = write(tmp_path / name, files)
    with pytest.raises(CommandError, match=re.escape(message)) as refused:
        call_command("import_dataset", str(folder), "--flush", verbosity=0)
    assert "nothing was written" in str(refused.value)
    assert platform_rows() == imported


def test_a_refusal_shows_the_first_ten_bad_rows_and_counts_the_rest(tmp_path: Path) -> None:
    bad_rows = "".join(f"{u},1,nan,964982703\n" for u in range(20, 35))  # lines 10..24
    folder = write(tmp_path / "many", movielens(bad_rows + "-1,1,4,964982703\n"))
    with pytest.raises(DatasetError) as refused:
        import_dataset(folder)
    error = refused.value
    assert error.total == 16 and len(error.problems) == 10
    assert [p.line for p in error.problems] == list(range(10, 20))
    text = str(error)
    assert text.startswith("Refused ratings.csv: 16 bad rows; nothing was written.")
    assert text.endswith("... and 6 more")
    assert platform_rows() == (0, 0, 0, 0, 0)


def test_the_writer_checks_a_dataset_whoever_built_it(tmp_path: Path) -> None:
    dataset = read_dataset(write(tmp_path / "ok", movielens()))
    dataset.times = dataset.times.astype(np.float64)
    dataset.times[0] = np.inf
    dataset.titles[1] = "Jumanji\x00"
    with pytest.raises(DatasetError) as refused:
        write_dataset(dataset, flush=True)
    assert [str(p) for p in refused.value.problems] == [
        r"movies.csv line 3: title 'Jumanji\x00' contains a NUL character",
        "ratings.csv line 2: time inf is not a finite number",
    ]
    assert platform_rows() == (0, 0, 0, 0, 0)


def test_limit_users_does_not_hide_a_bad_row(tmp_path: Path) -> None:
    folder = write(tmp_path / "late", movielens("99,1,inf,964982703\n"))
    with pytest.raises(DatasetError, match="ratings.csv line 10"):
        read_dataset(folder, limit_users=1)


def test_bad_prefix_and_empty_files_are_refused(tmp_path: Path) -> None:
    folder = write(tmp_path / "ok", movielens())
    with pytest.raises(CommandError, match="--prefix"):
        call_command("import_dataset", str(folder), "--prefix", "a b\x00", verbosity=0)
    empty = write(
        tmp_path / "empty",
        {"movies.csv": MOVIES_CSV, "ratings.csv": "userId,movieId,rating,timestamp\n"},
    )
    with pytest.raises(CommandError, match="holds no interactions"):
        call_command("import_dataset", str(empty), verbosity=0)
    blank = write(tmp_path / "blank", {"train.txt": "\n  \n"})
    with pytest.raises(CommandError, match="train.txt holds no interactions"):
        call_command("import_dataset", str(blank), verbosity=0)
    assert platform_rows() == (0, 0, 0, 0, 0)


def test_the_command_line_prints_the_refusal_without_a_traceback(tmp_path: Path) -> None:
    folder = write(tmp_path / "cli", movielens(f"{BIG},1,4.0,964982703\n"))
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["SQLITE_PATH"] = str(tmp_path / "cli.sqlite3")
    done = subprocess.run(
        [sys.executable, "manage.py", "import_dataset", str(folder)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"ratings.csv line 10: userId {BIG} is beyond the largest id" in done.stderr

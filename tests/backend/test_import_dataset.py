"""import_dataset on small files in the real MovieLens and LightGCN layouts."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import F

from backend.content.importers import DatasetError, import_dataset
from backend.content.models import Category, ContentItem, Creator, Tag
from backend.interactions.models import Interaction

pytestmark = pytest.mark.django_db

MOVIES_CSV = """movieId,title,genres
1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy
2,Jumanji (1995),Adventure|Children|Fantasy
3,Grumpier Old Men (1995),Comedy|Romance
11,"American President, The (1995)",Comedy|Drama|Romance
182727,A Christmas Story Live! (2017),(no genres listed)
"""
RATINGS_CSV = """userId,movieId,rating,timestamp
1,1,4.0,964982703
1,3,4.0,964981247
1,11,2.5,964982224
2,1,5.0,964983815
2,2,3.5,964982931
2,3,2.0,964982400
3,1,0.5,1306463578
3,11,3.0,1306463579
"""
TAGS_CSV = """userId,movieId,tag,timestamp
2,1,pixar,1445714994
2,1,Pixar,1445714996
3,2,Robin Williams,1445714992
3,11,politics,1445715207
"""
U_GENRE = """unknown|0
Action|1
Adventure|2
Animation|3
Children's|4
Comedy|5
Crime|6
Documentary|7
Drama|8
Fantasy|9
Film-Noir|10
Horror|11
Musical|12
Mystery|13
Romance|14
Sci-Fi|15
Thriller|16
War|17
Western|18

"""
U_ITEM = (
    "1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)"
    "|0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
    "2|GoldenEye (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?GoldenEye%20(1995)"
    "|0|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0|1|0|0\n"
    "3|Four Rooms (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Four%20Rooms%20(1995)"
    "|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|0|1|0|0\n"
)
U_DATA = """308\t1\t4\t887736532
5\t2\t3\t875636053
268\t2\t2\t875744173
181\t3\t2\t878963441
276\t2\t4\t874792436
287\t1\t5\t875334088
"""
TRAIN_TXT = """0 0 1 2 3
1 2 4
2 4 0 1
"""
ITEMS_TSV = """item_id\tmovie_id\ttitle\tyear\tgenres\ttags
0\t1\tToy Story (1995)\t1995\tAdventure|Animation\tpixar|fun
1\t2\tJumanji (1995)\t1995\tAdventure|Children\tgame
2\t3\tGrumpier Old Men (1995)\t1995\tComedy|Romance\t
3\t5\tFather of the Bride Part II (1995)\t1995\tComedy\t
4\t6\tHeat (1995)\t1995\tAction|Crime|Thriller\t
"""


def write(folder: Path, files: dict[str, str], encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding=encoding)
    return folder


@pytest.fixture
def movielens(tmp_path: Path) -> Path:
    return write(
        tmp_path / "ml-latest-small",
        {"movies.csv": MOVIES_CSV, "ratings.csv": RATINGS_CSV, "tags.csv": TAGS_CSV},
    )


def platform_rows() -> tuple[int, ...]:
    User = get_user_model()
    return (
        User.objects.count(),
        ContentItem.objects.count(),
        Interaction.objects.count(),
        Tag.objects.count(),
        Category.objects.count(),
    )


def test_movielens_latest(movielens: Path):
    counts = import_dataset(movielens)
    assert counts["users"] == 3 and counts["items"] == 5 and counts["interactions"] == 8
    catalogue = Creator.objects.get(user__username="ml_catalogue")
    assert catalogue.display_name == "MovieLens"
    assert catalogue.items.count() == 5
    assert set(ContentItem.objects.values_list("type", flat=True)) == {"video"}

    toy = ContentItem.objects.get(title="Toy Story (1995)")
    assert toy.category.name == "Adventure"
    tags = set(toy.tags.values_list("name", flat=True))
    assert {"Adventure", "Animation", "Children", "Comedy", "Fantasy"} <= tags
    # User tags join the genres; case variants are one tag.
    assert len({t.lower() for t in tags} & {"pixar"}) == 1 and len(tags) == 6
    assert "1995" in toy.excerpt and "Animation" in toy.excerpt
    assert toy.published_at == datetime(1995, 1, 1, tzinfo=UTC)
    president = ContentItem.objects.get(title="American President, The (1995)")
    assert "politics" in set(president.tags.values_list("name", flat=True))
    no_genre = ContentItem.objects.get(title__startswith="A Christmas Story")
    assert no_genre.category is None and not no_genre.tags.exists()

    def kind(user: str, title: str) -> tuple:
        row = Interaction.objects.get(user__username=user, item__title=title)
        return row.kind, row.value, int(row.occurred_at.timestamp())

    assert kind("ml_1", "Toy Story (1995)") == ("like", 4.0, 964982703)
    assert kind("ml_1", "American President, The (1995)") == ("view", 2.5, 964982224)
    assert kind("ml_2", "Jumanji (1995)") == ("view", 3.5, 964982931)
    # a low rating is still a watched film: a view, never the platform's "show me less"
    assert kind("ml_2", "Grumpier Old Men (1995)") == ("view", 2.0, 964982400)
    assert kind("ml_3", "Toy Story (1995)") == ("view", 0.5, 1306463578)
    assert counts["likes"] == 3 and counts["views"] == 5 and "dislikes" not in counts

    user = get_user_model().objects.get(username="ml_2")
    assert not user.has_usable_password()
    assert not Interaction.objects.filter(occurred_at__lt=F("item__published_at")).exists()


def test_movielens_100k(tmp_path: Path):
    folder = write(
        tmp_path / "ml-100k",
        {"u.data": U_DATA, "u.item": U_ITEM, "u.genre": U_GENRE},
        encoding="latin-1",
    )
    call_command("import_dataset", str(folder), verbosity=0)
    assert ContentItem.objects.count() == 3
    assert Interaction.objects.count() == 6
    assert get_user_model().objects.filter(username__startswith="ml100k_").count() == 6 + 1
    golden = ContentItem.objects.get(title="GoldenEye (1995)")
    assert golden.category.name == "Action"
    assert set(golden.tags.values_list("name", flat=True)) == {"Action", "Adventure", "Thriller"}
    toy = ContentItem.objects.get(title="Toy Story (1995)")
    assert set(toy.tags.values_list("name", flat=True)) == {"Animation", "Children's", "Comedy"}
    row = Interaction.objects.get(user__username="ml100k_268")
    assert (row.kind, row.value, int(row.occurred_at.timestamp())) == ("view", 2.0, 875744173)
    assert Interaction.objects.get(user__username="ml100k_5").kind == "view"
    assert Interaction.objects.get(user__username="ml100k_287").kind == "like"


def test_lightgcn_train_txt_with_items_tsv(tmp_path: Path):
    folder = write(tmp_path / "toy", {"train.txt": TRAIN_TXT, "items.tsv": ITEMS_TSV})
    counts = import_dataset(folder / "train.txt")
    assert counts == {
        "users": 3,
        "items": 5,
        "categories": 3,
        "tags": 11,
        "item_tags": 13,
        "interactions": 9,
        "likes": 0,
        "views": 9,
    }
    assert set(Interaction.objects.values_list("kind", flat=True)) == {"view"}
    assert ContentItem.objects.get(title="Heat (1995)").category.name == "Action"
    # Synthetic times keep each user's order.
    titles = list(
        Interaction.objects.filter(user__username="toy_2")
        .order_by("occurred_at")
        .values_list("item__title", flat=True)
    )
    assert titles == ["Heat (1995)", "Toy Story (1995)", "Jumanji (1995)"]
    assert not Interaction.objects.filter(occurred_at__lt=F("item__published_at")).exists()


def test_lightgcn_ids_are_recoverable(tmp_path: Path):
    # The catalogue's items by id are the dataset's items in order; users keep their ids.
    folder = write(tmp_path / "toy", {"train.txt": TRAIN_TXT, "items.tsv": ITEMS_TSV})
    import_dataset(folder, prefix="ds")
    items = list(
        ContentItem.objects.filter(creator__user__username="ds_catalogue")
        .order_by("id")
        .values_list("id", flat=True)
    )
    key_of = {db_id: k for k, db_id in enumerate(items)}
    for line in TRAIN_TXT.strip().splitlines():
        user, *dataset_items = (int(x) for x in line.split())
        stored = Interaction.objects.filter(user__username=f"ds_{user}")
        assert sorted(key_of[i] for i in stored.values_list("item_id", flat=True)) == sorted(
            dataset_items
        )


def test_lightgcn_without_metadata_and_limit_users(tmp_path: Path):
    folder = write(tmp_path / "gowalla", {"train.txt": TRAIN_TXT})
    counts = import_dataset(folder, format="lightgcn", limit_users=2)
    assert counts["users"] == 2 and counts["interactions"] == 6 and counts["items"] == 5
    assert ContentItem.objects.filter(title__startswith="Item ").count() == 5
    assert Creator.objects.get().display_name == "Gowalla"


def test_limit_users_keeps_the_first_users_and_their_items(movielens: Path):
    counts = import_dataset(movielens, limit_users=1)
    assert counts["users"] == 1 and counts["interactions"] == 3 and counts["items"] == 3
    assert set(Interaction.objects.values_list("user__username", flat=True)) == {"ml_1"}


def test_missing_path_and_unknown_format_write_nothing(tmp_path: Path, movielens: Path):
    before = platform_rows()
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_dataset", str(tmp_path / "nope"), verbosity=0)
    with pytest.raises(CommandError, match="Cannot tell the format"):
        call_command("import_dataset", str(write(tmp_path / "empty", {})), verbosity=0)
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("import_dataset", str(movielens), "--format=netflix", verbosity=0)
    with pytest.raises(DatasetError, match="Unknown format"):
        import_dataset(movielens, format="netflix")
    with pytest.raises(CommandError, match="has no u.data"):
        call_command("import_dataset", str(movielens), "--format=movielens-100k", verbosity=0)
    assert platform_rows() == before


def test_malformed_files_write_nothing(tmp_path: Path):
    before = platform_rows()
    bad = write(
        tmp_path / "bad",
        {"movies.csv": MOVIES_CSV, "ratings.csv": RATINGS_CSV + "4,1,four,964982703\n"},
    )
    with pytest.raises(CommandError, match="ratings.csv"):
        call_command("import_dataset", str(bad), verbosity=0)
    unknown_item = write(
        tmp_path / "unknown",
        {"movies.csv": MOVIES_CSV, "ratings.csv": RATINGS_CSV + "4,999,4.0,964982703\n"},
    )
    with pytest.raises(CommandError, match="999"):
        call_command("import_dataset", str(unknown_item), verbosity=0)
    header = write(tmp_path / "header", {"movies.csv": MOVIES_CSV, "ratings.csv": "1,1,4.0,9\n"})
    with pytest.raises(CommandError, match="header"):
        call_command("import_dataset", str(header), verbosity=0)
    assert platform_rows() == before


def test_second_import_is_refused_unless_flushed(movielens: Path):
    import_dataset(movielens)
    rows = platform_rows()
    with pytest.raises(CommandError, match="already imported"):
        call_command("import_dataset", str(movielens), verbosity=0)
    assert platform_rows() == rows
    call_command("import_dataset", str(movielens), "--flush", verbosity=0)
    assert platform_rows() == rows
    import_dataset(movielens, prefix="ml2")
    assert ContentItem.objects.count() == 10
    # Tags and categories are shared between imports, not duplicated.
    assert Tag.objects.count() == rows[3] and Category.objects.count() == rows[4]


@pytest.mark.skipif(not os.environ.get("LUPI_DATASETS"), reason="LUPI_DATASETS is not set")
def test_real_movielens_100k_from_lupi_datasets():
    folder = Path(os.environ["LUPI_DATASETS"]) / "ml-100k"
    if not (folder / "u.data").is_file():
        pytest.skip(f"no ml-100k under {folder.parent}")
    counts = import_dataset(folder, limit_users=50)
    assert counts["users"] == 50
    assert Interaction.objects.count() == counts["interactions"] > 1000
    assert not Interaction.objects.filter(occurred_at__lt=F("item__published_at")).exists()

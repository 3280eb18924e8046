"""Benchmark catalogues derived on demand (the public data itself is never copied).

``python -m gnn.derive tags-only --source SPLIT --out DIR``: the same split with items
described only by free-form user tags and a name: ``items.tsv`` loses its genres and years
(a ``(1995)`` at the end of a title included); every other file is copied as it is.

``python -m gnn.derive synthetic --out DIR [--users N --items M --topics K --seed S]``: a
catalogue generated with known tastes (:mod:`gnn.synthetic`), in the same layout.
"""

from __future__ import annotations

import argparse
import csv
import re
import shutil
from pathlib import Path

from .synthetic import make_catalogue

__all__ = ["main", "strip_year", "tags_only"]

# "Heat (1995)", "Babylon 5 (1994-1998)", "The Office (2005–2013)", "Cosmos (1980- )"
YEAR_AT_END = re.compile(r"\s*\(\s*\d{4}\s*(?:[-–]\s*(?:\d{4})?\s*)?\)\s*$")
KEPT_COLUMNS = ("item_id", "title", "tags")


def strip_year(title: str) -> str:
    """The title without a year (or a span of years) in brackets at its end."""
    return YEAR_AT_END.sub("", title).strip()


def tags_only(source: Path, out: Path) -> dict[str, int]:
    """Write the tags-only version of the split in ``source`` to ``out``; returns counts."""
    if not (source / "items.tsv").is_file():
        raise FileNotFoundError(f"{source} has no items.tsv")
    out.mkdir(parents=True, exist_ok=True)
    copied = 0
    for path in sorted(source.iterdir()):
        if path.is_file() and path.name not in ("items.tsv", "SPLIT.txt"):
            shutil.copyfile(path, out / path.name)
            copied += 1
    with (source / "items.tsv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    with (out / "items.tsv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(KEPT_COLUMNS)
        for row in rows:
            writer.writerow(
                [row["item_id"], strip_year(row.get("title") or ""), row.get("tags") or ""]
            )
    tagged = sum(1 for row in rows if (row.get("tags") or "").strip())
    note = (source / "SPLIT.txt").read_text().strip() if (source / "SPLIT.txt").exists() else ""
    (out / "SPLIT.txt").write_text(
        f"{note}\nDerived: items.tsv keeps only item_id, the title without its year, and the "
        f"free-form user tags ({tagged} of {len(rows)} items have any); genres, years and "
        f"other columns are dropped.\n".lstrip()
    )
    return {"items": len(rows), "tagged_items": tagged, "files_copied": copied}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Derive a benchmark catalogue into a split folder.")
    sub = ap.add_subparsers(dest="kind", required=True)
    tags = sub.add_parser("tags-only", help="a split whose items have only tags and a name")
    tags.add_argument("--source", type=Path, required=True)
    tags.add_argument("--out", type=Path, required=True)
    syn = sub.add_parser("synthetic", help="a catalogue generated with known tastes")
    syn.add_argument("--out", type=Path, required=True)
    syn.add_argument("--users", type=int, default=2000)
    syn.add_argument("--items", type=int, default=3000)
    syn.add_argument("--topics", type=int, default=12)
    syn.add_argument("--per-user", type=int, default=40, help="mean pairs per user")
    syn.add_argument("--with-genres", action="store_true", help="the topic as each item's genre")
    syn.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.kind == "tags-only":
        counts = tags_only(args.source, args.out)
        print(f"wrote {args.out}: {counts}")
        return 0
    catalogue = make_catalogue(
        args.users,
        args.items,
        num_topics=args.topics,
        per_user=args.per_user,
        with_genres=args.with_genres,
        seed=args.seed,
    )
    catalogue.write_split(args.out)
    print(f"wrote {args.out}: {catalogue.description}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

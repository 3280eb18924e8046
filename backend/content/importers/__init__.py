"""Public recommendation datasets, read into the platform's tables.

Three layouts are understood, one module each:

- ``movielens``: MovieLens "latest" (``ratings.csv``, ``movies.csv``, optional ``tags.csv``);
- ``movielens_100k``: MovieLens 100K (``u.data``, ``u.item``, ``u.genre``);
- ``lightgcn``: the LightGCN/NGCF ``train.txt``, with the side files of a temporal split
  (``split``: ``items.tsv``, ``train_interactions.tsv``) or an ``item_list.txt``.

Each reader turns its files into a ``Dataset`` that remembers the file and line of every
row; ``checks`` judges every dataset by the same rules (ids, ratings, times, text) and
refuses it with the first bad rows by file and line; ``writer`` writes a dataset that
passed, in one transaction. Nothing is written when anything is refused.
"""

from backend.content.importers.checks import check_dataset
from backend.content.importers.dataset import Dataset, DatasetError
from backend.content.importers.reading import FORMATS, detect_format, read_dataset
from backend.content.importers.writer import import_dataset, write_dataset

__all__ = [
    "FORMATS",
    "Dataset",
    "DatasetError",
    "check_dataset",
    "detect_format",
    "import_dataset",
    "read_dataset",
    "write_dataset",
]

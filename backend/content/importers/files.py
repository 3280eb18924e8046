"""Reading a dataset's files with line numbers, refusing what cannot be parsed.

Every reader goes through these: text is decoded strictly (a byte that is not UTF-8 is
refused with its line, never replaced), numeric tables are parsed in one vectorised pass,
and only when that fails is the file walked line by line to name the bad lines.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from backend.content.importers.dataset import DatasetError, Problem, Problems

__all__ = [
    "Column",
    "csv_table",
    "integer_problem",
    "item_key",
    "need",
    "numbered_lines",
    "read_table",
    "read_text",
]

INTEGER = re.compile(r"\s*[+-]?\d+\s*", re.ASCII)
INT64 = np.iinfo(np.int64)


@dataclass(frozen=True)
class Column:
    """A column of a numeric table: its name in messages and whether it holds ids."""

    name: str
    integer: bool = False

    @property
    def dtype(self) -> str:
        return "i8" if self.integer else "f8"


def need(folder: Path, name: str, format: str) -> Path:
    file = folder / name
    if not file.is_file():
        raise DatasetError(f"{folder} has no {name} (needed for --format {format}).")
    return file


def read_text(file: Path, encoding: str = "utf-8") -> str:
    """The file's text; bytes that do not decode are refused with their line numbers."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise DatasetError(f"{file}: cannot be read ({exc.strerror}).") from exc
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        pass
    problems = Problems()
    # A multi-byte UTF-8 sequence never contains a newline byte, so lines decode alone.
    for number, raw in enumerate(data.split(b"\n"), 1):
        try:
            raw.decode(encoding)
        except UnicodeDecodeError as exc:
            reason = f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
            problems.add(file.name, number, reason)
    problems.raise_if_any()
    raise AssertionError("unreachable: the whole file failed to decode but no line did")


def numbered_lines(text: str, skip: int = 0) -> tuple[list[str], np.ndarray]:
    """Non-blank lines after the first ``skip``, and their 1-based line numbers."""
    numbered = [
        (number, line.rstrip("\r"))
        for number, line in enumerate(text.split("\n")[skip:], skip + 1)
        if line.strip()
    ]
    numbers = np.fromiter((n for n, _ in numbered), dtype=np.int64, count=len(numbered))
    return [line for _, line in numbered], numbers


def check_header(file: Path, header: str, delimiter: str, expected: list[str]) -> None:
    found = [h.strip() for h in header.rstrip("\r").split(delimiter)]
    if found[: len(expected)] != expected:
        shown = delimiter.join(found) if header.strip() else "an empty line"
        raise DatasetError(
            f"{file.name} line 1: expected the header {delimiter.join(expected)}, found {shown}."
        )


def read_table(
    file: Path, columns: list[Column], delimiter: str, header: list[str] | None = None
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """A numeric table as one array per column, and each row's line number.

    Ids are read as int64, so an id beyond int64 is refused here rather than rounded;
    every row must have exactly the columns given. Values (NaN, infinities, huge times)
    are read as they are, for the dataset checks to judge.
    """
    text = read_text(file)
    if header is not None:
        check_header(file, text.split("\n", 1)[0], delimiter, header)
    lines, numbers = numbered_lines(text, skip=int(header is not None))
    dtype = [(f"c{k}", column.dtype) for k, column in enumerate(columns)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data" for an empty table
            table = np.loadtxt(lines, delimiter=delimiter, dtype=dtype, ndmin=1, comments=None)
    except (ValueError, OverflowError) as exc:
        problems = Problems()
        for line, number in zip(lines, numbers.tolist(), strict=True):
            reason = _line_problem(line.split(delimiter), columns)
            if reason:
                problems.add(file.name, number, reason)
        problems.raise_if_any()
        # The fast parser refused what the line-by-line walk accepts (e.g. "1_000").
        raise DatasetError(f"{file.name}: {exc}") from exc
    return {column.name: table[f"c{k}"] for k, column in enumerate(columns)}, numbers


def _line_problem(fields: list[str], columns: list[Column]) -> str | None:
    if len(fields) != len(columns):
        expected = ", ".join(c.name for c in columns)
        return f"expected {len(columns)} fields ({expected}), found {len(fields)}"
    for value, column in zip(fields, columns, strict=True):
        if column.integer:
            if not INTEGER.fullmatch(value):
                return f"{column.name} {_shown(value)} is not an integer"
            if int(value) > INT64.max:
                return f"{column.name} {value.strip()} is beyond the largest id {INT64.max}"
            if int(value) < INT64.min:
                return f"{column.name} {value.strip()} is negative"
        else:
            try:
                float(value)
            except ValueError:
                return f"{column.name} {_shown(value)} is not a number"
    return None


def integer_problem(value: str, what: str) -> str | None:
    """Why ``value`` is not a usable id (a non-negative int64), or None."""
    if not INTEGER.fullmatch(value):
        return f"{what} {_shown(value)} is not an integer"
    number = int(value)
    if number < 0:
        return f"{what} {number} is negative"
    if number > INT64.max:
        return f"{what} {number} is beyond the largest id {INT64.max}"
    return None


def item_key(value: str) -> str:
    """An item id as the dataset's other files will name it: ``007`` is ``7``."""
    value = value.strip()
    return str(int(value)) if INTEGER.fullmatch(value) else value


def csv_table(
    file: Path, header: list[str] | None, delimiter: str = ","
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """A CSV file's header (which must start with ``header`` when given) and its
    ``(line, fields)`` rows. The line is where the record starts; a quoted field may span
    lines."""
    records = _csv_records(file, read_text(file), delimiter)
    first = next(records, (1, []))[1]
    if header is not None:
        check_header(file, delimiter.join(first), delimiter, header)
    return [h.strip() for h in first], records


def _csv_records(file: Path, text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    end = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DatasetError.refuse([Problem(file.name, reader.line_num, str(exc))]) from exc
        start, end = end + 1, reader.line_num
        if fields:
            yield start, fields


def _shown(value: str) -> str:
    value = value.strip()
    return repr(value if len(value) <= 40 else value[:40] + "...")

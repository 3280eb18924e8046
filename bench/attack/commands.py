"""Management commands given bad input, as an operator would type them.

``python -m bench.attack.commands`` runs every case below through Django's command line
(``ManagementUtility``, what ``manage.py`` runs: argument errors, ``CommandError`` lines,
exit statuses) in one process, so Django and torch are loaded once, against the database
its environment names, and prints the outcomes as JSON on its last line. A case passes
(*rejected*) when the command exits non-zero with an error line and no traceback, and the
platform's tables hold exactly what they held before; a traceback is a *server error*; a
command that succeeds, or fails after writing, *accepted* the bad input.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.attack.verdicts import ACCEPTED, REJECTED, SERVER_ERROR, Outcome

__all__ = ["CASES", "CommandCase", "run_cases"]

BIG = str(2**63)  # one past the largest int64
MOVIES = "movieId,title,genres\n1,Toy Story (1995),Animation|Comedy\n2,Jumanji (1995),Adventure\n"
RATINGS = "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,3.5,964982931\n"
TAGS = "userId,movieId,tag,timestamp\n1,1,pixar,1445714994\n"


def movielens(ratings: str = "", movies: str | bytes = MOVIES) -> dict[str, str | bytes]:
    """A MovieLens "latest" folder with one bad part."""
    return {"movies.csv": movies, "ratings.csv": RATINGS + ratings, "tags.csv": TAGS}


@dataclass(frozen=True)
class CommandCase:
    name: str
    argv: tuple[str, ...]  # "{data}" is the case's dataset folder
    files: dict[str, str | bytes] = field(default_factory=dict)


def _import(name: str, files: dict[str, str | bytes], *extra: str) -> CommandCase:
    return CommandCase(f"import_dataset: {name}", ("import_dataset", "{data}", *extra), files)


CASES = [
    _import("a negative user id", movielens("-4,1,4.0,964982703\n")),
    _import("a user id beyond int64", movielens(f"{BIG},1,4.0,964982703\n")),
    _import("an item id beyond int64", movielens(f"4,{BIG},4.0,964982703\n")),
    _import("a NaN rating", movielens("4,1,nan,964982703\n")),
    _import("an infinite rating", movielens("4,1,inf,964982703\n")),
    _import("a rating of 7 of 5", movielens("4,1,7,964982703\n")),
    _import("a time of 1e30", movielens("4,1,4.0,1e30\n")),
    _import("a negative time", movielens("4,1,4.0,-5\n")),
    _import("invalid UTF-8", movielens(movies=MOVIES.encode().replace(b"Jumanji", b"Jum\xffanji"))),
    _import("a NUL in a title", movielens(movies=MOVIES.replace("Jumanji", "Jum\x00anji"))),
    _import("a row of three fields", movielens("4,1,4.0\n")),
    _import("an item nobody listed", movielens("4,999,4.0,964982703\n")),
    _import("a folder that does not exist", {}, "--format", "movielens"),
    _import("an unknown format", movielens(), "--format", "excel"),
    _import("a negative user limit", movielens(), "--limit-users", "-1"),
    CommandCase("train_gnn: a platform without interactions", ("train_gnn", "--no-progress")),
    CommandCase(
        "train_gnn: --device cuda (on a platform without interactions)",
        ("train_gnn", "--device", "cuda", "--no-progress"),
    ),
    CommandCase("train_gnn: --holdout 2", ("train_gnn", "--holdout", "2")),
    CommandCase("train_gnn: --emb-dim 0", ("train_gnn", "--emb-dim", "0")),
    CommandCase("train_gnn: --time-budget nan", ("train_gnn", "--time-budget", "nan")),
    CommandCase("train_gnn: --time-budget inf", ("train_gnn", "--time-budget", "inf")),
    CommandCase("seed_demo: --now 2025-02-30", ("seed_demo", "--now", "2025-02-30")),
    CommandCase("seed_demo: --now yesterday", ("seed_demo", "--now", "yesterday")),
    CommandCase("seed_demo: --users 0", ("seed_demo", "--users", "0")),
    CommandCase("gnn_rollback: no version to go back to", ("gnn_rollback",)),
]


def _table_rows() -> dict[str, int]:
    """Rows of every platform table, except the training log (a refused training run is
    recorded as failed, on purpose)."""
    from django.apps import apps

    skipped = {"recommendations.trainingrun", "sessions.session", "admin.logentry"}
    return {
        model._meta.label_lower: model.objects.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.label_lower not in skipped and model._meta.managed
    }


def _run(argv: list[str]) -> tuple[int | None, str, str]:
    """(exit status, stdout, stderr) of ``manage.py ARGV``; status None: a traceback
    (the traceback is the stderr)."""
    from django.core.management import ManagementUtility

    out, err = io.StringIO(), io.StringIO()
    status: int | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            ManagementUtility(["manage.py", *argv]).execute()
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # what a command line would show as a traceback
            status = None
            err.write(traceback.format_exc())
    return status, out.getvalue(), err.getvalue()


def judge(case: CommandCase, folder: Path) -> Outcome:
    data = folder / case.name.split(":")[1].strip().replace(" ", "-")
    if case.files:
        data.mkdir(parents=True)
        for name, content in case.files.items():
            raw = content if isinstance(content, bytes) else content.encode()
            (data / name).write_bytes(raw)
    argv = [part.replace("{data}", str(data)) for part in case.argv]
    before = _table_rows()
    status, out, err = _run(argv)
    lines = [line for line in err.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    # "CommandError: …" (a refused import goes on to list its first bad rows), or
    # argparse's "manage.py CMD: error: …" after the usage.
    said = [line for line in lines if line.startswith("CommandError: ") or ": error: " in line]
    written = {k: v - before[k] for k, v in _table_rows().items() if v != before[k]}
    if status is None or "Traceback" in err:
        verdict, detail = SERVER_ERROR, f"traceback: {last}"
    elif status == 0:
        verdict, detail = ACCEPTED, f"exit 0: {out.strip()[-120:]}"
    elif written:
        verdict, detail = ACCEPTED, f"exit {status} after writing {written}"
    elif said:
        verdict, detail = REJECTED, " / ".join(lines[lines.index(said[0]) :])[:200]
    else:
        verdict, detail = ACCEPTED, f"exit {status} without an error line: {last[:120]}"
    return Outcome("command line", "commands", case.name, verdict, detail)


def run_cases(cases: list[CommandCase] = CASES) -> list[Outcome]:
    import django

    django.setup()
    with tempfile.TemporaryDirectory() as folder:
        return [judge(case, Path(folder)) for case in cases]


def main() -> int:
    outcomes = run_cases()
    print(json.dumps([asdict(o) for o in outcomes]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

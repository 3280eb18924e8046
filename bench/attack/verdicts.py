"""What each attack ended in, and the table the suite prints.

* **rejected**: refused cleanly: a JSON answer with errors (HTTP 200 for a GraphQL error,
  400 or 413 for a body that is not GraphQL), a stale session treated as signed out, a
  throttle that refused, a command that ended in one line of error and wrote nothing;
* **server error**: a 5xx, a non-JSON answer, no answer within the bound, or a command
  that ended in a traceback;
* **leak**: exception text, a file path or (production only) a "Did you mean" hint in an
  answer, or a user's data answered to a session that should have ended;
* **accepted**: the hostile input was taken as if it were fine (a command that wrote
  bad data, a throttle that let the request through).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

__all__ = [
    "ACCEPTED",
    "LEAK",
    "REJECTED",
    "SERVER_ERROR",
    "Outcome",
    "Report",
    "judge_answer",
    "leak_markers",
]

REJECTED = "rejected"
SERVER_ERROR = "server error"
LEAK = "leak"
ACCEPTED = "accepted"

LEAK_MARKERS = (
    "Traceback",
    'File "',
    "site-packages",
    "Error(",
    "object has no attribute",
    "maximum recursion",
    "out of range",
    "Negative indexing",
    "datatype mismatch",
    "int too large",
    "cannot contain NUL",
    "codec can't",
    "expected to contain",
    "KeyError",
)
SUGGESTION = "Did you mean"


@dataclass(frozen=True)
class Outcome:
    settings: str  # production, debug, or "command line"
    group: str  # requests, sessions, throttles, commands
    name: str
    verdict: str
    detail: str = ""
    ms: float = 0.0


def leak_markers(response_text: str, settings: str) -> list[str]:
    markers = LEAK_MARKERS + ((SUGGESTION,) if settings == "production" else ())
    found = [marker for marker in markers if marker in response_text]
    if "INTERNAL_SERVER_ERROR" in response_text:
        found.append("an internal error (masked)")
    return found


def judge_answer(
    response: httpx.Response | None, settings: str, elapsed: float, bound: float
) -> tuple[str, str]:
    """(verdict, detail) of a hostile request's answer: errors expected, cleanly."""
    if response is None or response.status_code >= 500 or elapsed > bound:
        status = "no answer" if response is None else response.status_code
        return SERVER_ERROR, f"{status} in {elapsed:.2f}s"
    found = leak_markers(response.text, settings)
    if found:
        return LEAK, ", ".join(found)
    try:
        payload = response.json()
    except ValueError:
        return SERVER_ERROR, f"{response.status_code} not JSON"
    if isinstance(payload, dict) and payload.get("errors"):
        return REJECTED, error_text(payload)
    return ACCEPTED, f"{response.status_code} {response.text[:80]}"


def error_text(payload: dict) -> str:
    first = payload["errors"][0]
    code = (first.get("extensions") or {}).get("code", "")
    return f"{code}: {first.get('message', '')}"[:120]


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    # Milliseconds an unrelated request waited while a fragment bomb was answered, per
    # settings (None: no answer).
    unrelated_ms: dict[str, float | None] = field(default_factory=dict)
    # Wall seconds of each phase of the run, in order.
    seconds: dict[str, float] = field(default_factory=dict)

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.verdict != REJECTED]

    def rows(self) -> list[tuple[str, str, dict[str, int]]]:
        keys: list[tuple[str, str]] = []
        for o in self.outcomes:
            if (o.settings, o.group) not in keys:
                keys.append((o.settings, o.group))
        rows = []
        for settings, group in keys:
            mine = [o for o in self.outcomes if (o.settings, o.group) == (settings, group)]
            counts = {"tried": len(mine)}
            for verdict in (REJECTED, SERVER_ERROR, LEAK, ACCEPTED):
                counts[verdict] = sum(o.verdict == verdict for o in mine)
            rows.append((settings, group, counts))
        return rows

    def table(self) -> str:
        lines = [
            f"{'settings':<14}{'cases':<11}{'tried':>7}{'rejected':>10}{'5xx':>6}"
            f"{'leaks':>7}{'accepted':>10}"
        ]
        for settings, group, c in self.rows():
            lines.append(
                f"{settings:<14}{group:<11}{c['tried']:>7}{c[REJECTED]:>10}"
                f"{c[SERVER_ERROR]:>6}{c[LEAK]:>7}{c[ACCEPTED]:>10}"
            )
        total = len(self.outcomes)
        counts = [sum(o.verdict == v for o in self.outcomes) for v in (REJECTED, SERVER_ERROR)]
        counts += [sum(o.verdict == v for o in self.outcomes) for v in (LEAK, ACCEPTED)]
        lines.append(
            f"{'all':<14}{'':<11}{total:>7}{counts[0]:>10}{counts[1]:>6}{counts[2]:>7}"
            f"{counts[3]:>10}"
        )
        for o in self.failures():
            lines.append(f"  {o.settings} / {o.group} / {o.name}: {o.verdict}: {o.detail}")
        for settings, ms in self.unrelated_ms.items():
            waited = "no answer" if ms is None else f"{ms:.0f} ms"
            lines.append(f"  {settings}: an unrelated request during a fragment bomb: {waited}")
        if self.seconds:
            phases = ", ".join(f"{name} {s:.1f}" for name, s in self.seconds.items())
            lines.append(f"  seconds: {phases}")
        slowest = sorted((o for o in self.outcomes if o.group == "requests"), key=lambda o: -o.ms)[
            :3
        ]
        if slowest:
            text = ", ".join(f"{o.name} ({o.settings}) {o.ms:.0f} ms" for o in slowest)
            lines.append(f"  slowest requests: {text}")
        return "\n".join(lines)

"""The results: medians over rounds, `bench/latest.json`, a markdown table, and the README's copy of it."""

from __future__ import annotations

import dataclasses
import json
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.load import Run, WrkResult

README_BEGIN = "<!-- bench:begin -->"
README_END = "<!-- bench:end -->"


@dataclass(frozen=True)
class EndpointFigures:
    """One endpoint: medians over rounds; errors (statuses of 400 or more, socket errors) summed over measured runs."""

    service_rps: float
    limit_rps: float
    ratio: float
    service_p99_ms: float
    errors: int
    limit_p99_ms: float
    service_p50_ms: float
    limit_p50_ms: float
    service_cpu_ms: float
    limit_cpu_ms: float
    limit_errors: int

    @classmethod
    def from_rounds(cls, service: Sequence[Run], limit: Sequence[Run]) -> EndpointFigures:
        """Summarise the runs of each app, round by round in the same order."""
        return cls(
            service_rps=_median(run.result.rps for run in service),
            limit_rps=_median(run.result.rps for run in limit),
            ratio=median_ratio([run.result.rps for run in service], [run.result.rps for run in limit]),
            service_p99_ms=_median(run.result.p99_ms for run in service),
            errors=sum(run.result.errors for run in service),
            limit_p99_ms=_median(run.result.p99_ms for run in limit),
            service_p50_ms=_median(run.result.p50_ms for run in service),
            limit_p50_ms=_median(run.result.p50_ms for run in limit),
            service_cpu_ms=_median(run.cpu_ms_per_request for run in service),
            limit_cpu_ms=_median(run.cpu_ms_per_request for run in limit),
            limit_errors=sum(run.result.errors for run in limit),
        )


@dataclass(frozen=True)
class LoginFigures:
    """The list's p99 alone and while other clients log in; the target is a ratio of at most 2."""

    list_connections: int
    login_connections: int
    list_p99_ms_alone: float
    list_p99_ms_under_login: float
    ratio: float
    list_errors: int
    logins_per_second: float
    login_errors: int

    @classmethod
    def from_runs(
        cls, connections: tuple[int, int], alone: WrkResult, under_login: WrkResult, logins: WrkResult
    ) -> LoginFigures:
        """Summarise the two list runs and the login run beside the second; connections are (list, login)."""
        return cls(
            list_connections=connections[0],
            login_connections=connections[1],
            list_p99_ms_alone=alone.p99_ms,
            list_p99_ms_under_login=under_login.p99_ms,
            ratio=round(under_login.p99_ms / alone.p99_ms, 3),
            list_errors=alone.errors + under_login.errors,
            logins_per_second=round(logins.rps, 1),
            login_errors=logins.errors,
        )


@dataclass(frozen=True)
class Results:
    """Everything `bench/latest.json` holds."""

    endpoints: dict[str, EndpointFigures]
    rss_mb: dict[str, float]
    login_load: LoginFigures | None
    date: str
    machine: str
    load: str
    versions: dict[str, str]


def median_ratio(service: Sequence[float], limit: Sequence[float]) -> float:
    """Return the median of per-round ratios: the two runs of a round share the machine's state."""
    return _median(mine / theirs for mine, theirs in zip(service, limit, strict=True))


def markdown(results: Results) -> str:
    """Return what was measured where, the table, memory, and the login-load line."""
    lines = [
        f"Measured {results.date} on {results.machine}; {results.load}.",
        "Versions: " + ", ".join(f"{name} {version}" for name, version in results.versions.items()) + ".",
        "",
        (
            "| endpoint | service req/s | limit req/s | ratio | p50 ms service / limit | p99 ms service / limit "
            "| CPU ms/req service / limit | errors service / limit |"
        ),
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    lines += [
        f"| {name} | {row.service_rps:.0f} | {row.limit_rps:.0f} | {row.ratio:.2f} "
        f"| {row.service_p50_ms:.1f} / {row.limit_p50_ms:.1f} | {row.service_p99_ms:.1f} / {row.limit_p99_ms:.1f} "
        f"| {row.service_cpu_ms:.2f} / {row.limit_cpu_ms:.2f} | {row.errors} / {row.limit_errors} |"
        for name, row in results.endpoints.items()
    ]
    lines += [
        "",
        f"RSS after load: service {results.rss_mb['service']:.0f} MB, limit {results.rss_mb['limit']:.0f} MB.",
    ]
    if (login := results.login_load) is not None:
        lines += [
            "",
            (
                f"Login load (service only): list p99 at {login.list_connections} connections "
                f"{login.list_p99_ms_alone:.1f} ms alone, {login.list_p99_ms_under_login:.1f} ms while "
                f"{login.login_connections} more log in continuously ({login.ratio:.2f}x; "
                f"{login.logins_per_second:.0f} logins/s, "
                f"{login.login_errors} login and {login.list_errors} list errors)."
            ),
        ]
    return "\n".join(lines) + "\n"


def replace_readme_section(readme: str, table: str) -> str:
    """Return ``readme`` with the text between the bench markers replaced by ``table``."""
    section = re.compile(f"{re.escape(README_BEGIN)}.*?{re.escape(README_END)}", re.DOTALL)
    if not section.search(readme):
        msg = f"README.md has no {README_BEGIN} ... {README_END} section for the bench table"
        raise ValueError(msg)
    return section.sub(lambda _: f"{README_BEGIN}\n{table}{README_END}", readme)


def publish(results: Results, *, json_path: Path, markdown_path: Path, readme: Path) -> None:
    """Write the JSON, the markdown and the README's copy of it."""
    table = markdown(results)
    json_path.write_text(json.dumps(dataclasses.asdict(results), indent=2) + "\n", encoding="utf-8")
    markdown_path.write_text(table, encoding="utf-8")
    readme.write_text(replace_readme_section(readme.read_text(encoding="utf-8"), table), encoding="utf-8")


def _median(values: Iterable[float]) -> float:
    return round(statistics.median(values), 3)

"""Run every benchmark suite in benches/ in one pytest-benchmark run and print one table per group.

Columns: impl, median time per operation, ratio to gati-native, and for the ``gtype:`` groups
the ratio to pydantic-core; the ``timescape:`` groups compare with the unversioned route and
with Cadwyn. Extra arguments go to pytest (e.g. ``-k "valid dict"``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from gati.cli.bench import format_time

BENCHES = Path(__file__).resolve().parent


def ratio(value: float, base: float | None) -> str:
    return f"{value / base:.2f}x" if base else "-"


def overhead(value: float, base: float | None) -> list[str]:
    """The ``policy:`` groups' extra column: time added to the same route without a policy."""
    return [] if base is None else [format_time(max(0.0, value - base))]


# Extra numbers a bench may report in extra_info, shown as columns when present.
EXTRAS = {"msg/s": lambda v: f"{v:,.0f}", "p50": format_time, "p99": format_time}


def table(group: str, rows: dict[str, float], extras: dict[str, dict[str, Any]]) -> str:
    """One group's table, fastest first."""
    compare = ["gati-native"] + (["pydantic-core"] if group.startswith("gtype:") else [])
    base = rows.get("no policy")
    if group.startswith("timescape:"):  # versioned against unversioned; gati against Cadwyn
        compare = ["unversioned", "unversioned, Gati-Version", "cadwyn, 2 hops"]
        compare = [c for c in compare if c in rows]
    shown = [k for k in EXTRAS if any(k in e for e in extras.values())]
    head = ["impl", "time/op", *(f"vs {c}" for c in compare)]
    head += [] if base is None else ["over no policy"]
    head += shown
    body = [
        [
            impl,
            format_time(t),
            *(ratio(t, rows.get(c)) for c in compare),
            *overhead(t, base),
            *(EXTRAS[k](extras[impl][k]) if k in extras[impl] else "-" for k in shown),
        ]
        for impl, t in sorted(rows.items(), key=lambda kv: kv[1])
    ]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    line = "  ".join("-" * w for w in widths)
    out = [f"\n## {group}", "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in body]
    return "\n".join(out)


def added_cost(rows: dict[str, float]) -> str:
    """For the ``telemetry:`` groups: what OTel adds to gati and to Starlette wrapped by
    opentelemetry-instrumentation-asgi, and their ratio (target ≤ 0.15)."""
    gati = rows["gati-otel"] - rows["gati-off"]
    asgi = rows["starlette-otel-asgi"] - rows["starlette"]
    return (
        f"added: gati {format_time(gati)}, instrumentation-asgi {format_time(asgi)}, "
        f"ratio {gati / asgi:.2f}x (target <= 0.15x)"
    )


def collect(
    report: dict[str, Any],
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, dict[str, Any]]]]:
    groups: dict[str, dict[str, float]] = defaultdict(dict)
    extras: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for bench in report["benchmarks"]:
        info = bench.get("extra_info", {})
        impl = info.get("impl", bench["name"])
        group = bench["group"] or bench["name"]
        groups[group][impl] = bench["stats"]["median"]
        extras[group][impl] = info
    return groups, extras


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.json"
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            str(BENCHES),
            "-q",
            "-p",
            "no:cacheprovider",
            "--benchmark-disable-gc",
            "--benchmark-max-time=0.5",
            "--benchmark-min-rounds=20",
            "--benchmark-columns=median,ops",
            f"--benchmark-json={out}",
            *argv,
        ]
        code = subprocess.call(cmd, cwd=BENCHES.parent)
        if not out.exists():
            return code or 1
        report = json.loads(out.read_text())
    groups, extras = collect(report)
    for group, rows in sorted(groups.items()):
        print(table(group, rows, extras[group]))
        if group.startswith("telemetry:") and len(rows) == 4:
            print(added_cost(rows))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

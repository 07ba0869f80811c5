"""``gati bench``: run the benchmark suites of a checkout (``benches/test_*_bench.py``) one by
one with a progress bar, then print one comparison table per group.

Each row is an implementation, its median time per operation and its ratio to the fastest
row of its group; the suites themselves are plain pytest-benchmark files.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from gati.cli.errors import UsageError

__all__ = ["add_arguments", "format_time", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("suites", nargs="*", metavar="SUITE", help="suite names (default: all)")
    parser.add_argument("--dir", default="benches", help="where the suites are (benches/)")
    parser.add_argument("-k", dest="keyword", help="only benchmarks matching this expression")


def _suites(folder: Path, names: list[str]) -> list[Path]:
    if not folder.is_dir():
        raise UsageError(f"no benchmark folder {folder}")
    found = {p.stem.removeprefix("test_").removesuffix("_bench"): p for p in
             sorted(folder.glob("test_*_bench.py"))}  # fmt: skip
    unknown = [n for n in names if n not in found]
    if unknown:
        raise UsageError(f"unknown suite {unknown[0]!r}; there are: {', '.join(found)}")
    return [found[n] for n in names] if names else list(found.values())


def _run_suite(path: Path, keyword: str | None, out: Path) -> None:
    command = [sys.executable, "-m", "pytest", str(path), "-q", "-p", "no:cacheprovider",
               "--benchmark-only", f"--benchmark-json={out}"]  # fmt: skip
    if keyword:
        command += ["-k", keyword]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode not in (0, 5):  # 5: nothing matched -k
        tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or ["failed"]
        raise UsageError(f"suite {path.name} failed: {tail[0]}")


def _groups(report: dict[str, Any], groups: dict[str, dict[str, float]]) -> None:
    for bench in report.get("benchmarks", []):
        impl = bench.get("extra_info", {}).get("impl", bench["name"])
        groups[bench["group"] or bench["name"]][impl] = bench["stats"]["median"]


def format_time(seconds: float) -> str:
    """``seconds`` in ns, µs or ms, whichever reads best."""
    ns = seconds * 1e9
    if ns < 1_000:
        return f"{ns:,.0f} ns"
    if ns < 1_000_000:
        return f"{ns / 1_000:,.2f} µs"
    return f"{ns / 1_000_000:,.2f} ms"


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    suites = _suites(Path(args.dir), args.suites)
    groups: dict[str, dict[str, float]] = defaultdict(dict)
    console = Console(stderr=True)
    with tempfile.TemporaryDirectory() as tmp, Progress(console=console) as progress:
        task = progress.add_task("benchmarks", total=len(suites))
        for path in suites:
            progress.update(task, description=path.stem)
            out = Path(tmp, path.stem + ".json")
            _run_suite(path, args.keyword, out)
            if out.exists():
                _groups(json.loads(out.read_text()), groups)
            progress.advance(task)
    output = Console()
    for group, rows in sorted(groups.items()):
        fastest = min(rows.values())
        table = Table("impl", "time/op", "vs fastest", title=group, title_justify="left")
        for impl, median in sorted(rows.items(), key=lambda kv: kv[1]):
            table.add_row(impl, format_time(median), f"{median / fastest:.2f}x")
        output.print(table)
    return 0

"""``make lint`` step: the README's Python samples, ``examples/bookstore.py`` and the typing
samples in ``tests/typing_samples`` must pass ``mypy --strict``.

Each fenced ``python`` block of README.md becomes one module in a temporary directory (named
after its line number, so an error points back at the README).

    python tests/check_samples.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def readme_blocks(text: str) -> list[tuple[int, str]]:
    """(first line number, code) of every fenced python block."""
    return [(text[: m.start()].count("\n") + 2, m[1]) for m in BLOCK.finditer(text)]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for line, code in readme_blocks((ROOT / "README.md").read_text()):
            path = Path(tmp) / f"readme_line_{line}.py"
            path.write_text(code)
            files.append(str(path))
        files.append(str(ROOT / "examples" / "bookstore.py"))
        files += sorted(str(p) for p in (ROOT / "tests" / "typing_samples").glob("*.py"))
        command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *files]
        return subprocess.run(command, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())

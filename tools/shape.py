"""The shape of the code, in figures: modules over 400 lines and function lengths per package.

    .venv/bin/python tools/shape.py            the figures
    .venv/bin/python tools/shape.py --check    the same, and exit 1 when a limit is passed

Limits (the anchors' habits, ARCHITECTURE.md): no module over 400 lines outside migrations; in every
package the median function at most 8 lines, the 90th percentile at most 25, none over 40. A function's
length is its lines from `def` to its last line, decorators and docstring included; nested functions
count on their own and inside their parent. Last, the import contracts (pyproject.toml, checked by
import-linter, which `python3 dev.py test` runs): each kept or broken, with the imports it still ignores.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "store")
MODULE_LINES = 400
MEDIAN, P90, LONGEST = 8, 25, 40


@dataclass(frozen=True)
class Function:
    path: str
    name: str
    lines: int


def _sources() -> list[Path]:
    found = [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
    return [path for path in found if "migrations" not in path.parts]


def _package(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    return "/".join(parts[:2]) if len(parts) > 2 else parts[0]


def _functions(path: Path) -> list[Function]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    relative = str(path.relative_to(ROOT))
    return [
        Function(
            relative, node.name, (node.end_lineno or node.lineno) - node.lineno + 1 + len(node.decorator_list)
        )
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def _p90(values: list[int]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[-1] if len(values) > 1 else float(values[0])


def report() -> list[str]:
    """Print the figures; return what passes a limit."""
    breaches: list[str] = []
    sources = _sources()
    print(f"Modules over {MODULE_LINES} lines (migrations aside):")
    for path in sources:
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MODULE_LINES:
            print(f"  {path.relative_to(ROOT)}  {count}")
            breaches.append(f"{path.relative_to(ROOT)} has {count} lines")
    by_package: dict[str, list[Function]] = defaultdict(list)
    for path in sources:
        by_package[_package(path)].extend(_functions(path))
    print(f"\n{'package':<18}{'functions':>10}{'median':>8}{'p90':>7}{'max':>6}  longest")
    for package, functions in sorted(by_package.items()):
        lengths = sorted(function.lines for function in functions)
        if not lengths:
            continue
        longest = max(functions, key=lambda function: function.lines)
        median, p90 = statistics.median(lengths), _p90(lengths)
        print(
            f"{package:<18}{len(lengths):>10}{median:>8.1f}{p90:>7.1f}{lengths[-1]:>6}  {longest.path}:{longest.name}"
        )
        if median > MEDIAN or p90 > P90:
            breaches.append(f"{package}: median {median:.1f}, p90 {p90:.1f}")
        breaches.extend(
            f"{function.path}:{function.name} has {function.lines} lines"
            for function in functions
            if function.lines > LONGEST
        )
    return breaches


LINT_IMPORTS = (
    "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
)


def contracts() -> list[str]:
    """Print import-linter's verdict on each contract; return the broken ones."""
    run = subprocess.run(  # noqa: S603 (our own interpreter and a fixed script)
        [sys.executable, "-c", LINT_IMPORTS], cwd=ROOT, capture_output=True, text=True, check=False
    )
    lines = run.stdout.splitlines()
    verdicts = [line for line in lines if line.rstrip().endswith(("KEPT", "BROKEN")) or " KEPT (" in line]
    print("\nImport contracts (pyproject.toml):")
    for line in verdicts:
        print(f"  {line.strip()}")
    print(
        f"  {next((line for line in lines if line.startswith('Contracts:')), 'no verdict: ' + run.stderr[-200:])}"
    )
    return [f"contract broken: {line.strip()}" for line in verdicts if "BROKEN" in line]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a limit is passed")
    args = parser.parse_args()
    breaches = report() + contracts()
    if breaches:
        print(f"\n{len(breaches)} past a limit:")
        for breach in breaches:
            print(f"  {breach}")
    return 1 if args.check and breaches else 0


if __name__ == "__main__":
    sys.exit(main())

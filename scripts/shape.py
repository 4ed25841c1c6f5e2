"""The shape of the code at a glance: the largest modules and functions, and string codes for
booking steps left outside the `Step` enum. Run: `.venv/bin/python scripts/shape.py [--top N]`."""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "storage", "gateways", "bot", "actions", "console", "friends")


def python_files() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py") if "migrations" not in p.parts)


def functions(tree: ast.AST) -> list[tuple[int, str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert node.end_lineno is not None
            found.append((node.end_lineno - node.lineno + 1, node.name, node.lineno))
    return found


def step_codes() -> set[str]:
    from core.booking import Step

    return {str(s) for s in Step}


def string_step_codes(path: Path, tree: ast.AST, codes: set[str]) -> list[str]:
    """String literals equal to a step's code passed as a call argument or put in a collection
    (the shape of the old `steps.reply(…, "acc", "dec")`); dictionary values and comparisons of
    other things (a payment method "card") are not counted."""
    hits = []
    for node in ast.walk(tree):
        args: list[ast.expr] = []
        if isinstance(node, ast.Call):
            args = list(node.args)
        elif isinstance(node, ast.Tuple | ast.Set | ast.List):
            args = list(node.elts)
        hits += [
            f"{path.relative_to(ROOT)}:{a.lineno} {a.value!r}"
            for a in args
            if isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value in codes
        ]
    return hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--top", type=int, default=10)
    top = parser.parse_args().top
    modules, funcs, codes_left = [], [], []
    codes = step_codes()
    for path in python_files():
        text = path.read_text("utf-8")
        tree = ast.parse(text)
        modules.append((len(text.splitlines()), str(path.relative_to(ROOT))))
        funcs += [(n, f"{path.relative_to(ROOT)}:{line} {name}") for n, name, line in functions(tree)]
        if path.name != "booking.py" or path.parent.name != "core":
            codes_left += string_step_codes(path, tree, codes)
    print(f"Largest modules (lines), of {len(modules)}:")
    for n, name in sorted(modules, reverse=True)[:top]:
        print(f"  {n:5d}  {name}")
    print(f"Largest functions (lines), of {len(funcs)}:")
    for n, name in sorted(funcs, reverse=True)[:top]:
        print(f"  {n:5d}  {name}")
    print(f"String step codes outside core/booking.py: {len(codes_left)}")
    for hit in codes_left:
        print(f"  {hit}")


if __name__ == "__main__":
    main()

"""Execute the example notebooks in a real kernel and export them to HTML.

Usage: ``python scripts/run_examples.py [NOTEBOOK ...] [--out DIR]``. With no
notebook named, runs every notebook in ``examples/``. Writes the executed
notebook and its HTML export into ``out/`` and prints where they are.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent


def execute(notebook: Path, out_dir: Path, timeout: int = 900) -> tuple[Path, Path]:
    """Run ``notebook`` top to bottom; return the executed copy and its HTML."""
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=timeout,
        resources={"metadata": {"path": str(notebook.parent)}},
        store_widget_state=True,
    )
    client.execute()
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / notebook.name
    nbformat.write(nb, executed)
    html, _ = HTMLExporter().from_notebook_node(nb)
    exported = executed.with_suffix(".html")
    exported.write_text(html, encoding="utf-8")
    return executed, exported


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "out")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "examples").glob("*.ipynb"))
    for notebook in notebooks:
        print(f"executing {notebook} ...", flush=True)
        executed, exported = execute(notebook.resolve(), args.out)
        print(f"  executed notebook: {executed}")
        print(f"  HTML export:       {exported}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

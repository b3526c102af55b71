"""What ``%%fcnet_train`` costs over calling the NumPy engine directly.

Runs in a real Jupyter kernel (nbclient), so the magic renders what a notebook
shows: the widget progress bar, the live plot, the final figure and summary.
Both contenders train the seed configuration (100-20-5-1, learning rate 0.1,
250 iterations, 1,600 training examples, float64), interleaved, and the
script prints medians and two ratios:

- training loop: the magic's ``result.seconds`` (the engine's loop with the
  progress bar and live plot hooks) over the engine alone; target <= 1.10;
- whole cell: wall time of the magic cell, data loading and final figure
  included, over the engine alone; reported, not a target.

Usage: ``python bench/bench_magic.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import json

from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

SETUP = """
import json, os, statistics, time
from threadpoolctl import threadpool_limits
threadpool_limits(1)
from fcnet_magic import data, numpy_net
%load_ext fcnet_magic
split = data.split(data.load("default"), test_size=0.2, seed=1)
direct, loop, cell = [], [], []
CELL = "layers = 100-20-5-1\\nlearning_rate = 0.1\\niterations = 250"
ip = get_ipython()
ip.run_cell_magic("fcnet_train", "-q", CELL)  # warm-up: imports, first figure
"""

ROUND = """
start = time.perf_counter()
numpy_net.train(split.X_train, split.Y_train, [100, 20, 5, 1], 0.1, 250)
direct.append(time.perf_counter() - start)
start = time.perf_counter()
ip.run_cell_magic("fcnet_train", "-o run", CELL)
cell.append(time.perf_counter() - start)
loop.append(run.seconds)
"""

REPORT = """
print(json.dumps({name: statistics.median(values)
                  for name, values in [("direct", direct), ("loop", loop),
                                       ("cell", cell)]}))
"""


def measure(repeat: int) -> dict[str, float]:
    """Median seconds of the engine alone, the magic's loop and its whole cell."""
    cells = [new_code_cell(SETUP)] + [new_code_cell(ROUND)] * repeat
    notebook = new_notebook(cells=[*cells, new_code_cell(REPORT)])
    NotebookClient(notebook, kernel_name="python3", timeout=600).execute()
    printed = notebook.cells[-1].outputs[0]["text"]
    return json.loads(printed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    medians = measure(args.repeat)
    loop = medians["loop"] / medians["direct"]
    cell = medians["cell"] / medians["direct"]
    print(f"%%fcnet_train vs numpy_net.train, median of {args.repeat}, real kernel")
    print(f"  engine alone        {medians['direct']:.4f} s")
    print(f"  magic training loop {medians['loop']:.4f} s")
    print(f"  magic whole cell    {medians['cell']:.4f} s")
    verdict = "met" if loop <= 1.10 else "NOT met"
    print(f"  training loop / engine: {loop:.3f} (target <= 1.10, {verdict})")
    print(f"  whole cell / engine:    {cell:.3f} (figure and summary included)")


if __name__ == "__main__":
    main()

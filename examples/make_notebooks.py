"""Write the example notebooks from the cells below.

The notebooks are generated so that their text stays reviewable as plain
Python; run ``python examples/make_notebooks.py`` after editing a cell.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

QUICKSTART = [
    (
        "md",
        "# fcnet_magic quickstart\n\n"
        "A fully-connected network of ReLU layers and one sigmoid unit, written "
        "from scratch in NumPy, and the same network in Keras: trained, timed "
        "and compared from single cells. Load the extension first (it does not "
        "import TensorFlow until a Keras run is asked for).",
    ),
    ("code", "%load_ext fcnet_magic"),
    (
        "md",
        "## Train the NumPy network\n\n"
        "The cell body holds settings, one per line. `data = default` is the "
        "shipped dataset: 2,000 small grey images of 10x10 pixels, two classes. "
        "`-o run` keeps the result in the variable `run`.",
    ),
    (
        "code",
        "%%fcnet_train -o run\n"
        "layers        = 100-20-5-1   # input size, hidden layers, one sigmoid unit\n"
        "learning_rate = 0.1\n"
        "iterations    = 250\n"
        "engine        = numpy\n"
        "data          = default\n"
        "seed          = 1",
    ),
    (
        "md",
        "The result keeps everything: the cost of every iteration, the trained "
        "parameters (`W1`, `b1`, ...), accuracies and the training time.",
    ),
    (
        "code",
        'print(f"final cost {run.final_cost:.4f} after {run.iterations_run} '
        'iterations")\n'
        'print(f"test accuracy {run.test_accuracy:.3f} in {run.seconds:.2f} s")\n'
        'run.parameters["W1"].shape',
    ),
    (
        "md",
        "## The same network in Keras\n\n"
        "`engine = both` trains the NumPy network and the Keras model from the "
        "same initial weights, so their cost curves should lie on top of each "
        "other.",
    ),
    (
        "code",
        "%%fcnet_train -o twins\n"
        "layers        = 100-20-5-1\n"
        "learning_rate = 0.1\n"
        "iterations    = 250\n"
        "engine        = both",
    ),
    (
        "code",
        'gap = abs(twins["keras"].costs - twins["numpy"].costs).max()\n'
        'print(f"largest cost gap between the engines: {gap:.2e}")',
    ),
    (
        "md",
        "## Compare speed and accuracy\n\n"
        "`%fcnet_compare` runs the engines on identical work. `keras` is "
        "`model.fit` as users write it; `keras_compiled` runs many steps inside "
        "one compiled TensorFlow function. Times are medians over `--repeat` runs.",
    ),
    (
        "code",
        "%fcnet_compare -o speed --layers 100-20-5-1 --lr 0.1 --iterations 250 "
        "--engine all --repeat 2",
    ),
    (
        "md",
        "## Sweep settings\n\n"
        "Several values for an option train the whole grid: here two depths and "
        "two learning rates.",
    ),
    (
        "code",
        "%fcnet_compare -o sweep --engine numpy --layers 20-5-1 200-50-20-5-1 "
        "--lr 0.1 0.5 --iterations 300",
    ),
    (
        "md",
        "## When the learning rate is too large\n\n"
        "On unscaled features a large step makes the weights overflow: training "
        "stops at the first non-finite cost, keeps what it computed and says so.",
    ),
    (
        "code",
        "%%fcnet_train -o wild\n"
        "data          = breast_cancer\n"
        "layers        = 200-50-20-5-1\n"
        "learning_rate = 100\n"
        "dtype         = float32",
    ),
    (
        "md",
        "Scaling the features fixes this dataset; arrays from the notebook work "
        "as data too.",
    ),
    (
        "code",
        "from sklearn.datasets import load_breast_cancer\n\n"
        "features, labels = load_breast_cancer(return_X_y=True)",
    ),
    (
        "code",
        "%%fcnet_train -o tamed\n"
        "data          = features, labels\n"
        "layers        = 20-5-1\n"
        "learning_rate = 0.1\n"
        "scale         = true\n"
        "iterations    = 500",
    ),
]


LECTURE = [
    (
        "md",
        "# Learning rates and depth, live\n\n"
        "Run the cells, then use the controls: change the learning rate or the "
        "layers and click **Train**. Every run stays on the plot as a faded "
        "curve labelled with what changed, and in the table below it. "
        "**Stop** ends a long run and keeps what it computed. Tick *same "
        "initial weights* so that only the setting you changed differs.",
    ),
    ("code", "%load_ext fcnet_magic"),
    (
        "code",
        "%%fcnet_train --ui -o runs\n"
        "layers        = 20-5-1\n"
        "learning_rate = 0.1\n"
        "iterations    = 500\n"
        "engine        = numpy",
    ),
    (
        "md",
        "`runs` is the list of results, one per finished run: costs, "
        "parameters, accuracies and timings.",
    ),
    (
        "code",
        "for run in runs:\n"
        '    print(f"{run.learning_rate:g}  {run.layers}  {run.final_cost:.4f}  "\n'
        '          f"{run.test_accuracy:.3f}  {run.stopped}")',
    ),
    (
        "md",
        "The same controls compare the NumPy network with its Keras twin; "
        "each click trains both from the same initial weights.",
    ),
    ("code", "%fcnet_compare --ui --layers 20-5-1 --iterations 300"),
]

NOTEBOOKS = {"quickstart.ipynb": QUICKSTART, "lecture_ui.ipynb": LECTURE}


def build(cells_spec=QUICKSTART) -> nbformat.NotebookNode:
    """A notebook of the given cells, outputs empty."""
    cells = [
        new_markdown_cell(text) if kind == "md" else new_code_cell(text)
        for kind, text in cells_spec
    ]
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return notebook


if __name__ == "__main__":
    for name, cells_spec in NOTEBOOKS.items():
        path = Path(__file__).with_name(name)
        nbformat.write(build(cells_spec), path)
        print(f"wrote {path}")

"""The magics in a real IPython shell: parsing, training, display, errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from fcnet_magic import numpy_net
from fcnet_magic.results import ComparisonResult, TrainingResult

SEED_CELL = """
# the seed configuration
layers        = 100-20-5-1
learning_rate = 0.1
iterations    = 250
engine        = numpy
"""


def shown(captured) -> str:
    """Everything a cell showed as text: printed lines and displayed reprs."""
    displayed = [output.data.get("text/plain", "") for output in captured.outputs]
    return "\n".join([captured.stdout, *displayed])


def test_load_ext_registers_magics_without_tensorflow():
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "ip = InteractiveShell.instance()\n"
        "ip.run_line_magic('load_ext', 'fcnet_magic')\n"
        "assert 'fcnet_train' in ip.magics_manager.magics['cell']\n"
        "assert 'fcnet_compare' in ip.magics_manager.magics['line']\n"
        "print(sorted(m for m in ('tensorflow', 'keras', 'matplotlib.pyplot')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_unload_and_reload_are_symmetric(shell):
    shell.run_line_magic("unload_ext", "fcnet_magic")
    assert "fcnet_train" not in shell.magics_manager.magics["cell"]
    assert "fcnet_compare" not in shell.magics_manager.magics["line"]
    assert not any(type(c).__name__ == "FCNetMagics" for c in shell.configurables)
    shell.run_line_magic("load_ext", "fcnet_magic")
    shell.run_line_magic("reload_ext", "fcnet_magic")
    assert "fcnet_train" in shell.magics_manager.magics["cell"]
    assert sum(type(c).__name__ == "FCNetMagics" for c in shell.configurables) == 1
    shell.run_line_magic("config", "FCNetMagics.live_plot = False")


def test_train_seed_configuration_stores_result(shell):
    with capture_output() as captured:
        shell.run_cell_magic("fcnet_train", "-o run", SEED_CELL)
    run = shell.user_ns["run"]
    assert isinstance(run, TrainingResult)
    assert run.engine == "numpy"
    assert run.layer_dims == [100, 20, 5, 1]
    assert run.costs.shape == (250,)
    assert run.stopped == "completed"
    assert run.test_accuracy >= 0.95
    assert run.seconds > 0
    assert set(run.parameters) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert "test accuracy" in shown(captured)
    assert "completed 250 iterations" in shown(captured)


def test_result_matches_the_engine_called_directly(shell):
    from fcnet_magic import data

    shell.run_cell_magic("fcnet_train", "-q -o run", SEED_CELL)
    split = data.split(data.load("default"), test_size=0.2, seed=1)
    direct = numpy_net.train(split.X_train, split.Y_train, [100, 20, 5, 1], 0.1, 250)
    np.testing.assert_allclose(shell.user_ns["run"].costs, direct.costs, rtol=1e-12)


def test_quiet_shows_nothing(shell):
    with capture_output() as captured:
        shell.run_cell_magic("fcnet_train", "-q -o quiet_run", SEED_CELL)
    assert captured.stdout == ""
    assert captured.outputs == []
    assert shell.user_ns["quiet_run"].iterations_run == 250


def test_line_options_override_the_body(shell):
    shell.run_cell_magic("fcnet_train", "-q -o run --lr 0.05 --epochs 7", SEED_CELL)
    run = shell.user_ns["run"]
    assert run.learning_rate == 0.05
    assert run.iterations_run == 7


def test_layers_without_input_size_take_it_from_data(shell):
    shell.run_cell_magic("fcnet_train", "-q -o run", "layers = 8-1\niterations = 3")
    assert shell.user_ns["run"].layer_dims == [100, 8, 1]


def test_notebook_variables_as_data(shell):
    rng = np.random.default_rng(0)
    features = rng.normal(size=(200, 4))
    shell.user_ns["feats"] = features
    shell.user_ns["labs"] = (features[:, 0] > 0).astype(int)
    cell = "data = feats, labs\nlayers = 3-1\nlearning_rate = 1\niterations = 100"
    shell.run_cell_magic("fcnet_train", "-q -o run", cell)
    run = shell.user_ns["run"]
    assert run.layer_dims == [4, 3, 1]
    assert run.test_accuracy > 0.9


@pytest.mark.parametrize(
    ("line", "cell", "message"),
    [
        ("", "learnig_rate = 0.1", r"line 1: unknown setting 'learnig_rate'.*"),
        ("", "\n\nlayers = 100-20-5-2", r"line 3: layers must end"),
        ("--lr -1", "iterations = 2", r"learning.rate"),
        ("", "data = no_such_file.csv", r"no_such_file\.csv"),
        ("", "data = missing_x, missing_y", r"missing_x"),
        ("", "learning_rate = 0.1 | 1", r"%fcnet_compare"),
        ("-o 1bad", "iterations = 2", r"-o needs a Python variable name"),
    ],
)
def test_mistakes_raise_usage_error(shell, line, cell, message):
    with pytest.raises(UsageError, match=message):
        shell.run_cell_magic("fcnet_train", f"-q {line}", cell)


def test_usage_error_shows_no_traceback(shell):
    with capture_output() as captured:
        shell.run_cell("%%fcnet_train\nlearnig_rate = 0.1\n")
    text = captured.stdout + captured.stderr
    assert "did you mean 'learning_rate'" in text
    assert "Traceback" not in text


def test_divergence_keeps_partial_result(shell):
    with capture_output() as captured:
        shell.run_cell_magic(
            "fcnet_train",
            "-o run",
            # unscaled features, a deep network and float32 overflow within steps
            "data = breast_cancer\nlayers = 200-50-20-5-1\nlearning_rate = 100\n"
            "dtype = float32",
        )
    run = shell.user_ns["run"]
    assert run.stopped == "diverged"
    assert 0 < run.iterations_run < 250
    assert np.all(np.isfinite(run.costs))
    assert f"diverged at iteration {run.iterations_run}" in shown(captured)
    assert "smaller learning rate" in shown(captured)


def test_rising_cost_gets_advice(shell):
    with capture_output() as captured:
        shell.run_cell_magic("fcnet_train", "-o run", "learning_rate = 10")
    run = shell.user_ns["run"]
    assert run.stopped == "completed"
    assert run.final_cost > run.costs[0]
    assert "try a smaller learning rate than 10" in shown(captured)


def test_interrupt_keeps_partial_result(shell, monkeypatch):
    calls = {"n": 0}
    descend = numpy_net._descend

    def interrupted_at_ten(*args):
        calls["n"] += 1
        if calls["n"] == 11:
            raise KeyboardInterrupt
        return descend(*args)

    monkeypatch.setattr(numpy_net, "_descend", interrupted_at_ten)
    with capture_output() as captured:
        shell.run_cell_magic("fcnet_train", "-o run", SEED_CELL)
    run = shell.user_ns["run"]
    assert run.stopped == "interrupted"
    assert run.iterations_run == 10
    assert "interrupted after 10 of 250 iterations" in shown(captured)


def test_missing_tensorflow_is_a_usage_error(shell, monkeypatch):
    def no_keras(engine):
        raise ImportError(
            'Keras runs need TensorFlow: pip install "fcnet-magic[keras]"'
        )

    monkeypatch.setattr("fcnet_magic.training.engine_trainer", no_keras)
    with pytest.raises(UsageError, match=r"fcnet-magic\[keras\]"):
        shell.run_cell_magic("fcnet_train", "-q", "engine = keras\niterations = 2")


def test_config_default_engine(shell, monkeypatch):
    shell.run_line_magic("config", "FCNetMagics.default_engine = 'both'")
    try:
        shell.run_cell_magic("fcnet_train", "-q -o run", "iterations = 3")
    finally:
        shell.run_line_magic("config", "FCNetMagics.default_engine = 'numpy'")
    run = shell.user_ns["run"]
    assert isinstance(run, ComparisonResult)
    assert [r.engine for r in run.runs] == ["numpy", "keras"]


def test_both_engines_agree_from_shared_weights(shell):
    shell.run_cell_magic("fcnet_train", "-q -o run", SEED_CELL.replace("numpy", "both"))
    run = shell.user_ns["run"]
    np.testing.assert_allclose(run["keras"].costs, run["numpy"].costs, rtol=1e-6)
    assert run["keras"].test_accuracy == pytest.approx(run["numpy"].test_accuracy)


def test_compare_sweep_table_and_repeats(shell):
    with capture_output() as captured:
        shell.run_line_magic(
            "fcnet_compare",
            "-o cmp --engine numpy --layers 20-5-1 10-1 --lr 0.1 1 "
            "--iterations 20 --repeat 2",
        )
    cmp = shell.user_ns["cmp"]
    assert len(cmp.runs) == 2 * 2 * 2
    rows = cmp.rows()
    assert len(rows) == 4
    assert {row["settings"] for row in rows} == {
        "layers=20-5-1, learning_rate=0.1",
        "layers=20-5-1, learning_rate=1",
        "layers=10-1, learning_rate=0.1",
        "layers=10-1, learning_rate=1",
    }
    assert all(row["spread"].startswith("±") for row in rows)
    assert "layers=10-1, learning_rate=1" in shown(captured)
    assert "fcnet-comparison" in cmp._repr_html_()


def test_compare_cell_form_with_both_engines_shows_parity(shell):
    with capture_output() as captured:
        shell.run_cell_magic(
            "fcnet_compare", "-o cmp", "layers = 20-5-1\niterations = 30\nengine = both"
        )
    cmp = shell.user_ns["cmp"]
    assert [run.engine for run in cmp.runs] == ["numpy", "keras"]
    from fcnet_magic.comparison import parity_gaps

    ((label, gap),) = parity_gaps(cmp)
    assert label.startswith("keras")
    assert gap.shape == (30,)
    assert gap.max() < 1e-6
    assert any("image/png" in output.data for output in captured.outputs)


def test_a_failing_engine_marks_its_bar_failed_and_raises(shell, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("engine exploded")

    monkeypatch.setattr("fcnet_magic.training.run", broken)
    with capture_output() as captured, pytest.raises(RuntimeError, match="exploded"):
        shell.run_cell_magic("fcnet_train", "", "iterations = 3")
    assert "numpy 0/3" in captured.stdout
    assert "failed" in captured.stdout

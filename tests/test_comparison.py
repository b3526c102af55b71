"""Comparison grids: labels of a sweep, runs on shared work, parity gaps."""

from __future__ import annotations

import numpy as np

from fcnet_magic import comparison
from fcnet_magic.results import ComparisonResult
from fcnet_magic.settings import Settings, parse_sweep


def test_sweep_labels_name_only_what_varies():
    grid = parse_sweep("layers = 20-5-1 | 10-1\nlearning_rate = 0.1 | 1\nseed = 3")
    assert comparison.sweep_labels(grid) == [
        "layers=20-5-1, learning_rate=0.1",
        "layers=20-5-1, learning_rate=1",
        "layers=10-1, learning_rate=0.1",
        "layers=10-1, learning_rate=1",
    ]
    assert comparison.sweep_labels([Settings(repeat=3)]) == [""]


def test_grid_runs_every_configuration_repeat_and_engine():
    grid = parse_sweep("layers = 5-1\niterations = 4 | 6\nrepeat = 2")
    result = comparison.run_grid(grid, ComparisonResult(), progress_mode="none")
    assert [run.iterations_run for run in result.runs] == [4, 4, 6, 6]
    assert result.labels == ["iterations=4"] * 2 + ["iterations=6"] * 2
    first, second = result.runs[:2]
    np.testing.assert_array_equal(first.costs, second.costs)


def test_parity_gaps_pair_runs_with_the_same_start():
    grid = [Settings(layers="5-1", iterations=8, engines="both")]
    result = comparison.run_grid(grid, ComparisonResult(), progress_mode="none")
    ((label, gap),) = comparison.parity_gaps(result)
    assert label == "keras"
    assert gap.shape == (8,)
    assert gap.max() < 1e-6

    result.runs[1].initial_parameters = None
    assert comparison.parity_gaps(result) == []

"""Result objects: derived figures, outcomes and their text and HTML views."""

from __future__ import annotations

import re

import numpy as np
import pytest

from fcnet_magic.results import ComparisonResult, TrainingResult


def make_result(engine="numpy", seconds=0.5, stopped="completed", costs=None, **kw):
    costs = np.array([0.69, 0.5, 0.3] if costs is None else costs)
    return TrainingResult(
        engine=engine,
        layer_dims=[100, 20, 5, 1],
        learning_rate=kw.pop("learning_rate", 0.1),
        iterations=kw.pop("iterations", 3),
        costs=costs,
        parameters={},
        train_accuracy=0.9,
        test_accuracy=0.875,
        seconds=seconds,
        stopped=stopped,
        **kw,
    )


def test_derived_figures():
    result = make_result()
    assert result.final_cost == 0.3
    assert result.iterations_run == 3
    assert result.layers == "100-20-5-1"
    assert result.outcome == "completed 3 iterations"
    assert result.advice == ""
    assert np.isnan(make_result(costs=[]).final_cost)


@pytest.mark.parametrize(
    ("stopped", "costs", "outcome"),
    [
        ("diverged", [0.7, 0.9], "diverged at iteration 2: .*smaller learning rate"),
        ("interrupted", [0.7], "interrupted after 1 of 10 iterations"),
        ("early_stopping", [0.7, 0.6], "stopped early after 2 of 10 iterations"),
        ("completed", [0.7, 1.2], "completed 2 iterations; the cost ended higher"),
    ],
)
def test_outcomes_explain_how_training_ended(stopped, costs, outcome):
    result = make_result(stopped=stopped, costs=costs, iterations=10)
    assert re.match(outcome, result.outcome)


def test_text_and_html_views_hold_the_summary():
    result = make_result(warmup_seconds=0.25, data="default: 2000 examples")
    text = str(result)
    assert "test accuracy   0.875" in text
    assert "warm-up" in text and "250 ms" in text
    assert "<th style='text-align:left'>final cost</th>" in result._repr_html_()
    assert repr(result).startswith("<TrainingResult numpy 100-20-5-1 lr=0.1: 3/3")


def test_comparison_groups_repeats_and_reports_speed():
    comparison = ComparisonResult()
    for seconds in (1.0, 1.2, 1.1):
        comparison.add(make_result("numpy", seconds=seconds), "lr=0.1")
    for seconds in (4.0, 4.4, 4.2):
        comparison.add(make_result("keras", seconds=seconds), "lr=0.1")
    rows = comparison.rows()
    assert [row["engine"] for row in rows] == ["NumPy", "Keras fit"]
    assert rows[0]["time"] == "1.10 s"
    assert rows[0]["spread"] == "± 100 ms"
    assert rows[1]["speed"] == f"{1.1 / 4.2:.2f}x"
    assert comparison["keras"].engine == "keras"
    assert comparison[0].seconds == 1.0
    assert len(comparison) == 6
    with pytest.raises(KeyError, match=r"no run of engine 'keras_compiled'"):
        comparison["keras_compiled"]
    assert "<td>Keras fit</td>" in comparison._repr_html_()
    assert str(comparison).splitlines()[0].split()[:3] == ["engine", "settings", "time"]

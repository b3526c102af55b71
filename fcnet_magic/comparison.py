"""Train a grid of configurations on every engine and show them side by side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields

import numpy as np
from IPython.core.error import UsageError
from IPython.display import display

from . import plots, progress, training
from .data import DataError
from .hooks import COMPLETED, INTERRUPTED
from .results import ComparisonResult, TrainingResult
from .settings import Settings


def prepare_or_explain(
    settings: Settings, namespace: Mapping[str, object] | None
) -> training.Workload:
    """Prepare the workload, turning data problems into a `UsageError`."""
    try:
        return training.prepare(settings, namespace)
    except DataError as error:
        raise UsageError(str(error)) from None


def sweep_labels(grid: Sequence[Settings]) -> list[str]:
    """Name each configuration by the settings that vary across the grid.

    ``engines`` and ``repeat`` are left out: engines get their own column and
    repeats are folded into one row.
    """
    varying = [
        field.name
        for field in fields(Settings)
        if field.name not in ("engines", "repeat")
        and len({getattr(settings, field.name) for settings in grid}) > 1
    ]
    return [
        ", ".join(f"{name}={_text(getattr(settings, name))}" for name in varying)
        for settings in grid
    ]


def run_grid(
    grid: Sequence[Settings],
    result: ComparisonResult,
    namespace: Mapping[str, object] | None = None,
    progress_mode: str | None = None,
) -> ComparisonResult:
    """Train every configuration, repeat and engine, adding each run to ``result``.

    A bar counts finished runs. An interrupted run ends the whole grid, and
    the runs finished so far stay in ``result``.
    """
    total = sum(len(settings.engines) * settings.repeat for settings in grid)
    bar = progress.make_progress(total, label="runs", mode=progress_mode)
    bar.start()
    stopped = COMPLETED
    try:
        for settings, label in zip(grid, sweep_labels(grid), strict=True):
            stopped = _run_configuration(settings, label, result, namespace, bar)
            if stopped == INTERRUPTED:
                break
    except KeyboardInterrupt:
        stopped = INTERRUPTED
    bar.finish(stopped, iterations_done=len(result.runs))
    return result


def _run_configuration(settings, label, result, namespace, bar) -> str:
    """All repeats and engines of one configuration, on one shared workload."""
    workload = prepare_or_explain(settings, namespace)
    for _ in range(settings.repeat):
        for engine in settings.engines:
            try:
                run = training.run(engine, settings, workload)
            except ImportError as error:
                raise UsageError(str(error)) from None
            result.add(run, label)
            bar.advance(f"{engine} {label}".strip())
            if run.stopped == INTERRUPTED:
                return INTERRUPTED
    return COMPLETED


def parity_gaps(result: ComparisonResult) -> list[tuple[str, np.ndarray]]:
    """Per-iteration relative cost gap between NumPy and each Keras engine.

    Only runs that started from the same weights are paired, since otherwise
    the curves differ by design rather than by numerics.
    """
    gaps = []
    for label, engine, runs in result.groups():
        if engine == "numpy":
            continue
        reference = _first_numpy_run(result, label)
        run = runs[0]
        if reference is None or not _same_start(reference, run):
            continue
        n = min(len(reference.costs), len(run.costs))
        gap = np.abs(run.costs[:n] - reference.costs[:n]) / np.abs(reference.costs[:n])
        gaps.append((f"{engine} {label}".strip(), gap))
    return gaps


def show(result: ComparisonResult) -> None:
    """Display the table, then every run's curve with the parity panel."""
    display(result)
    if not result.runs:
        return
    curves = [
        plots.curve_of(run, label)
        for label, _, runs in result.groups()
        for run in runs[:1]
    ]
    one_engine = len({curve.engine for curve in curves}) == 1
    figure = plots.comparison_figure(
        curves, parity_gaps(result), color_by_run=one_engine and len(curves) > 1
    )
    plots.show_figure(figure, f"cost figure of {len(curves)} runs")


def _first_numpy_run(result: ComparisonResult, label: str) -> TrainingResult | None:
    for run_label, run in zip(result.labels, result.runs, strict=True):
        if run_label == label and run.engine == "numpy":
            return run
    return None


def _same_start(first: TrainingResult, second: TrainingResult) -> bool:
    """Whether two runs started from identical weights."""
    a, b = first.initial_parameters, second.initial_parameters
    if a is None or b is None or a.keys() != b.keys():
        return False
    return all(np.array_equal(a[name], b[name]) for name in a)


def _text(value: object) -> str:
    if isinstance(value, tuple):
        return "-".join(str(item) for item in value)
    return f"{value:g}" if isinstance(value, float) else str(value)

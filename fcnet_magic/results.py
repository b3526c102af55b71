"""Result objects of ``%%fcnet_train`` and ``%fcnet_compare``.

Like IPython's ``TimeitResult``, they keep the raw data (costs per iteration,
parameters, timings of every run) and derive the figures people read from it,
with a text repr for terminals and an HTML table for notebooks.
"""

from __future__ import annotations

import html
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .hooks import COMPLETED, DIVERGED, EARLY_STOPPING, INTERRUPTED

ENGINE_NAMES = {
    "numpy": "NumPy",
    "keras": "Keras fit",
    "keras_compiled": "Keras compiled",
}


@dataclass
class TrainingResult:
    """One training run of one engine.

    Attributes
    ----------
    engine : str
        ``"numpy"``, ``"keras"`` (``model.fit``) or ``"keras_compiled"``.
    layer_dims : list of int
        Layer sizes, input size first.
    learning_rate : float
    iterations : int
        Iterations asked for; ``len(costs)`` says how many ran.
    costs : numpy.ndarray
        Training cost of every finished iteration.
    parameters : dict
        Final parameters in the NumPy layout ``W1, b1, ...``, for every engine.
    train_accuracy, test_accuracy : float
    seconds : float
        Training time, without warm-up.
    stopped : str
        ``"completed"``, ``"early_stopping"``, ``"diverged"`` or ``"interrupted"``.
    warmup_seconds : float
        One-off set-up timed apart, such as tracing the compiled Keras loop.
    validation_costs : numpy.ndarray or None
        Cost on the validation part, when early stopping held one out.
    initial_parameters : dict or None
        The weights training started from, to rerun from the same start.
    settings : object
        The :class:`~fcnet_magic.settings.Settings` that produced this run.
    data : str
        One-line description of the data it was trained on.
    """

    engine: str
    layer_dims: list[int]
    learning_rate: float
    iterations: int
    costs: np.ndarray
    parameters: dict[str, np.ndarray]
    train_accuracy: float
    test_accuracy: float
    seconds: float
    stopped: str = COMPLETED
    warmup_seconds: float = 0.0
    validation_costs: np.ndarray | None = None
    initial_parameters: dict[str, np.ndarray] | None = None
    settings: Any = None
    data: str = ""

    @property
    def iterations_run(self) -> int:
        """Number of iterations that finished."""
        return len(self.costs)

    @property
    def final_cost(self) -> float:
        """Cost of the last finished iteration (``nan`` if none finished)."""
        return float(self.costs[-1]) if len(self.costs) else float("nan")

    @property
    def layers(self) -> str:
        """The layer spec as users write it, ``100-20-5-1``."""
        return "-".join(str(size) for size in self.layer_dims)

    @property
    def advice(self) -> str:
        """What to change when training went wrong; empty when nothing did."""
        smaller = f"try a smaller learning rate than {self.learning_rate:g}"
        if self.stopped == DIVERGED:
            return smaller
        if len(self.costs) > 1 and self.costs[-1] > self.costs[0]:
            return (
                f"the cost ended higher than it started ({self.costs[0]:.3g} -> "
                f"{self.costs[-1]:.3g}); {smaller}"
            )
        return ""

    @property
    def outcome(self) -> str:
        """How training ended, in words, with advice where there is some."""
        done = self.iterations_run
        if self.stopped == DIVERGED:
            return (
                f"diverged at iteration {done}: the cost became infinite or NaN; "
                f"{self.advice}"
            )
        if self.stopped == INTERRUPTED:
            return f"interrupted after {done} of {self.iterations} iterations"
        if self.stopped == EARLY_STOPPING:
            return f"stopped early after {done} of {self.iterations} iterations"
        advice = f"; {self.advice}" if self.advice else ""
        return f"completed {done} iterations{advice}"

    def summary_rows(self) -> list[tuple[str, str]]:
        """The summary as (label, value) pairs, shared by the text and HTML views."""
        rows = [
            ("engine", ENGINE_NAMES.get(self.engine, self.engine)),
            ("layers", self.layers),
            ("learning rate", f"{self.learning_rate:g}"),
            ("time", _seconds(self.seconds)),
            ("final cost", f"{self.final_cost:.4f}"),
            ("train accuracy", f"{self.train_accuracy:.3f}"),
            ("test accuracy", f"{self.test_accuracy:.3f}"),
            ("stopped", self.outcome),
        ]
        if self.warmup_seconds:
            rows.insert(4, ("warm-up", _seconds(self.warmup_seconds)))
        if self.data:
            rows.append(("data", self.data))
        return rows

    def __str__(self) -> str:
        width = max(len(label) for label, _ in self.summary_rows())
        return "\n".join(
            f"{label:<{width}}  {value}" for label, value in self.summary_rows()
        )

    def __repr__(self) -> str:
        return (
            f"<TrainingResult {self.engine} {self.layers} lr={self.learning_rate:g}: "
            f"{self.iterations_run}/{self.iterations} iterations, "
            f"cost {self.final_cost:.4f}, test accuracy {self.test_accuracy:.3f}, "
            f"{_seconds(self.seconds)}, {self.stopped}>"
        )

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(repr(self) if cycle else str(self))

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
            f"<td style='text-align:left'>{html.escape(value)}</td></tr>"
            for label, value in self.summary_rows()
        )
        return f"<table class='fcnet-summary'>{body}</table>"


COMPARISON_COLUMNS = (
    "engine",
    "settings",
    "time",
    "spread",
    "warm-up",
    "speed",
    "final cost",
    "train acc",
    "test acc",
    "stopped",
)


@dataclass
class ComparisonResult:
    """Every run of a comparison, grouped by configuration and engine.

    Attributes
    ----------
    runs : list of TrainingResult
        All runs, repeats included, in the order they ran.
    labels : list of str
        For each run, what distinguishes its configuration in a sweep
        (``"lr=1, layers=100-20-5-1"``), empty when nothing was swept.
    """

    runs: list[TrainingResult] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def add(self, result: TrainingResult, label: str = "") -> None:
        """Record one finished run."""
        self.runs.append(result)
        self.labels.append(label)

    def __getitem__(self, key: int | str) -> TrainingResult:
        """A run by position, or the first run of an engine by its name."""
        if isinstance(key, int):
            return self.runs[key]
        for run in self.runs:
            if run.engine == key:
                return run
        engines = sorted({run.engine for run in self.runs})
        raise KeyError(f"no run of engine {key!r}; this result holds {engines}")

    def __len__(self) -> int:
        return len(self.runs)

    def groups(self) -> list[tuple[str, str, list[TrainingResult]]]:
        """Runs grouped by (configuration label, engine), in first-run order."""
        grouped: dict[tuple[str, str], list[TrainingResult]] = {}
        for label, run in zip(self.labels, self.runs, strict=True):
            grouped.setdefault((label, run.engine), []).append(run)
        return [(label, engine, runs) for (label, engine), runs in grouped.items()]

    def rows(self) -> list[dict[str, str]]:
        """One table row per group: median time over repeats and its spread.

        The speed column is the NumPy engine's median time of the same
        configuration divided by this group's: above 1 is faster than NumPy.
        """
        groups = self.groups()
        numpy_times = {
            label: statistics.median(run.seconds for run in runs)
            for label, engine, runs in groups
            if engine == "numpy"
        }
        return [
            _row(label, engine, runs, numpy_times.get(label))
            for label, engine, runs in groups
        ]

    def __str__(self) -> str:
        rows = [dict(zip(COMPARISON_COLUMNS, COMPARISON_COLUMNS, strict=True))]
        rows += self.rows()
        widths = {
            column: max(len(row[column]) for row in rows)
            for column in COMPARISON_COLUMNS
        }
        return "\n".join(
            "  ".join(
                f"{row[column]:<{widths[column]}}" for column in COMPARISON_COLUMNS
            ).rstrip()
            for row in rows
        )

    def __repr__(self) -> str:
        return f"<ComparisonResult of {len(self.runs)} runs>\n{self}"

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(
            f"<ComparisonResult of {len(self.runs)} runs>" if cycle else str(self)
        )

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th>{html.escape(column)}</th>" for column in COMPARISON_COLUMNS
        )
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(row[column])}</td>" for column in COMPARISON_COLUMNS
            )
            + "</tr>"
            for row in self.rows()
        )
        return (
            "<table class='fcnet-comparison'>"
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )


def _row(
    label: str, engine: str, runs: Sequence[TrainingResult], numpy_seconds: float | None
) -> dict[str, str]:
    """The table row of one (configuration, engine) group."""
    times = [run.seconds for run in runs]
    median = statistics.median(times)
    last = runs[-1]
    spread = f"± {_seconds(statistics.stdev(times))}" if len(times) > 1 else ""
    warmups = [run.warmup_seconds for run in runs if run.warmup_seconds]
    speed = f"{numpy_seconds / median:.2f}x" if numpy_seconds and median else ""
    return {
        "engine": ENGINE_NAMES.get(engine, engine),
        "settings": label or last.layers,
        "time": _seconds(median),
        "spread": spread,
        "warm-up": _seconds(statistics.median(warmups)) if warmups else "",
        "speed": speed,
        "final cost": f"{last.final_cost:.4f}",
        "train acc": f"{last.train_accuracy:.3f}",
        "test acc": f"{last.test_accuracy:.3f}",
        "stopped": last.stopped if last.stopped != DIVERGED else "diverged",
    }


def _seconds(seconds: float) -> str:
    """Readable duration: ``812 ms``, ``3.41 s``, ``2 min 5 s``."""
    if seconds < 1:
        return f"{seconds * 1e3:.0f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"

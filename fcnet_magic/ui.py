"""Controls to change a cell's settings and rerun it, for teaching in front of a class.

``%%fcnet_train --ui`` and ``%fcnet_compare --ui`` show a :class:`TrainingUI`:
the cell's settings as controls (see :mod:`fcnet_magic.ui_controls`), Train
and Stop buttons, a progress bar per engine, a live cost curve with earlier
runs drawn faded behind it, and a table of every run so far::

    ui = TrainingUI(Settings(layers="20-5-1", iterations=2000))
    display(ui)            # the lecturer changes the learning rate, clicks Train
    ui.results             # every TrainingResult, in the order the runs ended

Training runs in a background thread. A kernel handles widget events only
while it is idle, so a run that blocked the kernel could never be stopped:
instead Train returns at once, and Stop sets a
:class:`~fcnet_magic.training.StopFlag` that the run reads between
iterations. It then ends as ``"interrupted"`` and keeps what it learned.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
from IPython.core.error import UsageError

from . import comparison, plots, progress, training
from .data import DataError
from .hooks import INTERRUPTED, chain
from .results import ComparisonResult, TrainingResult
from .settings import Settings
from .ui_controls import (
    PanelProgress,
    SettingsControls,
    close_widgets,
    message_html,
    table_html,
    table_row,
)

logger = logging.getLogger(__name__)

# Earlier runs drawn faded behind the current one. Older runs are left out of
# the figure (not out of the table), so that its legend stays readable.
MAX_GHOSTS = 4


@dataclass(frozen=True)
class Batch:
    """What one click on Train asked for: one run of each chosen engine.

    Attributes
    ----------
    number : int
        The run's number in the table, from 1.
    settings : Settings
    workload : training.Workload
        The data split and the initial weights all engines share.
    start : dict or None
        Initial parameters reused from the previous run, if any.
    changes : str
        What differs from the previous run, for the table.
    """

    number: int
    settings: Settings
    workload: training.Workload
    start: Mapping[str, Any] | None
    changes: str


class TrainingUI:
    """A cell's settings as controls, with Train and Stop, progress, plot and table.

    Parameters
    ----------
    settings : Settings
        The cell's settings, where the controls start.
    namespace : mapping, optional
        The notebook's variables, for ``data = x_name, y_name``.
    compare : bool, optional
        Compare engines: the figure adds the parity panel of the latest run.
        Each click trains each engine once; ``repeat`` is for timing tables
        and is not used here.
    live_plot : bool, optional
        Redraw the cost curve while training; the final figure shows anyway.
    refresh_seconds : float, optional
        Shortest time between two progress-bar updates.

    Attributes
    ----------
    results : list of TrainingResult
        Every finished run, one per engine and click; the same list object
        all along, which ``-o NAME`` hands to the notebook.
    controls : SettingsControls
    train_button, stop_button : ipywidgets.Button
    status : ipywidgets.HTML
        One line: what is running, what ended, or what went wrong.
    progress_box : ipywidgets.VBox
        The progress bars of the latest run.
    plot : ipywidgets.Image
        The live cost curve, then the final figure of the latest run.
    table : ipywidgets.HTML
        The table of every run.
    widget : ipywidgets.VBox
        Everything above; what is displayed.
    """

    def __init__(
        self,
        settings: Settings,
        namespace: Mapping[str, object] | None = None,
        compare: bool = False,
        live_plot: bool = True,
        refresh_seconds: float = 0.25,
    ) -> None:
        self.results: list[TrainingResult] = []
        self.controls = SettingsControls(settings)
        self.train_button = widgets.Button(description="Train", button_style="primary")
        self.stop_button = widgets.Button(
            description="Stop", button_style="warning", disabled=True
        )
        self.status = widgets.HTML()
        self.progress_box = widgets.VBox()
        self.plot = widgets.Image(format="png", layout=widgets.Layout(display="none"))
        self.table = widgets.HTML(table_html([]))
        buttons = widgets.HBox([self.train_button, self.stop_button, self.status])
        self.widget = widgets.VBox(
            [self.controls.widget, buttons, self.progress_box, self.plot, self.table]
        )
        self._namespace = namespace
        self._compare = compare
        self._live_plot = live_plot
        self._refresh_seconds = refresh_seconds
        self._stop = training.StopFlag()
        self._lock = threading.Lock()
        self._running = False
        self._thread: threading.Thread | None = None
        self._bars: list[PanelProgress] = []
        self._numbers: list[int] = []
        self._rows: list[dict[str, str]] = []
        self._last_settings: Settings | None = None
        self._clicks = 0
        self.train_button.on_click(lambda _: self.train())
        self.stop_button.on_click(lambda _: self.stop())

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = f"<training controls: {len(self.results)} runs>"
        return bundle

    @property
    def running(self) -> bool:
        """Whether a run is going."""
        return self._running

    def train(self) -> bool:
        """Start one run of the settings shown, as the Train button does.

        Returns
        -------
        bool
            True if a run started. False if it was refused (a run is going, a
            control holds a bad value, the data cannot be loaded); the status
            line or the control's message says why.
        """
        with self._lock:
            if self._running:
                self._say("a run is going: wait for it, or press Stop.", error=True)
                return False
            try:
                batch = self._next_batch()
            except UsageError as error:
                self._say(str(error), error=True)
                return False
            except Exception as error:
                logger.debug("preparing a run failed", exc_info=True)
                self._say(f"cannot train: {type(error).__name__}: {error}", error=True)
                return False
            self._running = True
            self._stop.clear()
            self._set_locked(True)
            self._clear_progress()
            self._say(f"run #{batch.number}: training...")
            self._thread = threading.Thread(
                target=self._train_batch, args=(batch,), daemon=True
            )
            self._thread.start()
        return True

    def stop(self) -> None:
        """Make the run end after its current iteration, as the Stop button does."""
        self._stop.set()
        if self._running:
            self._say("stopping after this iteration...")

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the run in progress to end; tell whether it has ended."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def _next_batch(self) -> Batch:
        """Read and check the controls, load the data and pick the start weights."""
        settings = self.controls.settings()
        try:
            workload = training.prepare(settings, self._namespace)
        except (DataError, UsageError) as error:
            self.controls.show("data", str(error), error=True)
            raise UsageError("the data could not be loaded; see beside data.") from None
        self.controls.show("data", "")
        self._clicks += 1
        changes = _first_description(settings)
        if self._last_settings is not None:
            changes = self._last_settings.describe_changes(settings) or "no change"
        start = self._start_weights(workload)
        if start is not None:
            changes += "; same initial weights"
        return Batch(self._clicks, settings, workload, start, changes)

    def _start_weights(self, workload: training.Workload) -> Mapping | None:
        """The previous run's initial weights, when asked for and they fit."""
        if not self.controls.same_weights.value:
            self.controls.show("same_weights", "")
            return None
        previous = self.results[-1] if self.results else None
        if previous is None or previous.initial_parameters is None:
            note = "no earlier run to take weights from; drawing them from the seed"
            self.controls.show("same_weights", note)
            return None
        layers = "-".join(map(str, workload.layer_dims))
        if previous.layer_dims != workload.layer_dims:
            note = (
                f"the layer sizes changed ({previous.layers} -> {layers}), "
                "so fresh weights are drawn"
            )
            self.controls.show("same_weights", note)
            return None
        number = self._numbers[-1]
        self.controls.show("same_weights", f"starting from the weights of #{number}")
        return previous.initial_parameters

    def _train_batch(self, batch: Batch) -> None:
        """The training thread: run the batch, report any failure, unlock."""
        try:
            self._run_batch(batch)
        except Exception as error:
            logger.debug("run #%d failed", batch.number, exc_info=True)
            problem = str(error) or "no message"
            self._say(
                f"run #{batch.number} failed: {type(error).__name__}: {problem}",
                error=True,
            )
        finally:
            with self._lock:
                self._set_locked(False)
                self._running = False

    def _run_batch(self, batch: Batch) -> None:
        """Run each engine of the batch in turn; a stopped run ends the batch."""
        ghosts = self._ghosts(batch.settings)
        runs: list[TrainingResult] = []
        for engine in batch.settings.engines:
            done = [plots.curve_of(run, f"#{batch.number}") for run in runs]
            run = self._run_engine(engine, batch, [*ghosts, *done])
            runs.append(run)
            self._record(run, batch)
            if run.stopped == INTERRUPTED:
                break
        self._last_settings = batch.settings
        self._show_figure(batch.number, ghosts, runs)
        outcomes = "; ".join(f"{run.engine} {run.outcome}" for run in runs)
        self._say(f"run #{batch.number}: {outcomes}")

    def _run_engine(
        self, engine: str, batch: Batch, ghosts: Sequence[plots.Curve]
    ) -> TrainingResult:
        """One engine's run, with its progress bar and live curve."""
        settings = batch.settings
        bar = PanelProgress(settings.iterations, engine, self._refresh_seconds)
        self._bars.append(bar)
        self.progress_box.children = (*self.progress_box.children, bar.widget)
        live = None
        if self._live_plot:
            label = f"#{batch.number} ({engine})"
            live = plots.LiveCostPlot(
                label, engine, settings.iterations, ghosts=ghosts, target=self.plot
            )
            live.start()
            self.plot.layout.display = None
        bar.start()
        try:
            run = training.run(
                engine,
                settings,
                batch.workload,
                hook=chain(bar, live, self._stop),
                initial_parameters=batch.start,
            )
        except Exception as error:
            bar.finish(progress.FAILED, iterations_done=bar.done, message=str(error))
            raise
        bar.finish(run.stopped, iterations_done=run.iterations_run, message=run.advice)
        if live is not None:
            live.finish(run.stopped)
        return run

    def _ghosts(self, settings: Settings) -> list[plots.Curve]:
        """The latest earlier runs as faded curves, labelled by what changed."""
        earlier = zip(self._numbers, self.results, strict=True)
        return [
            plots.curve_of(run, _ghost_label(number, run, settings), ghost=True)
            for number, run in list(earlier)[-MAX_GHOSTS:]
        ]

    def _record(self, run: TrainingResult, batch: Batch) -> None:
        """Keep a finished run and add its row to the table."""
        self.results.append(run)
        self._numbers.append(batch.number)
        self._rows.append(table_row(batch.number, run, batch.changes))
        self.table.value = table_html(self._rows)

    def _show_figure(
        self, number: int, ghosts: Sequence[plots.Curve], runs: Sequence[TrainingResult]
    ) -> None:
        """Show the final figure: earlier runs faded, this run's engines drawn."""
        if not runs:
            return
        curves = [*ghosts, *(plots.curve_of(run, f"#{number}") for run in runs)]
        title = f"run #{number}"
        if self._compare:
            latest = ComparisonResult()
            for run in runs:
                latest.add(run)
            gaps = comparison.parity_gaps(latest)
            figure = plots.comparison_figure(curves, gaps, title=title)
        else:
            figure = plots.cost_figure(curves, title=title)
        self.plot.value = plots.figure_png(figure)
        self.plot.layout.display = None

    def _set_locked(self, locked: bool) -> None:
        """Disable what would conflict with a run, and enable Stop; or undo it."""
        self.controls.set_disabled(locked)
        self.train_button.disabled = locked
        self.stop_button.disabled = not locked

    def _clear_progress(self) -> None:
        """Remove the previous run's bars and free their widgets."""
        bars, self._bars = self._bars, []
        self.progress_box.children = ()
        for bar in bars:
            close_widgets(bar.widget, bar.bar, bar.label_html)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.value = message_html(text, error)


def _ghost_label(number: int, run: TrainingResult, settings: Settings) -> str:
    """``"#2 learning_rate 0.1 -> 1"``: an earlier run and what changed since."""
    changes = run.settings.describe_changes(settings) if run.settings else ""
    return f"#{number} {changes or 'same settings'}"


def _first_description(settings: Settings) -> str:
    """The settings of a first run, as the table shows them."""
    layers = "-".join(map(str, settings.layers))
    return (
        f"layers {layers}, learning_rate {settings.learning_rate:g}, "
        f"iterations {settings.iterations}"
    )

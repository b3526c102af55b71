"""Cost curves: the figure after a run, the comparison of runs, and a live plot.

Colors tell engines apart (the same color for an engine in every figure) and
line styles tell runs apart. Validation costs are dashed in their run's
color; earlier runs, drawn as "ghosts", are faded and thin. A run that did
not complete ends with a marker: ``x`` where it diverged, a circle where early
stopping ended it and a square where it was interrupted.

Figures are built on :class:`matplotlib.figure.Figure` with the Agg canvas,
not with pyplot: nothing is registered globally, nothing is shown twice by
the inline backend, and a figure is freed like any other object. Matplotlib
itself is imported the first time a figure is drawn.
"""

from __future__ import annotations

import dataclasses
import io
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .hooks import (
    COMPLETED,
    DIVERGED,
    EARLY_STOPPING,
    INTERRUPTED,
    STOP_REASONS,
    Step,
)
from .progress import in_kernel

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

ENGINE_COLORS = {
    "numpy": "#1f77b4",
    "keras": "#d62728",
    "keras_compiled": "#9467bd",
}
# Runs cycle through these; dashes ("--") are kept for validation costs.
RUN_LINESTYLES = ("-", "-.", ":", (0, (3, 1, 1, 1, 1, 1)))
VALIDATION_LINESTYLE = "--"
GHOST_ALPHA = 0.3
LINE_WIDTH = 1.8
GHOST_LINE_WIDTH = 1.0
FIGURE_SIZE = (6.0, 3.5)
FIGURE_DPI = 100
# Costs spanning more than this ratio are drawn on a log scale.
LOG_SCALE_SPAN = 100.0
# Up to this many legend entries sit inside the axes, more go to the right.
LEGEND_INSIDE_MAX = 6
PARITY_TITLE = "parity: |cost_keras - cost_numpy| / cost_numpy"

_END_MARKERS = {DIVERGED: "x", EARLY_STOPPING: "o", INTERRUPTED: "s"}
_END_WORDS = {
    DIVERGED: "diverged",
    EARLY_STOPPING: "stopped early",
    INTERRUPTED: "interrupted",
}


@dataclass(frozen=True, eq=False)
class Curve:
    """The costs of one run, and how to draw them.

    Curves compare by identity: they hold arrays, whose ``==`` is elementwise.

    Attributes
    ----------
    label : str
        Legend entry, such as ``"numpy"`` or ``"lr=1 (numpy)"``.
    costs : numpy.ndarray
        One training cost per iteration, of shape (iterations,).
    engine : str
        ``"numpy"``, ``"keras"`` or ``"keras_compiled"``; picks the color.
    ghost : bool
        Draw faded and thin, for an earlier run kept for comparison.
    stopped : str
        How the run ended; runs that did not complete end with a marker.
    validation_costs : numpy.ndarray or None
        One validation cost per iteration, drawn dashed in the same color.
    """

    label: str
    costs: np.ndarray
    engine: str
    ghost: bool = False
    stopped: str = COMPLETED
    validation_costs: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.engine not in ENGINE_COLORS:
            expected = ", ".join(ENGINE_COLORS)
            raise ValueError(
                f"engine must be one of {expected}; got {self.engine!r} "
                f"for the curve {self.label!r}"
            )
        if self.stopped not in STOP_REASONS:
            expected = ", ".join(STOP_REASONS)
            raise ValueError(f"stopped must be one of {expected}; got {self.stopped!r}")
        object.__setattr__(self, "costs", np.asarray(self.costs, dtype=float))
        if self.validation_costs is not None:
            validation = np.asarray(self.validation_costs, dtype=float)
            object.__setattr__(self, "validation_costs", validation)


def curve_of(run: Any, label: str = "", ghost: bool = False) -> Curve:
    """The curve of a training result, labelled ``"<label> (<engine>)"``.

    Parameters
    ----------
    run : TrainingResult
        Anything with ``engine``, ``costs``, ``stopped`` and
        ``validation_costs`` attributes.
    label : str, optional
        What sets the run apart in a sweep, such as ``"lr=1"``; without it the
        curve is labelled by its engine alone.
    ghost : bool, optional
        Draw it faded, as an earlier run.
    """
    return Curve(
        f"{label} ({run.engine})" if label else run.engine,
        run.costs,
        run.engine,
        ghost=ghost,
        stopped=run.stopped,
        validation_costs=getattr(run, "validation_costs", None),
    )


def cost_figure(
    curves: Sequence[Curve],
    title: str = "",
    log_scale: bool | None = None,
    color_by_run: bool = False,
) -> Figure:
    """Draw the cost of each run against the iteration.

    Parameters
    ----------
    curves : sequence of Curve
        The runs to draw, ghosts first by convention.
    title : str, optional
        Title above the axes.
    log_scale : bool, optional
        Use a log scale for the cost; by default only when the costs span more
        than two decades.
    color_by_run : bool, optional
        Give each curve its own color and a solid line, for a sweep of one
        engine; by default the color tells the engine and the line style the
        run.

    Returns
    -------
    matplotlib.figure.Figure
        A 6 x 3.5 inch figure with an Agg canvas; :func:`figure_png` renders it.
    """
    figure = _new_figure()
    axes = figure.add_subplot()
    _draw_curves(axes, curves, color_by_run)
    _set_cost_scale(axes, [curve.costs for curve in curves], log_scale)
    if title:
        axes.set_title(title)
    _place_legend(axes)
    return figure


def comparison_figure(
    curves: Sequence[Curve],
    parity: Sequence[tuple[str, np.ndarray]] = (),
    *,
    title: str = "",
    log_scale: bool | None = None,
    color_by_run: bool = False,
) -> Figure:
    """Draw the runs of a comparison on shared axes, and their parity if given.

    Parameters
    ----------
    curves : sequence of Curve
        Every run of every engine.
    parity : sequence of (str, numpy.ndarray), optional
        For pairs of runs of two engines started from the same weights, a label
        and the relative cost gap per iteration, of shape (iterations,). When
        given, a second panel below plots the absolute gaps on a log scale;
        gaps below machine epsilon (identical costs) are drawn at epsilon.
    title, log_scale, color_by_run
        As for :func:`cost_figure`.

    Returns
    -------
    matplotlib.figure.Figure
        One panel of costs, or two panels sharing the iteration axis.
    """
    if not parity:
        return cost_figure(curves, title, log_scale, color_by_run)

    figure = _new_figure(size=(FIGURE_SIZE[0], FIGURE_SIZE[1] * 1.6))
    costs_axes, parity_axes = figure.subplots(2, 1, sharex=True, height_ratios=(2, 1))
    _draw_curves(costs_axes, curves, color_by_run)
    _set_cost_scale(costs_axes, [curve.costs for curve in curves], log_scale)
    costs_axes.set_xlabel("")
    if title:
        costs_axes.set_title(title)
    _place_legend(costs_axes)

    epsilon = np.finfo(float).eps
    for index, (label, gap) in enumerate(parity):
        gap = np.maximum(np.abs(np.asarray(gap, dtype=float)), epsilon)
        linestyle = RUN_LINESTYLES[index % len(RUN_LINESTYLES)]
        parity_axes.plot(gap, color="0.25", linestyle=linestyle, label=label)
    parity_axes.set_yscale("log")
    parity_axes.set_title(PARITY_TITLE, fontsize="medium")
    parity_axes.set_xlabel("iteration")
    parity_axes.set_ylabel("relative gap")
    parity_axes.grid(alpha=0.3)
    # The gaps are noisy and fill the panel, so their legend gets a backdrop.
    _place_legend(parity_axes, frame=True)
    return figure


def figure_png(fig: Figure, dpi: int = FIGURE_DPI) -> bytes:
    """Render a figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def show_figure(fig: Figure, description: str) -> None:
    """Display a figure as PNG, with ``description`` for text-only frontends.

    Notebooks and their HTML export show the image; a terminal shows the
    description instead of an object's repr.
    """
    from IPython.display import display

    bundle = {"image/png": figure_png(fig), "text/plain": f"[{description}]"}
    display(bundle, raw=True)


class LiveCostPlot:
    """A cost curve that redraws while training runs; a hook.

    Each call records a step's cost. The plot redraws at most every
    ``refresh_seconds`` and never during the first ``refresh_seconds``, so a
    short run draws nothing at all. A redraw reuses the figure and its layout
    and only moves the data of the current line. When one redraw takes long,
    the plot waits longer between redraws, so that drawing never takes more
    than about a third of the training time.

    Where the frames go:

    - with ``target`` (an ``ipywidgets.Image``, say, in a widget interface
      that trains in a background thread), into ``target.value`` as PNG bytes;
      :meth:`finish` leaves the final curve there, with its end marker;
    - otherwise, in a Jupyter kernel, into a display output created by
      :meth:`start`; :meth:`finish` empties it, because the caller then shows
      the final figure and two copies of the curve would be confusing;
    - elsewhere (a terminal) nowhere: the plot only records.

    Parameters
    ----------
    label : str
        Legend entry of the current run.
    engine : str
        Engine of the current run; picks the color.
    total : int
        Iterations expected; the iteration axis spans them from the start.
    ghosts : sequence of Curve, optional
        Earlier runs to draw faded behind the current one.
    refresh_seconds : float, optional
        Shortest time between two redraws, and the delay before the first.
    clock : callable, optional
        Returns the current time in seconds; replaceable in tests.
    target : object, optional
        Anything with a ``value`` attribute that accepts PNG bytes.

    Attributes
    ----------
    costs, validation_costs : list
        What was recorded, one entry per step (None without validation).
    redraws : int
        How many frames were drawn.
    redraw_seconds : float
        How long the last frame took to draw and encode.
    """

    def __init__(
        self,
        label: str,
        engine: str,
        total: int,
        ghosts: Sequence[Curve] = (),
        refresh_seconds: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        target: Any = None,
    ) -> None:
        if engine not in ENGINE_COLORS:
            expected = ", ".join(ENGINE_COLORS)
            raise ValueError(f"engine must be one of {expected}; got {engine!r}")
        self.label = label
        self.engine = engine
        self.total = total
        self.ghosts = tuple(dataclasses.replace(curve, ghost=True) for curve in ghosts)
        self.refresh_seconds = refresh_seconds
        self.target = target
        self.costs: list[float] = []
        self.validation_costs: list[float | None] = []
        self.redraws = 0
        self.redraw_seconds = 0.0
        self._clock = clock
        self._started = False
        self._next_draw = -math.inf
        self._handle: Any = None
        self._figure: Figure | None = None
        self._line: Line2D | None = None
        self._validation_line: Line2D | None = None
        self._needs_layout = True

    def __call__(self, step: Step) -> None:
        """Record one finished iteration; redraw if the last frame is old enough.

        Returns None, so as a hook the plot never stops training.
        """
        self.costs.append(step.cost)
        self.validation_costs.append(step.validation_cost)
        now = self._clock()
        if now >= self._next_draw:
            self._tick(now)

    def start(self) -> None:
        """Start the clock and, in a kernel, make an empty output to draw into.

        When there is somewhere to draw, the figure is built and laid out here,
        before training rather than during it: the first figure of a process
        pays for importing matplotlib and loading fonts, about a second, which
        the final figure would pay anyway.
        """
        if self._started:
            return
        if self.target is None and in_kernel():
            from IPython.display import display

            self._handle = display({"text/plain": ""}, raw=True, display_id=True)
        if self.target is not None or self._handle is not None:
            self._build()
            self._fix_layout()
        self._started = True
        self._next_draw = self._clock() + self.refresh_seconds

    def finish(self, stopped: str) -> None:
        """Stop redrawing: the target shows the final curve, a display is emptied.

        Parameters
        ----------
        stopped : str
            How the run ended, for the end marker of the target's final frame.
        """
        self._next_draw = math.inf
        if self.target is not None:
            final = cost_figure([*self.ghosts, self.curve(stopped)])
            self.target.value = figure_png(final)
        elif self._handle is not None and self.redraws:
            self._handle.update({"text/plain": ""}, raw=True)
        self._figure = None

    @property
    def figure(self) -> Figure | None:
        """The figure being redrawn; None before the first frame and after finish."""
        return self._figure

    def curve(self, stopped: str = COMPLETED) -> Curve:
        """The recorded costs as a :class:`Curve`, for a final figure."""
        validation = None
        if self._has_validation():
            validation = _with_gaps(self.validation_costs)
        return Curve(
            self.label,
            np.array(self.costs, dtype=float),
            self.engine,
            stopped=stopped,
            validation_costs=validation,
        )

    def redraw(self) -> bytes:
        """Draw the current frame now, send it where frames go and return it."""
        began = time.perf_counter()
        if self._figure is None:
            self._build()
        costs = np.array(self.costs, dtype=float)
        iterations = np.arange(costs.size)
        self._line.set_data(iterations, costs)
        if self._validation_line is None and self._has_validation():
            self._add_validation_line()
        if self._validation_line is not None:
            validation = _with_gaps(self.validation_costs)
            self._validation_line.set_data(iterations, validation)
        axes = self._line.axes
        all_costs = [costs, *(ghost.costs for ghost in self.ghosts)]
        if _set_cost_scale(axes, all_costs):
            self._needs_layout = True
        axes.relim()
        axes.autoscale_view(scalex=False)
        if self._needs_layout:
            self._fix_layout()
        # Light compression: a frame is shown once, and encoding at the default
        # level would take a third of the redraw.
        buffer = io.BytesIO()
        self._figure.canvas.print_png(buffer, pil_kwargs={"compress_level": 1})
        png = buffer.getvalue()

        if self.target is not None:
            self.target.value = png
        elif self._handle is not None:
            alt = f"<cost curve of {self.label}: {costs.size}/{self.total}>"
            self._handle.update({"image/png": png, "text/plain": alt}, raw=True)
        self.redraws += 1
        self.redraw_seconds = time.perf_counter() - began
        return png

    def _tick(self, now: float) -> None:
        if not self._started:
            self.start()
            return
        if self.target is None and self._handle is None:
            self._next_draw = math.inf
            return
        self.redraw()
        # Frames wait fifteen times their own drawing time, so redrawing takes
        # at most about 6% of training time however slow the machine is.
        pause = max(self.refresh_seconds, 15 * self.redraw_seconds)
        self._next_draw = self._clock() + pause

    def _fix_layout(self) -> None:
        """Lay the figure out once, then keep that layout for the next frames.

        Constrained layout would otherwise run at every frame and double its
        cost; it runs again when the scale changes and tick labels with it.
        """
        self._figure.set_layout_engine("constrained")
        self._figure.draw_without_rendering()
        self._figure.set_layout_engine("none")
        self._needs_layout = False

    def _build(self) -> None:
        self._figure = _new_figure()
        axes = self._figure.add_subplot()
        current = Curve(self.label, np.empty(0), self.engine)
        curves = [*self.ghosts, current]
        linestyles = _run_linestyles(curves)
        for ghost, linestyle in zip(self.ghosts, linestyles, strict=False):
            _draw_curve(axes, ghost, linestyle)

        color = ENGINE_COLORS[self.engine]
        (self._line,) = axes.plot(
            [],
            [],
            color=color,
            linestyle=linestyles[-1],
            linewidth=LINE_WIDTH,
            label=self.label,
        )
        self._validation_line = None
        if self._has_validation():
            self._add_validation_line()
        longest = max([self.total, *(ghost.costs.size for ghost in self.ghosts)])
        axes.set_xlim(0, max(longest - 1, 1))
        _label_cost_axes(axes)
        _place_legend(axes)
        self._needs_layout = True

    def _add_validation_line(self) -> None:
        axes = self._line.axes
        (self._validation_line,) = axes.plot(
            [],
            [],
            color=ENGINE_COLORS[self.engine],
            linestyle=VALIDATION_LINESTYLE,
            linewidth=LINE_WIDTH * 0.7,
            label=f"{self.label} validation",
        )
        _place_legend(axes)
        self._needs_layout = True

    def _has_validation(self) -> bool:
        return any(cost is not None for cost in self.validation_costs)


def _new_figure(size: tuple[float, float] = FIGURE_SIZE) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=FIGURE_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _draw_curves(axes: Axes, curves: Sequence[Curve], by_run: bool = False) -> None:
    if by_run:
        from matplotlib import colormaps

        palette = colormaps["tab10"].colors
        for index, curve in enumerate(curves):
            _draw_curve(axes, curve, "-", palette[index % len(palette)])
    else:
        for curve, linestyle in zip(curves, _run_linestyles(curves), strict=True):
            _draw_curve(axes, curve, linestyle)
    _label_cost_axes(axes)


def _label_cost_axes(axes: Axes) -> None:
    axes.set_xlabel("iteration")
    axes.set_ylabel("cost")
    axes.grid(alpha=0.3)


def _run_linestyles(curves: Sequence[Curve]) -> list[Any]:
    """Give the k-th run of each engine the k-th line style, ghosts apart."""
    seen: Counter[tuple[str, bool]] = Counter()
    linestyles = []
    for curve in curves:
        key = (curve.engine, curve.ghost)
        linestyles.append(RUN_LINESTYLES[seen[key] % len(RUN_LINESTYLES)])
        seen[key] += 1
    return linestyles


def _draw_curve(
    axes: Axes, curve: Curve, linestyle: Any, color: Any | None = None
) -> None:
    color = color or ENGINE_COLORS[curve.engine]
    alpha = GHOST_ALPHA if curve.ghost else 1.0
    width = GHOST_LINE_WIDTH if curve.ghost else LINE_WIDTH
    style = {"color": color, "alpha": alpha}
    axes.plot(
        curve.costs, linestyle=linestyle, linewidth=width, label=curve.label, **style
    )
    if curve.validation_costs is not None:
        axes.plot(
            curve.validation_costs,
            linestyle=VALIDATION_LINESTYLE,
            linewidth=width * 0.7,
            label=f"{curve.label} validation",
            **style,
        )
    if curve.stopped == COMPLETED:
        return

    # Mark the last finite cost: a diverged run may end in inf or nan.
    finite = np.flatnonzero(np.isfinite(curve.costs))
    if finite.size == 0:
        return
    last = finite[-1]
    axes.plot(
        [last],
        [curve.costs[last]],
        marker=_END_MARKERS[curve.stopped],
        linestyle="none",
        markersize=8,
        label=f"_{curve.label} end",
        **style,
    )
    axes.annotate(
        _END_WORDS[curve.stopped],
        (last, curve.costs[last]),
        xytext=(5, 5),
        textcoords="offset points",
        fontsize="small",
        **style,
    )


def _set_cost_scale(
    axes: Axes, costs: Sequence[np.ndarray], log_scale: bool | None = None
) -> bool:
    """Set a log or linear cost scale; tell whether the scale changed."""
    if log_scale is None:
        log_scale = _spans_decades(costs)
    scale = "log" if log_scale else "linear"
    if axes.get_yscale() == scale:
        return False
    axes.set_yscale(scale)
    return True


def _spans_decades(costs: Sequence[np.ndarray]) -> bool:
    """Tell whether the positive finite costs span more than two decades."""
    values = np.concatenate([np.ravel(array) for array in costs] or [np.empty(0)])
    values = values[np.isfinite(values) & (values > 0)]
    return values.size > 0 and values.max() / values.min() > LOG_SCALE_SPAN


def _place_legend(axes: Axes, frame: bool = False) -> None:
    handles, _ = axes.get_legend_handles_labels()
    if not handles:
        return
    if len(handles) <= LEGEND_INSIDE_MAX:
        axes.legend(loc="upper right", fontsize="small", frameon=frame)
    else:
        axes.legend(
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize="x-small",
            frameon=False,
        )


def _with_gaps(values: Sequence[float | None]) -> np.ndarray:
    """Turn a list with None entries into an array with nan there."""
    return np.array([math.nan if value is None else value for value in values])

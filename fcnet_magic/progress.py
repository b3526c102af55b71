"""Progress bars for training runs: a widget in a notebook, a text line elsewhere.

A bar is a hook: pass it to an engine and it records every :class:`Step`. It
renders at most every ``refresh_seconds``, so recording an iteration costs about
a microsecond and hundreds of fast iterations cost almost nothing. Its final
state, shown by :meth:`Progress.finish` whatever the throttle says, tells how
training ended::

    numpy 250/250 · cost 0.0912 · 0.31 s · completed
    numpy 137/250 · cost 0.2104 · 0.17 s · stopped early
    numpy 12/250 · cost nan · 0.02 s · diverged at iteration 12: lower the learning rate
    numpy 90/250 · cost 0.3301 · 0.12 s · interrupted

One function, :func:`display_mode`, decides which rendering fits where the code
runs, and :func:`make_progress` builds it::

    bar = make_progress(250, "numpy")
    bar.start()
    for step in steps:
        bar(step)
    bar.finish("completed", iterations_done=250)

A sweep counts finished runs on a second bar with :meth:`Progress.advance`.
"""

from __future__ import annotations

import html
import importlib.util
import math
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from .hooks import (
    COMPLETED,
    DIVERGED,
    EARLY_STOPPING,
    INTERRUPTED,
    STOP_REASONS,
    Step,
)

MODES = ("widget", "text", "none")
# Besides the ways training stops, a bar can end because the run never ran,
# such as when an engine's library is missing.
FAILED = "failed"
OUTCOMES = (*STOP_REASONS, FAILED)

# How each outcome is shown: the ipywidgets bar style and a terminal color.
_BAR_STYLES = {
    COMPLETED: "success",
    EARLY_STOPPING: "info",
    DIVERGED: "danger",
    INTERRUPTED: "warning",
    FAILED: "danger",
}
_ANSI_COLORS = {
    COMPLETED: "\x1b[32m",
    EARLY_STOPPING: "\x1b[34m",
    DIVERGED: "\x1b[31m",
    INTERRUPTED: "\x1b[38;5;208m",
    FAILED: "\x1b[31m",
}
_ANSI_RESET = "\x1b[0m"
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def in_kernel(shell: Any = None) -> bool:
    """Tell whether code runs in a Jupyter kernel, whose frontend shows rich output.

    Parameters
    ----------
    shell : InteractiveShell, optional
        The shell to inspect; by default the running IPython shell, if any.

    Returns
    -------
    bool
        True for ipykernel's ``ZMQInteractiveShell`` or any shell that has a
        kernel; False for terminal IPython and plain Python.
    """
    if shell is None:
        # Without IPython imported there can be no shell, so do not import it.
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return False
    is_zmq = type(shell).__name__ == "ZMQInteractiveShell"
    return is_zmq or getattr(shell, "kernel", None) is not None


def display_mode(shell: Any = None) -> str:
    """Choose how progress is rendered where the code runs.

    Parameters
    ----------
    shell : InteractiveShell, optional
        The shell to inspect; by default the running IPython shell, if any.

    Returns
    -------
    str
        ``"widget"`` in a Jupyter kernel with ipywidgets installed, ``"text"``
        in terminal IPython, plain Python, or a kernel without ipywidgets.
    """
    if in_kernel(shell) and importlib.util.find_spec("ipywidgets") is not None:
        return "widget"
    return "text"


def format_seconds(seconds: float) -> str:
    """Write a duration the way a person reads it: ``0.31 s``, ``2 min 05 s``."""
    if seconds < 10:
        return f"{seconds:.2g} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_cost(cost: float) -> str:
    """Write a cost with four decimals, or in scientific notation when tiny."""
    if not math.isfinite(cost):
        return str(cost)
    if cost != 0 and abs(cost) < 1e-3:
        return f"{cost:.3e}"
    return f"{cost:.4f}"


class Progress:
    """Record the progress of a run and render it, at most a few times a second.

    The base class keeps the bookkeeping and the throttle; a subclass renders
    by overriding :meth:`_show` (the bar appears), :meth:`_render` (a throttled
    update) and :meth:`_finish` (the final state).

    Parameters
    ----------
    total : int
        Number of iterations (or, for a sweep, of runs) expected.
    label : str, optional
        Name shown before the counts, such as ``"numpy"`` or ``"lr=1 (keras)"``.
    refresh_seconds : float, optional
        Shortest time between two renders. The first step renders right away.
    clock : callable, optional
        Returns the current time in seconds; replaceable in tests.

    Attributes
    ----------
    done : int
        Iterations (or runs) finished so far.
    cost, validation_cost : float or None
        The last recorded costs.
    detail : str
        What :meth:`advance` was last told, such as the run that just finished.
    stopped : str or None
        How the run ended, once :meth:`finish` was called.
    message : str
        Advice given at finish, such as ``"lower the learning rate"``.
    renders : int
        How many times the bar was drawn, the first showing included.
    """

    def __init__(
        self,
        total: int,
        label: str = "",
        refresh_seconds: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if total < 1:
            raise ValueError(
                f"total must be a positive count of iterations or runs; got {total!r}"
            )
        self.total = int(total)
        self.label = label
        self.refresh_seconds = refresh_seconds
        self.done = 0
        self.cost: float | None = None
        self.validation_cost: float | None = None
        self.detail = ""
        self.stopped: str | None = None
        self.message = ""
        self.renders = 0
        self._clock = clock
        self._started_at: float | None = None
        self._finished_at: float | None = None
        self._next_render = -math.inf
        # Renderings that must not draw on the first step (log lines) wait one
        # refresh interval after the start instead.
        self._first_render_delay = 0.0

    def __call__(self, step: Step) -> None:
        """Record one finished iteration; render if the last render is old enough.

        Returns None, so as a hook the bar never stops training.
        """
        self.done = step.iteration + 1
        self.cost = step.cost
        self.validation_cost = step.validation_cost
        now = self._clock()
        if now >= self._next_render:
            self._tick(now)

    def start(self) -> None:
        """Start the clock and show the bar; calling it again does nothing."""
        if self._started_at is not None:
            return
        self._started_at = self._clock()
        self._next_render = self._started_at + self._first_render_delay
        self.renders += 1
        self._show()

    def advance(self, detail: str = "") -> None:
        """Count one more unit of work done, such as one finished run of a sweep.

        Parameters
        ----------
        detail : str, optional
            What was just done, shown after the counts (``"lr=1 (numpy)"``).
        """
        self.done += 1
        self.detail = detail
        now = self._clock()
        if now >= self._next_render:
            self._tick(now)

    def finish(self, stopped: str, *, iterations_done: int, message: str = "") -> None:
        """Show how the run ended; this render is never throttled.

        Parameters
        ----------
        stopped : str
            ``"completed"``, ``"early_stopping"``, ``"diverged"``,
            ``"interrupted"``, or ``"failed"`` for a run that could not run.
        iterations_done : int
            Iterations (or runs) finished when the run ended.
        message : str, optional
            Advice shown after the outcome, such as ``"lower the learning rate"``.
        """
        if stopped not in OUTCOMES:
            expected = ", ".join(OUTCOMES)
            raise ValueError(f"stopped must be one of {expected}; got {stopped!r}")
        self.start()
        self.stopped = stopped
        self.done = iterations_done
        self.message = message
        self._finished_at = self._clock()
        self._next_render = math.inf
        self.renders += 1
        self._finish()

    @property
    def elapsed(self) -> float:
        """Seconds since the start, or from the start to the finish."""
        if self._started_at is None:
            return 0.0
        end = self._clock() if self._finished_at is None else self._finished_at
        return end - self._started_at

    @property
    def remaining(self) -> float | None:
        """Estimated seconds left, from the mean time per iteration so far."""
        if self.done == 0 or self.stopped is not None:
            return None
        return self._remaining(self.elapsed)

    @property
    def outcome(self) -> str:
        """How the run ended, in words; empty while it runs."""
        if self.stopped is None:
            return ""
        words = {
            COMPLETED: "completed",
            EARLY_STOPPING: "stopped early",
            DIVERGED: f"diverged at iteration {self.done}",
            INTERRUPTED: "interrupted",
            FAILED: "failed",
        }[self.stopped]
        return f"{words}: {self.message}" if self.message else words

    def status(self) -> str:
        """The state of the bar in one line, without the label."""
        parts = [f"{self.done}/{self.total}"]
        if self.detail:
            parts.append(self.detail)
        if self.cost is not None:
            parts.append(f"cost {format_cost(self.cost)}")
        if self.validation_cost is not None:
            parts.append(f"validation {format_cost(self.validation_cost)}")
        elapsed = self.elapsed
        if self.stopped is not None:
            parts += [format_seconds(elapsed), self.outcome]
        else:
            parts.append(f"{format_seconds(elapsed)} elapsed")
            if 0 < self.done < self.total:
                parts.append(f"~{format_seconds(self._remaining(elapsed))} left")
        return " · ".join(parts)

    def text(self) -> str:
        """The state of the bar in one line: label, counts, cost and times."""
        status = self.status()
        return f"{self.label} {status}" if self.label else status

    def _remaining(self, elapsed: float) -> float:
        return elapsed / self.done * max(self.total - self.done, 0)

    def _tick(self, now: float) -> None:
        if self._started_at is None:
            self.start()
            if now < self._next_render:
                return
        self._next_render = now + self.refresh_seconds
        self.renders += 1
        self._render()

    def _show(self) -> None:
        """Make the bar appear."""

    def _render(self) -> None:
        """Draw the current state."""

    def _finish(self) -> None:
        """Draw the final state."""


class SilentProgress(Progress):
    """A bar that records everything and shows nothing, for quiet runs."""


class TextProgress(Progress):
    """A progress line written to a text stream.

    On a terminal the line is rewritten in place with a carriage return. When
    the stream is not a terminal (a log file, a pipe), whole lines are written
    at most every ``log_seconds`` and once at the finish, so a short run leaves
    a single line. A bar counting runs with :meth:`advance` writes a whole line
    per run, so that the bars of the runs in between do not overwrite it.

    Parameters
    ----------
    total, label, refresh_seconds, clock
        As for :class:`Progress`.
    stream : file-like, optional
        Where to write; by default ``sys.stdout`` at construction time.
    log_seconds : float, optional
        Shortest time between two lines when the stream is not a terminal.
    """

    def __init__(
        self,
        total: int,
        label: str = "",
        refresh_seconds: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        *,
        stream: TextIO | None = None,
        log_seconds: float = 5.0,
    ) -> None:
        super().__init__(total, label, refresh_seconds, clock)
        self.stream = sys.stdout if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.is_terminal = bool(isatty and isatty())
        self._whole_lines = not self.is_terminal
        self._line_length = 0
        if not self.is_terminal:
            self.refresh_seconds = max(refresh_seconds, log_seconds)
            self._first_render_delay = self.refresh_seconds

    def advance(self, detail: str = "") -> None:
        """Count one more finished run and write it on a line of its own."""
        self._whole_lines = True
        super().advance(detail)

    def _show(self) -> None:
        if self.is_terminal:
            self._write(self.text())

    def _render(self) -> None:
        self._write(self.text())

    def _finish(self) -> None:
        line = self.text()
        if self.is_terminal:
            # Pad before coloring, since escape codes take no room on screen.
            padding = " " * max(self._line_length - len(line), 0)
            head = line[: len(line) - len(self.outcome)]
            color = _ANSI_COLORS[self.stopped]
            line = f"{head}{color}{self.outcome}{_ANSI_RESET}{padding}"
        self._write(line, end_line=True)

    def _write(self, line: str, end_line: bool = False) -> None:
        end_line = end_line or self._whole_lines
        if self.is_terminal:
            # Back to the start of the line, wiping what is left of a longer one.
            line = "\r" + line.ljust(self._line_length)
            self._line_length = 0 if end_line else len(line) - 1
        self.stream.write(line + "\n" if end_line else line)
        self.stream.flush()


class WidgetProgress(Progress):
    """A progress bar of ipywidgets, with a plain-text copy for static viewers.

    The bar is an ``HBox`` of an ``IntProgress`` and an ``HTML`` label, shown
    with one display output that holds both the widget view and a text line.
    A frontend that renders widgets shows the live bar; a notebook executed
    without one (and exported to HTML, say) keeps the text, which
    :meth:`finish` updates to the final line. The bar turns green when the
    run completed, blue when it stopped early, red when it diverged or failed,
    and orange when it was interrupted.

    Parameters
    ----------
    total, label, refresh_seconds, clock
        As for :class:`Progress`.

    Attributes
    ----------
    bar : ipywidgets.IntProgress
    label_html : ipywidgets.HTML
    widget : ipywidgets.HBox
        The two above, side by side; this is what is displayed.
    """

    def __init__(
        self,
        total: int,
        label: str = "",
        refresh_seconds: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        import ipywidgets as widgets

        super().__init__(total, label, refresh_seconds, clock)
        self.bar = widgets.IntProgress(
            value=0,
            min=0,
            max=self.total,
            description=label,
            style={"description_width": "initial"},
        )
        self.label_html = widgets.HTML(value=self._html())
        self.widget = widgets.HBox([self.bar, self.label_html])
        self._handle: Any = None

    def mime_bundle(self) -> dict[str, Any]:
        """The widget view and the current text line, as one display bundle."""
        view = {
            "model_id": self.widget.model_id,
            "version_major": 2,
            "version_minor": 0,
        }
        return {_WIDGET_VIEW: view, "text/plain": self.text()}

    def _show(self) -> None:
        from IPython.display import display

        self._handle = display(self.mime_bundle(), raw=True, display_id=True)

    def _render(self) -> None:
        self.bar.value = min(self.done, self.total)
        self.label_html.value = self._html()

    def _finish(self) -> None:
        self.bar.value = self.total if self.stopped == COMPLETED else self.done
        self.bar.bar_style = _BAR_STYLES[self.stopped]
        self.label_html.value = self._html()
        if self._handle is not None:
            self._handle.update(self.mime_bundle(), raw=True)

    def _html(self) -> str:
        status = html.escape(self.status())
        return f'<span style="font-family: monospace">{status}</span>'


def make_progress(
    total: int,
    label: str = "",
    refresh_seconds: float = 0.25,
    mode: str | None = None,
) -> Progress:
    """Build the progress bar that suits where the code runs.

    Parameters
    ----------
    total : int
        Number of iterations (or runs) expected.
    label : str, optional
        Name shown before the counts.
    refresh_seconds : float, optional
        Shortest time between two renders.
    mode : {None, "widget", "text", "none"}, optional
        How to render; None lets :func:`display_mode` choose, ``"none"`` shows
        nothing (quiet runs).

    Returns
    -------
    Progress
        A :class:`WidgetProgress`, :class:`TextProgress` or
        :class:`SilentProgress`.

    Examples
    --------
    >>> bar = make_progress(3, "numpy", mode="none")
    >>> bar.finish("completed", iterations_done=3)
    >>> bar.text().endswith("completed")
    True
    """
    mode = display_mode() if mode is None else mode
    kinds: dict[str, type[Progress]] = {
        "widget": WidgetProgress,
        "text": TextProgress,
        "none": SilentProgress,
    }
    if mode not in kinds:
        expected = ", ".join(repr(name) for name in MODES)
        raise ValueError(f"mode must be None or one of {expected}; got {mode!r}")
    return kinds[mode](total, label, refresh_seconds)

"""The widgets of the training panel: setting controls, progress bars, run table.

:class:`SettingsControls` shows the settings a lecturer changes between runs
(layers, learning rate, iterations, engine, seed, data and whether to keep
the previous run's initial weights) and turns them back into a validated
:class:`~fcnet_magic.settings.Settings`. Every control has a message beside
it; a bad value shows there in red, with the same wording as a cell would
give, and :meth:`SettingsControls.settings` refuses until it is fixed.

:class:`PanelProgress` is a progress bar the panel holds among its widgets,
and :func:`table_html` writes the table of runs.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
from IPython.core.error import UsageError

from .progress import WidgetProgress
from .results import TrainingResult
from .settings import ENGINES, Settings

ENGINE_CHOICES = {
    ("numpy",): "numpy",
    ("keras",): "keras",
    ("keras_compiled",): "keras_compiled",
    ("numpy", "keras"): "both",
    ENGINES: "all",
}
# Settings checked as a cell would check them, each with a message beside it.
CHECKED = ("layers", "learning_rate", "iterations", "seed", "data")
ERROR_COLOR = "#c0392b"
NOTE_COLOR = "#555555"
# The slider spans 1e-5 to 10 unless the cell's learning rate lies outside.
SLIDER_EXPONENTS = (-5.0, 1.0)
SLIDER_STEP = 0.05
_LABELS = {"description_width": "7em"}

TABLE_COLUMNS = (
    "#",
    "engine",
    "what changed",
    "time",
    "final cost",
    "train acc",
    "test acc",
    "stopped",
)

_CELL_STYLE = "padding: 2px 10px 2px 0; text-align: left"


def message_html(text: str, error: bool = False) -> str:
    """Inline message markup: red for an error, grey for a note."""
    if not text:
        return ""
    color = ERROR_COLOR if error else NOTE_COLOR
    return f'<span style="color: {color}">{html.escape(text)}</span>'


def engine_word(engines: tuple[str, ...]) -> str:
    """The word a cell would use for ``engines``: ``numpy``, ``both``, ..."""
    return ENGINE_CHOICES.get(tuple(engines), ",".join(engines))


class SettingsControls:
    """Widgets for the settings a lecturer changes between runs.

    Parameters
    ----------
    settings : Settings
        Where the controls start. Settings without a control (batch size,
        dtype, patience, ...) carry over unchanged into :meth:`settings`.

    Attributes
    ----------
    layers, data : ipywidgets.Text
    learning_rate : ipywidgets.FloatLogSlider
        Coarse choice on a log scale, kept in sync with ``exact_rate``.
    exact_rate : ipywidgets.FloatText
        The learning rate as typed; the value that is used.
    iterations, seed : ipywidgets.IntText
    engine : ipywidgets.Dropdown
    same_weights : ipywidgets.Checkbox
        Rerun from the previous run's initial weights.
    messages : dict of str to ipywidgets.HTML
        The inline message beside each control, by setting name
        (``"layers"``, ..., ``"same_weights"``).
    widget : ipywidgets.VBox
        All of the above, one row per setting.
    """

    def __init__(self, settings: Settings) -> None:
        self.base = settings
        self.layers = widgets.Text(
            value="-".join(map(str, settings.layers)),
            description="layers",
            placeholder="20-5-1",
            style=_LABELS,
        )
        self.learning_rate = _log_slider(settings.learning_rate)
        self.exact_rate = widgets.FloatText(
            value=settings.learning_rate,
            description="exact",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="12em"),
        )
        self.iterations = widgets.IntText(
            value=settings.iterations, description="iterations", style=_LABELS
        )
        self.engine = _engine_dropdown(settings.engines)
        self.seed = widgets.IntText(
            value=settings.seed, description="seed", style=_LABELS
        )
        self.data = widgets.Text(value=settings.data, description="data", style=_LABELS)
        self.same_weights = widgets.Checkbox(
            value=False, description="same initial weights", indent=False
        )
        self.messages = {name: widgets.HTML() for name in (*CHECKED, "same_weights")}
        self._watch()
        self.widget = widgets.VBox(self._rows())

    def settings(self) -> Settings:
        """The settings the controls show, over the cell's other settings.

        Raises
        ------
        UsageError
            If a control holds a bad value; its message says which and why.
        """
        bad = [name for name in CHECKED if not self._check(name)]
        if bad:
            raise UsageError(
                f"fix {', '.join(bad)} first (see the red message beside it)."
            )
        return self.base.replace(**self._values())

    def show(self, name: str, text: str, error: bool = False) -> None:
        """Put ``text`` beside the control of setting ``name``."""
        self.messages[name].value = message_html(text, error)

    def set_disabled(self, disabled: bool) -> None:
        """Lock every control while a run is going, or unlock them."""
        for control in self.controls:
            control.disabled = disabled

    @property
    def controls(self) -> tuple[widgets.Widget, ...]:
        """Every input widget, in the order they are shown."""
        return (
            self.layers,
            self.learning_rate,
            self.exact_rate,
            self.iterations,
            self.engine,
            self.seed,
            self.data,
            self.same_weights,
        )

    def _values(self) -> dict[str, object]:
        return {
            "layers": self.layers.value,
            "learning_rate": self.exact_rate.value,
            "iterations": self.iterations.value,
            "engines": self.engine.value,
            "seed": self.seed.value,
            "data": self.data.value,
        }

    def _check(self, name: str) -> bool:
        """Validate one setting as a cell would, and show what is wrong."""
        try:
            self.base.replace(**{name: self._values()[name]})
        except UsageError as error:
            self.show(name, str(error), error=True)
            return False
        self.show(name, "")
        return True

    def _watch(self) -> None:
        """Check each value as it changes, and keep the two rate fields in sync."""
        for name, control in (
            ("layers", self.layers),
            ("iterations", self.iterations),
            ("seed", self.seed),
            ("data", self.data),
        ):
            control.observe(lambda _, name=name: self._check(name), names="value")
        self.exact_rate.observe(self._exact_rate_changed, names="value")
        self.learning_rate.observe(self._slider_moved, names="value")

    def _exact_rate_changed(self, change: dict) -> None:
        if not self._check("learning_rate"):
            return
        rate = change["new"]
        slider = self.learning_rate
        slider.min = min(slider.min, math.floor(math.log10(rate)))
        slider.max = max(slider.max, math.ceil(math.log10(rate)))
        if not _same_position(slider.value, rate):
            slider.value = rate

    def _slider_moved(self, change: dict) -> None:
        # The slider also echoes values the exact field gave it, rounded to its
        # steps; only a real move (a different position) changes the rate.
        rate = change["new"]
        if not _same_position(rate, self.exact_rate.value):
            self.exact_rate.value = float(f"{rate:.3g}")

    def _rows(self) -> list[widgets.HBox]:
        m = self.messages
        return [
            widgets.HBox([self.layers, m["layers"]]),
            widgets.HBox([self.learning_rate, self.exact_rate, m["learning_rate"]]),
            widgets.HBox([self.iterations, m["iterations"]]),
            widgets.HBox([self.engine]),
            widgets.HBox([self.seed, m["seed"]]),
            widgets.HBox([self.data, m["data"]]),
            widgets.HBox([self.same_weights, m["same_weights"]]),
        ]


def _log_slider(rate: float) -> widgets.FloatLogSlider:
    low, high = SLIDER_EXPONENTS
    exponent = math.log10(rate)
    return widgets.FloatLogSlider(
        value=rate,
        base=10,
        min=min(low, math.floor(exponent)),
        max=max(high, math.ceil(exponent)),
        step=SLIDER_STEP,
        readout=False,
        continuous_update=False,
        description="learning rate",
        style=_LABELS,
    )


def _engine_dropdown(engines: tuple[str, ...]) -> widgets.Dropdown:
    options = list(dict.fromkeys([*ENGINE_CHOICES.values(), engine_word(engines)]))
    return widgets.Dropdown(
        options=options,
        value=engine_word(engines),
        description="engine",
        style=_LABELS,
    )


def _same_position(first: float, second: float) -> bool:
    """Whether two positive rates sit on the same step of the log slider."""
    if first <= 0 or second <= 0:
        return False
    return abs(math.log10(first) - math.log10(second)) <= SLIDER_STEP / 2 + 1e-9


class PanelProgress(WidgetProgress):
    """A widget progress bar that lives in a panel instead of an output of its own.

    The panel puts :attr:`widget` among its children, so nothing is displayed
    from the training thread, where ``display`` would write into whichever
    cell happens to run.
    """

    def _show(self) -> None:
        """Nothing to display: the panel already holds the widget."""


def close_widgets(*items: widgets.Widget) -> None:
    """Close widgets, with their layout and style, which are widgets too."""
    for item in items:
        for part in (item, getattr(item, "layout", None), getattr(item, "style", None)):
            if isinstance(part, widgets.Widget):
                part.close()


def table_row(number: int, run: TrainingResult, changes: str) -> dict[str, str]:
    """The table row of one run, its figures written as in its summary."""
    summary = dict(run.summary_rows())
    return {
        "#": str(number),
        "engine": summary["engine"],
        "what changed": changes,
        "time": summary["time"],
        "final cost": summary["final cost"],
        "train acc": summary["train accuracy"],
        "test acc": summary["test accuracy"],
        "stopped": run.stopped,
    }


def table_html(rows: Sequence[Mapping[str, str]]) -> str:
    """An HTML table of runs, one row each, under the `TABLE_COLUMNS` header."""
    head = "".join(
        f"<th style='{_CELL_STYLE}'>{html.escape(column)}</th>"
        for column in TABLE_COLUMNS
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td style='{_CELL_STYLE}'>{html.escape(row[column])}</td>"
            for column in TABLE_COLUMNS
        )
        + "</tr>"
        for row in rows
    )
    return (
        "<table class='fcnet-runs'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )

"""The ``%%fcnet_train`` and ``%fcnet_compare`` magics.

Each magic reads settings from its line and body, trains through
:mod:`fcnet_magic.training` with a progress bar and a live cost curve, then
shows a static cost figure and a summary that survive export to HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display
from traitlets import Bool, Enum, Float, Unicode

from . import comparison, plots, progress, training
from .hooks import INTERRUPTED, chain
from .results import ComparisonResult, TrainingResult
from .settings import OPTION_NAMES, Settings, parse_single, parse_sweep

SETTING_HELP = {
    "layers": "layer sizes, e.g. 100-20-5-1 or 20-5-1 (input size from the data)",
    "learning_rate": "gradient-descent step size (alias: --lr)",
    "iterations": "iterations of gradient descent (alias: --epochs)",
    "engines": "numpy | keras | keras_compiled | both | all",
    "data": "default | breast_cancer | a .npz/.csv/.pickle path | 'x_name, y_name'",
    "test_size": "fraction of the data held out for testing (default 0.2)",
    "seed": "seed of the split, the initial weights and the shuffling",
    "batch_size": "mini-batch size; full batch when omitted",
    "dtype": "float64 | float32",
    "scale": "standardise features on the training part (true/false)",
    "patience": "early stopping: iterations without validation improvement",
    "min_delta": "early stopping: smallest improvement that counts",
    "validation_size": "early stopping: fraction of the training part held out",
    "init": "shared (all engines start from the same weights) | keras",
    "repeat": "timing repeats per configuration",
}


def setting_arguments(magic: Callable) -> Callable:
    """Declare every setting as a line option that takes one or more values."""
    for name, flag in reversed(OPTION_NAMES.items()):
        aliases = {"learning_rate": ["--lr"], "iterations": ["--epochs"]}.get(name, [])
        magic = argument(
            flag,
            *aliases,
            dest=name,
            nargs="+",
            metavar="VALUE",
            help=SETTING_HELP[name],
        )(magic)
    return magic


def common_arguments(magic: Callable) -> Callable:
    """Options shared by both magics: where the result goes, quiet mode, controls."""
    magic = argument(
        "--ui", action="store_true", help="show controls to change settings and rerun"
    )(magic)
    magic = argument("-q", "--quiet", action="store_true", help="show nothing")(magic)
    return argument(
        "-o",
        "--output",
        metavar="NAME",
        help="store the result object in the notebook variable NAME",
    )(magic)


@magics_class
class FCNetMagics(Magics):
    """Train and compare fully-connected networks from a cell.

    Defaults can be changed with ``%config``, e.g.
    ``%config FCNetMagics.default_engine = "both"``.
    """

    default_engine = Unicode(
        "numpy", help="engine used when a cell names none (numpy, keras, both, ...)"
    ).tag(config=True)
    live_plot = Bool(True, help="redraw the cost curve while training").tag(config=True)
    refresh_seconds = Float(
        0.25, help="shortest time between two progress-bar updates, in seconds"
    ).tag(config=True)
    progress = Enum(
        ["auto", "widget", "text", "none"],
        "auto",
        help="how progress is shown; auto picks widgets in Jupyter, text elsewhere",
    ).tag(config=True)

    @magic_arguments()
    @common_arguments
    @setting_arguments
    @cell_magic
    def fcnet_train(self, line: str, cell: str) -> None:
        """Train the NumPy network, the Keras model, or both, on one configuration.

        The cell body holds settings, one ``key = value`` (or ``key: value``) per
        line, with ``#`` comments; line options set the same settings and win
        over the body. Progress and the cost curve update while training; a
        cost figure and a summary follow. Ctrl-C (Kernel > Interrupt) stops
        between iterations and keeps the partial result. With ``--ui`` the
        settings show as controls instead, and each click on Train runs them
        (``-o`` then holds the list of runs).

        Examples
        --------
        ::

            In [1]: %%fcnet_train -o run
               ...: layers        = 100-20-5-1
               ...: learning_rate = 0.1
               ...: iterations    = 250
               ...: engine        = both

            In [2]: run["numpy"].test_accuracy
        """
        args = parse_argstring(self.fcnet_train, line)
        settings = parse_single(cell, vars(args), defaults=self._defaults())
        if args.ui:
            self._show_ui(settings, args)
            return
        runs = self._train(settings, args)
        if len(runs) == 1:
            self._store(args.output, runs[0])

    @magic_arguments()
    @common_arguments
    @setting_arguments
    @line_cell_magic
    def fcnet_compare(self, line: str, cell: str | None = None) -> None:
        """Train engines on identical work and compare time and accuracy.

        Every engine of a configuration gets the same split, the same initial
        weights and the same iterations. Give several values to any option to
        train the whole grid. Times are medians over ``--repeat`` runs, with
        their spread; Keras tracing is reported apart as warm-up.

        Examples
        --------
        ::

            In [1]: %fcnet_compare --layers 100-20-5-1 --lr 0.1 --repeat 3

            In [2]: %fcnet_compare -o sweep --layers 20-5-1 200-50-20-5-1 --lr 0.1 1
        """
        args = parse_argstring(self.fcnet_compare, line)
        defaults = self._defaults().replace(engines="both")
        grid = parse_sweep(cell or "", vars(args), defaults=defaults)
        if args.ui:
            if len(grid) > 1:
                raise UsageError(
                    f"--ui takes one configuration; got a sweep of {len(grid)}. "
                    "Give one value per setting and change it with the controls."
                )
            self._show_ui(grid[0], args, compare=True)
            return
        result = ComparisonResult()
        self._store(args.output, result)
        comparison.run_grid(
            grid,
            result,
            namespace=self.shell.user_ns,
            progress_mode=self._progress_mode(args),
        )
        if not args.quiet:
            comparison.show(result)

    def _defaults(self) -> Settings:
        """Settings a cell starts from, with the configured default engine."""
        return Settings(engines=self.default_engine)

    def _progress_mode(self, args) -> str | None:
        """``None`` lets the progress module pick; ``"none"`` when quiet."""
        if args.quiet:
            return "none"
        return None if self.progress == "auto" else self.progress

    def _train(self, settings: Settings, args) -> list[TrainingResult]:
        """Train each engine of ``settings`` in turn, showing progress."""
        workload = comparison.prepare_or_explain(settings, self.shell.user_ns)
        runs: list[TrainingResult] = []
        result = ComparisonResult()
        if len(settings.engines) > 1:
            self._store(args.output, result)
        for engine in settings.engines:
            run = self._train_engine(engine, settings, workload, args)
            runs.append(run)
            result.add(run)
            if run.stopped == INTERRUPTED:
                break
        if not args.quiet:
            show_training(runs)
        return runs

    def _train_engine(self, engine, settings, workload, args) -> TrainingResult:
        """One engine's run with its progress bar and live plot."""
        bar = progress.make_progress(
            settings.iterations,
            label=engine,
            refresh_seconds=self.refresh_seconds,
            mode=self._progress_mode(args),
        )
        live = None
        if self.live_plot and not args.quiet:
            live = plots.LiveCostPlot(engine, engine, settings.iterations)
            live.start()
        bar.start()
        try:
            run = training.run(engine, settings, workload, hook=chain(bar, live))
        except ImportError as error:
            bar.finish("failed", iterations_done=0, message=str(error))
            raise UsageError(str(error)) from None
        except BaseException as error:
            # Engines turn Ctrl-C between iterations into a result; this is
            # anything else, such as Ctrl-C while TensorFlow loads.
            stopped = INTERRUPTED if isinstance(error, KeyboardInterrupt) else "failed"
            bar.finish(stopped, iterations_done=bar.done)
            raise
        bar.finish(run.stopped, iterations_done=run.iterations_run, message=run.advice)
        if live is not None:
            live.finish(run.stopped)
        return run

    def _show_ui(self, settings: Settings, args, compare: bool = False) -> None:
        """Show controls that train ``settings`` when the user clicks Train."""
        if args.quiet:
            raise UsageError("--ui shows controls and -q hides everything; drop one.")
        from .ui import TrainingUI

        ui = TrainingUI(
            settings,
            namespace=self.shell.user_ns,
            compare=compare,
            live_plot=self.live_plot,
            refresh_seconds=self.refresh_seconds,
        )
        self._store(args.output, ui.results)
        display(ui)

    def _store(self, name: str | None, value: object) -> None:
        """Put ``value`` in the user namespace under ``name``, when one was given."""
        if name:
            if not name.isidentifier():
                raise UsageError(f"-o needs a Python variable name, got {name!r}.")
            self.shell.user_ns[name] = value


def show_training(runs: Sequence[TrainingResult]) -> None:
    """Static cost figure of all runs, then each run's summary."""
    curves = [plots.curve_of(run) for run in runs]
    title = " vs ".join(run.engine for run in runs)
    plots.show_figure(plots.cost_figure(curves, title=title), f"cost curve: {title}")
    for run in runs:
        display(run)

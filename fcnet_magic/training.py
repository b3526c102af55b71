"""Run any engine on prepared data and turn what it computed into a result.

The magics and the widget UI share this path: settings and data in, one
:class:`~fcnet_magic.results.TrainingResult` per engine out. Display is not
done here; callers pass hooks (progress bars, live plots, a Stop button).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from . import data, numpy_net
from .hooks import EARLY_STOPPING, INTERRUPTED, Hook, Step, chain
from .results import TrainingResult
from .settings import Settings


@dataclass(frozen=True)
class Workload:
    """Everything the engines train on for one configuration.

    The same workload given to several engines means identical work: the
    same split, the same validation part and the same initial weights.
    """

    split: data.Split
    layer_dims: list[int]
    X_fit: np.ndarray
    Y_fit: np.ndarray
    validation: tuple[np.ndarray, np.ndarray] | None
    initial_parameters: dict[str, np.ndarray]


def prepare(
    settings: Settings,
    namespace: Mapping[str, object] | None = None,
    dataset: data.Dataset | None = None,
) -> Workload:
    """Load and split the data of ``settings`` and draw the initial weights."""
    dtype = np.dtype(settings.dtype)
    if dataset is None:
        dataset = data.load(settings.data, namespace)
    split = data.split(
        dataset,
        test_size=settings.test_size,
        seed=settings.seed,
        scale=settings.scale,
        dtype=dtype,
    )
    layer_dims = list(settings.layer_dims(split.X_train.shape[0]))
    X_fit, Y_fit, validation = split.X_train, split.Y_train, None
    if settings.patience is not None:
        X_fit, Y_fit, X_val, Y_val = data.hold_out(
            split.X_train, split.Y_train, settings.validation_size, settings.seed
        )
        validation = (X_val, Y_val)
    rng = np.random.default_rng(settings.seed)
    initial = numpy_net.initialize_parameters(layer_dims, rng, dtype)
    return Workload(split, layer_dims, X_fit, Y_fit, validation, initial)


def engine_trainer(engine: str) -> Callable[..., numpy_net.Training]:
    """The training function of ``engine``; imports TensorFlow only for Keras."""
    if engine == "numpy":
        return numpy_net.train
    from . import keras_fit, keras_net

    trainers = {
        "keras": keras_fit.train_fit,
        "keras_compiled": keras_net.train_compiled,
    }
    return trainers[engine]


def run(
    engine: str,
    settings: Settings,
    workload: Workload,
    hook: Hook | None = None,
    initial_parameters: Mapping[str, np.ndarray] | None = None,
) -> TrainingResult:
    """Train ``engine`` on ``workload`` and measure the trained network.

    ``initial_parameters`` overrides the workload's shared starting weights,
    for instance to rerun from an earlier run's start. With ``init = keras`` the
    Keras engines draw their own weights instead.
    """
    start = initial_parameters or workload.initial_parameters
    options = {}
    if engine != "numpy" and settings.init == "keras" and initial_parameters is None:
        start, options = None, {"keras_init": True}
    if settings.patience is not None:
        hook = chain(hook, EarlyStopping(settings.patience, settings.min_delta))
    training = engine_trainer(engine)(
        workload.X_fit,
        workload.Y_fit,
        workload.layer_dims,
        settings.learning_rate,
        settings.iterations,
        seed=settings.seed,
        parameters=start,
        batch_size=settings.batch_size,
        dtype=np.dtype(settings.dtype),
        validation=workload.validation,
        hook=hook,
        **options,
    )
    return _result(engine, settings, workload, training, start)


def _result(engine, settings, workload, training, start) -> TrainingResult:
    """Package an engine's training with the accuracies of its parameters."""
    split = workload.split
    parameters = training.parameters
    return TrainingResult(
        engine=engine,
        layer_dims=list(workload.layer_dims),
        learning_rate=settings.learning_rate,
        iterations=settings.iterations,
        costs=training.costs,
        parameters=parameters,
        train_accuracy=numpy_net.accuracy(split.X_train, split.Y_train, parameters),
        test_accuracy=numpy_net.accuracy(split.X_test, split.Y_test, parameters),
        seconds=training.seconds,
        stopped=training.stopped,
        warmup_seconds=training.warmup_seconds,
        validation_costs=training.validation_costs,
        initial_parameters=dict(start) if start is not None else None,
        settings=settings,
        data=split.dataset.description,
    )


class EarlyStopping:
    """Hook that stops once the validation cost stops improving.

    Training stops after ``patience`` consecutive iterations whose validation
    cost is not below the best so far by more than ``min_delta``.
    """

    def __init__(self, patience: int, min_delta: float = 0.0) -> None:
        self.patience = patience
        self.min_delta = min_delta
        self.best = np.inf
        self.waited = 0

    def __call__(self, step: Step) -> str | None:
        if step.validation_cost is None:
            return None
        if step.validation_cost < self.best - self.min_delta:
            self.best, self.waited = step.validation_cost, 0
            return None
        self.waited += 1
        return EARLY_STOPPING if self.waited >= self.patience else None


class StopFlag:
    """Hook that stops training when another thread calls :meth:`set`.

    A widget's Stop button runs while training occupies a background thread;
    the flag is read between iterations, so the run ends cleanly.
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    def clear(self) -> None:
        self._event.clear()

    def is_set(self) -> bool:
        return self._event.is_set()

    def __call__(self, step: Step) -> str | None:
        return INTERRUPTED if self._event.is_set() else None

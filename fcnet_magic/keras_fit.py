"""Train the Keras network through ``model.fit``, one epoch per iteration.

This is the Keras code people write: ``model.fit(x, y, batch_size=m,
epochs=...)``, with a callback that reports each epoch to the same hook the
NumPy engine calls, so progress bars, live plots, early stopping and the
Stop button work alike. :mod:`fcnet_magic.keras_net` builds the model.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence

import numpy as np

from . import keras_compiled, numpy_net
from .hooks import COMPLETED, DIVERGED, INTERRUPTED, Hook, Step
from .keras_net import (
    KerasParameters,
    Prepared,
    get_parameters,
    model_variables,
    one_at_a_time,
    prepare,
)
from .tensorflow_import import keras, tf

SNAPSHOT_SECONDS = 0.25
"""How often ``fit`` keeps the weights of an epoch start, to rewind to."""


@one_at_a_time
def train_fit(
    X: np.ndarray,
    Y: np.ndarray,
    layer_dims: Sequence[int],
    learning_rate: float,
    iterations: int,
    *,
    seed: int = 1,
    parameters: Mapping[str, np.ndarray] | None = None,
    batch_size: int | None = None,
    dtype=np.float64,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    hook: Hook | None = None,
    keras_init: bool = False,
) -> numpy_net.Training:
    """Train the Keras network with ``model.fit``, one epoch per iteration.

    Takes the arguments of :func:`fcnet_magic.numpy_net.train`, in the course
    layout (``X`` of shape (n_x, m), ``Y`` of shape (1, m)), and returns its
    ``Training``. A callback hands the hook one
    :class:`~fcnet_magic.hooks.Step` per epoch, whose ``parameters`` is a
    :class:`KerasParameters` view of the model.

    Parameters
    ----------
    keras_init : bool, default False
        Draw the initial weights with Keras's initialisers, seeded by
        ``seed``, instead of the NumPy engine's (ignored with ``parameters``).

    Returns
    -------
    numpy_net.Training
        ``seconds`` is the wall time of ``fit``, including Keras's tracing of
        its train step; ``warmup_seconds`` is zero. After a non-finite cost
        the parameters are those that produced it, as with the NumPy engine
        (for mini-batches, those of that epoch's start). After a
        ``KeyboardInterrupt`` they are the current weights, which may be one
        epoch ahead of the last cost.
    """
    run = prepare(
        X,
        Y,
        layer_dims,
        learning_rate,
        seed=seed,
        parameters=parameters,
        batch_size=batch_size,
        dtype=dtype,
        validation=validation,
        keras_init=keras_init,
    )
    callback = HookCallback(hook, run.validation)
    start = time.perf_counter()

    try:
        _fit(run, seed, 0, iterations, [callback])
        if callback.stopped == DIVERGED:
            _rewind(run, seed, callback.snapshot, len(callback.costs))
    except KeyboardInterrupt:
        callback.stopped = INTERRUPTED
    seconds = time.perf_counter() - start

    return numpy_net.Training(
        parameters=get_parameters(run.model),
        costs=callback.costs,
        stopped=callback.stopped,
        validation_costs=None if run.validation is None else callback.validation_costs,
        seconds=seconds,
    )


class HookCallback(keras.callbacks.Callback):
    """Calls a hook at each epoch end; stops on its reason or a non-finite cost.

    Parameters
    ----------
    hook : callable or None
        Called with a :class:`~fcnet_magic.hooks.Step` after every epoch.
    validation : (x_val, y_val) or None
        Of shapes (m_val, n_x) and (m_val, 1); costed after each epoch's
        update by one compiled forward pass. On the seed configuration that
        adds about a third to ``fit``'s time, where ``fit``'s own
        ``validation_data``, which runs an evaluation loop every epoch,
        triples it.

    Attributes
    ----------
    costs, validation_costs : list of float
        One per finished epoch whose cost was finite.
    stopped : str
        ``"completed"``, the hook's stop reason or ``"diverged"``.
    snapshot : (int, list of tf.Tensor)
        An epoch and the weights at its start, taken every
        :data:`SNAPSHOT_SECONDS`: weights to rewind to after a divergence,
        whose update leaves weights that are not finite either.
    """

    def __init__(self, hook: Hook | None, validation=None):
        super().__init__()
        self.hook = hook
        self.validation = (
            None if validation is None else tuple(map(tf.constant, validation))
        )
        self.costs: list[float] = []
        self.validation_costs: list[float] = []
        self.stopped = COMPLETED
        self.snapshot = None
        self._snapshot_time = -math.inf

    def set_model(self, model: keras.Model) -> None:
        super().set_model(model)
        self._parameters = KerasParameters(model)
        self._variables = model_variables(model)

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        # Reading the weights can cost a tenth of a small epoch, so only a few
        # times a second; a rewind replays the epochs since.
        now = time.perf_counter()
        if now - self._snapshot_time >= SNAPSHOT_SECONDS:
            self.snapshot = (epoch, keras_compiled.read_all(self._variables))
            self._snapshot_time = now

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        cost = float(logs["loss"])
        if not math.isfinite(cost):
            self._stop(DIVERGED)
            return
        self.costs.append(cost)
        validation_cost = None
        if self.validation is not None:
            x_val, y_val = self.validation
            validation_cost = float(
                keras_compiled.compiled_mean_cost(x_val, y_val, self._variables)
            )
            self.validation_costs.append(validation_cost)
        if self.hook is not None:
            reason = self.hook(Step(epoch, cost, self._parameters, validation_cost))
            if reason:
                self._stop(reason)

    def _stop(self, reason: str) -> None:
        self.stopped = reason
        self.model.stop_training = True


def _fit(run: Prepared, seed: int, first_epoch: int, epochs: int, callbacks=()):
    """``model.fit`` over epochs ``first_epoch, ..., first_epoch + epochs - 1``.

    Full batches go through the call users write, ``model.fit(x, y,
    batch_size=m, epochs=...)``: timing what people actually run is the point
    of comparing engines, even though Keras then builds a new data iterator
    every epoch. Mini-batches come as one seeded ``tf.data`` stream, so that a
    rewind replays the very batches of the first pass.
    """
    if epochs <= 0:
        return
    options = {"epochs": epochs, "verbose": 0, "callbacks": list(callbacks)}
    if run.batch_size is None:
        m = run.x.shape[0]
        run.model.fit(run.x, run.y, batch_size=m, shuffle=False, **options)
        return
    dataset = _batches(run.x, run.y, run.batch_size, seed, first_epoch)
    steps = math.ceil(run.x.shape[0] / run.batch_size)
    run.model.fit(dataset, steps_per_epoch=steps, shuffle=False, **options)


def _batches(x, y, batch_size: int, seed: int, first_epoch: int):
    """Endless mini-batches from ``first_epoch`` on, each epoch in its order.

    Epoch ``e`` visits the examples in ``epoch_order(m, (seed, e))``, so a
    replay from any epoch sees the very batches of the first pass.
    """
    x, y = tf.constant(x), tf.constant(y)
    m = x.shape[0]

    def epoch(e):
        order = keras_compiled.epoch_order(m, tf.stack([seed, e]))
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size)

    return (
        tf.data.Dataset.counter(first_epoch)
        .flat_map(epoch)
        .map(lambda batch: (tf.gather(x, batch), tf.gather(y, batch)))
    )


def _rewind(run: Prepared, seed: int, snapshot, epoch: int) -> None:
    """Restore a snapshot and replay the epochs from it up to ``epoch``.

    Full-batch epochs and the fixed mini-batch orders replay exactly, so the
    weights end as they were at the start of ``epoch``.
    """
    first_epoch, values = snapshot
    for variable, value in zip(model_variables(run.model), values, strict=True):
        variable.assign(value)
    _fit(run, seed, first_epoch, epoch - first_epoch)

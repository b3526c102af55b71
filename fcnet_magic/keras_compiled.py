"""Many training steps per call of one compiled TensorFlow function.

``model.fit`` returns to Python after every epoch, and for the small networks
of the course that round trip costs more than the epoch itself. :func:`train`
runs the Keras network's steps inside one ``tf.function`` whose loop body does
the forward pass, the cost, the gradient and the plain SGD update
(``assign_sub``), and writes each step's cost to a ``tf.TensorArray``.
:func:`fcnet_magic.keras_net.train_compiled` is its public entry point, which
imports TensorFlow through :mod:`fcnet_magic.tensorflow_import`.

How a run proceeds:

* A zero-step call first traces and compiles the function; its time is
  ``warmup_seconds``, apart from ``seconds``. The traced function takes the
  variables and the data as arguments, so later runs of the same shapes,
  dtype and batch size reuse it, and it holds no reference to any model.
* Steps run in chunks: first :data:`FIRST_CHUNK`, then as many as last about
  :data:`CHUNK_SECONDS` at the measured speed, so that progress hooks still
  update a few times a second.
* After each chunk the hook is called once per step, in order. Its
  ``Step.parameters`` shows the weights as of the chunk's end, not of that
  step.
* A call ends after the first iteration whose cost is not finite, which is
  not kept. That, a hook's stop reason or a ``KeyboardInterrupt`` ends
  training: the weights of the chunk's start are restored and the kept
  iterations replayed, so the parameters returned are those after the last
  kept iteration (as with the NumPy engine; after a non-finite cost of a
  mini-batch epoch, the NumPy engine also keeps that epoch's finite
  batches).
* Mini-batch epoch ``e`` visits the examples in :func:`epoch_order` for
  ``(seed, e)``, as ``fit`` does in :func:`~fcnet_magic.keras_fit.train_fit`;
  but XLA, on by default, draws other random numbers for the same seed, so
  the two orders agree only with ``jit_compile=False``.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Mapping, Sequence

import numpy as np

from .hooks import COMPLETED, DIVERGED, INTERRUPTED, Hook, Step
from .numpy_net import Training
from .tensorflow_import import tf

CAPACITY = 1024
"""Most steps one call runs: the static size of its ``TensorArray`` of costs."""

FIRST_CHUNK = 4
"""Steps of the first call, which measures the speed of a step."""

CHUNK_SECONDS = 0.15
"""Aimed duration of every later call."""


def logits(x: tf.Tensor, variables: Sequence[tf.Variable]) -> tf.Tensor:
    """Forward pass to the output logit ``z``, of shape (m, 1).

    ``variables`` are ``[kernel1, bias1, ..., kernelL, biasL]``. The same
    operations as the Keras model's ``Dense`` layers: ``A @ kernel + bias``,
    then ReLU for every layer but the last, whose sigmoid the cost absorbs.
    """
    A = x
    for i in range(0, len(variables), 2):
        Z = tf.matmul(A, variables[i]) + variables[i + 1]
        A = tf.nn.relu(Z) if i + 2 < len(variables) else Z
    return A


def mean_cost(x: tf.Tensor, y: tf.Tensor, variables: Sequence[tf.Variable]):
    """Mean binary cross-entropy, from the logit as Keras computes it."""
    z = logits(x, variables)
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z))


compiled_mean_cost = tf.function(mean_cost, autograph=False)


def epoch_order(m: int, seed: tf.Tensor) -> tf.Tensor:
    """The order in which an epoch visits ``m`` examples, of shape (m,).

    ``seed`` is ``(seed, epoch)``: the order is fixed by both, and the same
    in a ``tf.data`` pipeline and in a graph, but not under XLA.
    """
    return tf.argsort(tf.random.stateless_uniform([m], seed, alg="philox"))


@functools.partial(tf.function, autograph=False)
def read_all(variables: Sequence[tf.Variable]) -> list[tf.Tensor]:
    """Current values of all variables, read in one call.

    A cheap snapshot: TensorFlow copies a variable's buffer only when it is
    written while a value read from it is still alive.
    """
    return [tf.identity(variable) for variable in variables]


def clear_cache() -> None:
    """Forget every traced and compiled loop, freeing their memory."""
    _steps_function.cache_clear()


def train(
    variables: Sequence[tf.Variable],
    x: np.ndarray,
    y: np.ndarray,
    learning_rate: float,
    iterations: int,
    *,
    parameters: Mapping[str, np.ndarray],
    batch_size: int | None = None,
    seed: int = 1,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    hook: Hook | None = None,
    jit_compile: bool = True,
) -> Training:
    """Train ``variables`` in chunks of compiled steps, calling ``hook`` per step.

    Parameters
    ----------
    variables : list of tf.Variable
        ``[kernel1, bias1, ...]`` of the model, updated in place.
    x : numpy.ndarray of shape (m, n_x)
    y : numpy.ndarray of shape (m, 1)
    learning_rate : float
    iterations : int
    parameters : mapping
        The variables seen in the NumPy layout, such as a
        :class:`~fcnet_magic.keras_net.KerasParameters`: handed to the hook,
        and copied into the result.
    batch_size : int, optional
        Full batch when omitted or not below ``m``.
    seed : int, default 1
        Seeds the mini-batch order.
    validation : (x_val, y_val), optional
        Of shapes (m_val, n_x) and (m_val, 1); costed after every update.
    hook : callable, optional
    jit_compile : bool, default True
        Compile the loop with XLA.

    Returns
    -------
    numpy_net.Training
    """
    loop = Loop(
        variables, x, y, learning_rate, batch_size, seed, validation, jit_compile
    )
    report = _Report(hook, parameters, validation is not None)

    start = time.perf_counter()
    try:
        loop.run(0, 0)
    except KeyboardInterrupt:
        report.stopped = INTERRUPTED
    warmup_seconds = time.perf_counter() - start

    start = time.perf_counter()
    _run_chunks(loop, report, iterations)
    seconds = time.perf_counter() - start
    return Training(
        parameters=dict(parameters),
        costs=report.costs,
        stopped=report.stopped,
        validation_costs=report.validation_costs,
        seconds=seconds,
        warmup_seconds=warmup_seconds,
    )


class Loop:
    """The compiled steps of one run, bound to its variables and data.

    Parameters are those of :func:`train`.
    """

    def __init__(
        self,
        variables: Sequence[tf.Variable],
        x: np.ndarray,
        y: np.ndarray,
        learning_rate: float,
        batch_size: int | None,
        seed: int,
        validation: tuple[np.ndarray, np.ndarray] | None,
        jit_compile: bool,
    ):
        m = x.shape[0]
        self.variables = list(variables)
        self._function = _steps_function(jit_compile)
        self._arguments = {
            "x": tf.constant(x),
            "y": tf.constant(y),
            "validation": (
                None
                if validation is None
                else tuple(tf.constant(part) for part in validation)
            ),
            "variables": self.variables,
            "learning_rate": tf.constant(learning_rate, dtype=x.dtype),
            "batch_size": None if batch_size is None or batch_size >= m else batch_size,
            "seed": tf.constant(seed, dtype=tf.int64),
        }

    def run(self, start: int, steps: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Run ``steps`` iterations from iteration ``start``; return their costs.

        Ends early after the first iteration whose cost is not finite, which
        is then the last cost returned, its update applied. The validation
        costs are ``None`` without validation data.
        """
        costs, validation_costs, done = self._function(
            **self._arguments,
            start=tf.constant(start, dtype=tf.int64),
            steps=tf.constant(steps, dtype=tf.int64),
        )
        done = int(done)
        if validation_costs is not None:
            validation_costs = validation_costs.numpy()[:done]
        return costs.numpy()[:done], validation_costs

    def snapshot(self) -> list[tf.Tensor]:
        """The variables' current values."""
        return read_all(self.variables)

    def restore(self, snapshot: Sequence[tf.Tensor]) -> None:
        """Set the variables back to a snapshot."""
        for variable, value in zip(self.variables, snapshot, strict=True):
            variable.assign(value)


def _run_chunks(loop: Loop, report: _Report, iterations: int) -> None:
    """Call the loop chunk after chunk until done, stopped or interrupted."""
    chunk = FIRST_CHUNK
    while report.stopped == COMPLETED and report.done < iterations:
        first = report.done
        snapshot = applied = None
        try:
            snapshot = loop.snapshot()
            tick = time.perf_counter()
            costs, validation_costs = loop.run(first, min(chunk, iterations - first))
            chunk = _next_chunk(chunk, len(costs), time.perf_counter() - tick)
            applied = len(costs)
            report.add(costs, validation_costs)
        except KeyboardInterrupt:
            report.stopped = INTERRUPTED

        # Stopped inside the chunk, or at a non-finite cost whose update left
        # weights that may not be finite either: go back to the chunk's start
        # and redo the kept steps.
        kept = report.done - first
        if applied != kept and snapshot is not None:
            loop.restore(snapshot)
            if kept:
                loop.run(first, kept)


def _next_chunk(chunk: int, steps: int, seconds: float) -> int:
    """Steps for the next call to last about ``CHUNK_SECONDS`` at this speed."""
    if steps == 0 or seconds <= 0:
        return chunk
    return max(1, min(CAPACITY, int(CHUNK_SECONDS * steps / seconds)))


class _Report:
    """Hands each finished step to the hook, in order, and keeps the costs."""

    def __init__(self, hook: Hook | None, parameters: Mapping, validating: bool):
        self.hook = hook
        self.parameters = parameters
        self.costs: list[float] = []
        self.validation_costs: list[float] | None = [] if validating else None
        self.stopped = COMPLETED

    @property
    def done(self) -> int:
        """Number of iterations kept so far."""
        return len(self.costs)

    def add(self, costs: np.ndarray, validation_costs: np.ndarray | None) -> None:
        """Keep a chunk's costs up to the first non-finite one or stop reason."""
        for k, cost in enumerate(costs.tolist()):
            if not math.isfinite(cost):
                self.stopped = DIVERGED
                return
            self.costs.append(cost)
            validation_cost = None
            if self.validation_costs is not None:
                validation_cost = float(validation_costs[k])
                self.validation_costs.append(validation_cost)
            if self.hook is not None:
                step = Step(self.done - 1, cost, self.parameters, validation_cost)
                reason = self.hook(step)
                if reason:
                    self.stopped = reason
                    return


@functools.cache
def _steps_function(jit_compile: bool):
    """The loop as a ``tf.function``, one per ``jit_compile`` for the process.

    The control flow is written with ``tf.while_loop`` and ``tf.cond`` rather
    than converted by AutoGraph, whose first use in a process costs a few
    tenths of a second of tracing.
    """
    return tf.function(_steps, jit_compile=jit_compile, autograph=False)


def _steps(x, y, validation, variables, learning_rate, batch_size, seed, start, steps):
    """Run up to ``steps`` iterations; return costs, validation costs and count.

    The arrays hold ``CAPACITY`` entries, of which the first ``count`` are
    written. ``batch_size`` is a Python int or ``None`` (full batch), fixed
    at tracing. The loop tests ``i < steps`` instead of iterating over
    ``tf.range(steps)``, whose length XLA would need to know when compiling.
    """

    def epoch(i):
        if batch_size is None:
            return _descend(x, y, variables, learning_rate)
        order_seed = tf.stack([seed, start + i])
        return _epoch(x, y, variables, learning_rate, batch_size, order_seed)

    def more(i, finite, costs, validation_costs):
        return tf.logical_and(finite, i < steps)

    def step(i, finite, costs, validation_costs):
        cost = epoch(i)
        index = tf.cast(i, tf.int32)
        costs = costs.write(index, cost)
        if validation is not None:
            validation_cost = mean_cost(*validation, variables)
            validation_costs = validation_costs.write(index, validation_cost)
        return i + 1, tf.math.is_finite(cost), costs, validation_costs

    start_values = (
        tf.constant(0, dtype=tf.int64),
        tf.constant(True),
        tf.TensorArray(x.dtype, size=CAPACITY),
        tf.TensorArray(x.dtype, size=CAPACITY),
    )
    count, _, costs, validation_costs = tf.while_loop(more, step, start_values)
    if validation is None:
        return costs.stack(), None, count
    return costs.stack(), validation_costs.stack(), count


def _descend(x, y, variables, learning_rate):
    """Cost, gradient and SGD update on one batch; returns the batch's cost."""
    with tf.GradientTape() as tape:
        cost = mean_cost(x, y, variables)
    gradients = tape.gradient(cost, variables)
    for variable, gradient in zip(variables, gradients, strict=True):
        variable.assign_sub(learning_rate * gradient)
    return cost


def _epoch(x, y, variables, learning_rate, batch_size, order_seed):
    """One pass over shuffled mini-batches; returns the mean cost per example."""
    m = x.shape[0]
    full_batches, rest = divmod(m, batch_size)
    order = epoch_order(m, order_seed)

    def descend(batch):
        x_batch, y_batch = tf.gather(x, batch), tf.gather(y, batch)
        return _descend(x_batch, y_batch, variables, learning_rate)

    def step(j, total):
        batch = tf.slice(order, [j * batch_size], [batch_size])
        return j + 1, total + descend(batch) * batch_size

    _, total = tf.while_loop(
        lambda j, total: j < full_batches,
        step,
        (tf.constant(0), tf.zeros((), x.dtype)),
        maximum_iterations=full_batches,
    )
    if rest:
        total += descend(order[full_batches * batch_size :]) * rest
    return total / m

r"""A fully-connected network written from scratch in NumPy.

``L - 1`` ReLU layers followed by one sigmoid unit, trained by gradient descent
on the log-loss. The functions follow the classic course decomposition
(initialise, forward, cost, backward, update) so that each step can be read,
called and tested on its own.

Symbols and shapes, for ``m`` examples and layer sizes ``n[0], ..., n[L]``:

==============  ========================  ======================================
symbol          shape                     meaning
==============  ========================  ======================================
``X``, ``A0``   ``(n[0], m)``             input features, one column per example
``Y``           ``(1, m)``                labels, 0 or 1
``W[l]``        ``(n[l], n[l-1])``        weights of layer ``l``
``b[l]``        ``(n[l], 1)``             biases of layer ``l``
``Z[l]``        ``(n[l], m)``             ``W[l] @ A[l-1] + b[l]``
``A[l]``        ``(n[l], m)``             ``relu(Z[l])``, or ``sigmoid(Z[L])``
``AL``          ``(1, m)``                output probabilities ``A[L]``
``dZ``, ``dA``  like ``Z``, ``A``         gradients of the *mean* cost ``J``
``dW``, ``db``  like ``W``, ``b``         gradients of ``J``
==============  ========================  ======================================

Because ``dZ`` is the gradient of the mean cost, the ``1 / m`` of the course's
formulas enters once, at the output layer, instead of once per layer.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .hooks import COMPLETED, DIVERGED, INTERRUPTED, Hook, Step

Parameters = dict[str, np.ndarray]
Cache = tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def initialize_parameters(
    layer_dims: Sequence[int], rng: np.random.Generator, dtype=np.float64
) -> Parameters:
    """Draw weights as ``0.1`` times a standard normal and set biases to zero.

    Parameters
    ----------
    layer_dims : sequence of int
        Sizes ``n[0], ..., n[L]``, input size first.
    rng : numpy.random.Generator
        Source of randomness; the same seed gives the same weights.
    dtype : numpy dtype, default float64

    Returns
    -------
    dict
        ``"W1", "b1", ..., "WL", "bL"``.
    """
    parameters = {}
    for l in range(1, len(layer_dims)):
        shape = (layer_dims[l], layer_dims[l - 1])
        parameters[f"W{l}"] = (0.1 * rng.standard_normal(shape)).astype(dtype)
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1), dtype=dtype)
    return parameters


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """Logistic function, ``1 / (1 + exp(-Z))``, with no warnings at the extremes.

    Below about ``Z = -709`` (-88 in float32) ``exp(-Z)`` overflows to ``inf``
    and ``1 / (1 + inf)`` is the right limit, 0; for large positive ``Z`` it
    underflows to 0, giving 1. Both are expected, so their warnings are silenced.
    """
    with np.errstate(over="ignore", under="ignore"):
        return 1 / (1 + np.exp(-Z))


def relu(Z: np.ndarray) -> np.ndarray:
    """Rectified linear unit, ``max(Z, 0)``."""
    return np.maximum(Z, 0)


ACTIVATIONS = {"relu": relu, "sigmoid": sigmoid}


def linear_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, tuple]:
    """Compute ``Z = W @ A_prev + b`` and keep the inputs for the backward pass."""
    Z = W @ A_prev
    Z += b
    return Z, (A_prev, W, b)


def linear_activation_forward(
    A_prev: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
) -> tuple[np.ndarray, Cache]:
    """One layer: linear step then ``activation`` (``"relu"`` or ``"sigmoid"``)."""
    Z, linear_cache = linear_forward(A_prev, W, b)
    A = ACTIVATIONS[activation](Z)
    return A, (linear_cache, Z)


def model_forward(
    X: np.ndarray, parameters: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, list[Cache]]:
    """Forward pass through ``L - 1`` ReLU layers and the sigmoid output.

    Returns
    -------
    AL : numpy.ndarray of shape (1, m)
    caches : list of the ``L`` layer caches, first layer first
    """
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L + 1):
        activation = "sigmoid" if l == L else "relu"
        A, cache = linear_activation_forward(
            A, parameters[f"W{l}"], parameters[f"b{l}"], activation
        )
        caches.append(cache)
    return A, caches


def compute_cost(AL: np.ndarray, Y: np.ndarray) -> float:
    r"""Mean log-loss, ``-mean(Y log AL + (1 - Y) log(1 - AL))``.

    Probabilities are clipped to ``[eps, 1 - eps]`` of their dtype, so a
    saturated output gives a large finite cost rather than ``inf`` or ``nan``.
    """
    eps = np.finfo(AL.dtype).eps
    AL = np.clip(AL, eps, 1 - eps)
    m = Y.shape[1]

    # Y log AL + (1 - Y) log(1 - AL) = log(1 - AL) + Y (log AL - log(1 - AL)),
    # which saves a subtraction and a product over the examples.
    log_not_AL = np.log1p(-AL)
    return -float(log_not_AL.sum() + np.vdot(Y, np.log(AL) - log_not_AL)) / m


def linear_backward(
    dZ: np.ndarray, cache: tuple, need_dA_prev: bool = True
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Gradients of the linear step from ``dZ`` of the mean cost.

    ``dA_prev`` is skipped (``None``) when ``need_dA_prev`` is false: the first
    layer's input is the data, whose gradient nobody uses.
    """
    A_prev, W, _ = cache
    dW = dZ @ A_prev.T
    db = dZ.sum(axis=1, keepdims=True)
    dA_prev = W.T @ dZ if need_dA_prev else None
    return dA_prev, dW, db


def linear_activation_backward(
    dA: np.ndarray,
    cache: Cache,
    activation: str,
    need_dA_prev: bool = True,
    *,
    overwrite_dA: bool = False,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Backward through ``activation`` then the linear step of one layer.

    With ``overwrite_dA`` a ReLU layer computes ``dZ`` in the memory of ``dA``,
    saving a large array per layer; pass it only for a ``dA`` nobody reads again.
    """
    linear_cache, Z = cache
    if activation == "relu":
        # Multiplying by the 0/1 mask is much faster than np.where(Z > 0, dA, 0).
        dZ = np.multiply(dA, Z > 0, out=dA if overwrite_dA else None)
    elif activation == "sigmoid":
        s = sigmoid(Z)
        dZ = dA * s * (1 - s)
    else:
        raise ValueError(
            f"unknown activation {activation!r}; expected one of {sorted(ACTIVATIONS)}"
        )
    return linear_backward(dZ, linear_cache, need_dA_prev)


def model_backward(AL: np.ndarray, Y: np.ndarray, caches: list[Cache]) -> Parameters:
    """Backward pass: gradients ``"dW1", "db1", ...`` of the mean log-loss."""
    L = len(caches)
    m = Y.shape[1]
    grads = {}

    # Sigmoid output and log-loss cancel: dJ/dZL = (AL - Y) / m, with no division
    # by AL or 1 - AL, so saturated outputs stay finite.
    dZ = (AL - Y) / m
    linear_cache, _ = caches[L - 1]
    dA, grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(dZ, linear_cache, L > 1)

    # Each dA below is a fresh array that only the next step reads.
    for l in range(L - 1, 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = linear_activation_backward(
            dA, caches[l - 1], "relu", need_dA_prev=l > 1, overwrite_dA=True
        )
    return grads


def update_parameters(
    parameters: Parameters, grads: Mapping[str, np.ndarray], learning_rate: float
) -> Parameters:
    """One gradient-descent step; returns new parameters, leaving the old ones.

    Keeping the old parameters lets training check the step before taking it.
    """
    return {
        name: value - learning_rate * grads[f"d{name}"]
        for name, value in parameters.items()
    }


def predict(X: np.ndarray, parameters: Mapping[str, np.ndarray]) -> np.ndarray:
    """Predicted labels (0 or 1) of shape (1, m), thresholding ``AL`` at 0.5."""
    # Parameters kept from a diverging run may overflow here; inf still
    # thresholds to a label, so the warning would only be noise.
    with np.errstate(over="ignore", invalid="ignore"):
        AL, _ = model_forward(X, parameters)
    return (AL > 0.5).astype(np.int8)


def accuracy(
    X: np.ndarray, Y: np.ndarray, parameters: Mapping[str, np.ndarray]
) -> float:
    """Fraction of examples whose predicted label equals ``Y``."""
    return float(np.mean(predict(X, parameters) == Y))


@dataclass
class Training:
    """What :func:`train` computed, also when it stopped early.

    Attributes
    ----------
    parameters : dict
        Parameters after the last finished iteration.
    costs : numpy.ndarray
        One finite cost per finished iteration.
    stopped : str
        ``"completed"``, a hook's stop reason, ``"diverged"`` or ``"interrupted"``.
    validation_costs : numpy.ndarray or None
        One validation cost per finished iteration, when validation data was given.
    seconds : float
        Wall time of the training loop, without ``warmup_seconds``.
    warmup_seconds : float
        One-off set-up timed apart from training, such as tracing a compiled
        Keras function; zero for NumPy.
    """

    parameters: Parameters
    costs: np.ndarray
    stopped: str
    validation_costs: np.ndarray | None
    seconds: float
    warmup_seconds: float = 0.0

    def __post_init__(self) -> None:
        # Engines collect costs in lists; results always hold float64 arrays.
        self.costs = np.asarray(self.costs, dtype=np.float64)
        if self.validation_costs is not None:
            self.validation_costs = np.asarray(self.validation_costs, dtype=np.float64)

    @property
    def diverged_at(self) -> int | None:
        """Index of the iteration whose cost or update was not finite, if diverged."""
        return len(self.costs) if self.stopped == DIVERGED else None


def train(
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
) -> Training:
    """Train the network by gradient descent on the log-loss.

    Parameters
    ----------
    X : numpy.ndarray of shape (n_x, m)
    Y : numpy.ndarray of shape (1, m)
    layer_dims : sequence of int
        ``n[0], ..., n[L]``; ``n[0]`` must equal ``n_x`` and ``n[L]`` must be 1.
    learning_rate : float
    iterations : int
        Passes over the training data (epochs when ``batch_size`` is set).
    seed : int, default 1
        Seeds the initial weights and the mini-batch shuffling.
    parameters : dict, optional
        Start from these parameters (copied) instead of drawing new ones.
    batch_size : int, optional
        Mini-batch size; full batch when omitted, as in the course.
    dtype : numpy dtype, default float64
    validation : (X_val, Y_val), optional
        Held-out data whose cost is reported to ``hook`` each iteration.
    hook : callable, optional
        Called with a :class:`~fcnet_magic.hooks.Step` after every iteration;
        returning a string stops training with that reason.

    Returns
    -------
    Training
        Never raises for a diverging run or a ``KeyboardInterrupt``: both stop
        training between iterations and keep everything computed so far.
    """
    rng = np.random.default_rng(seed)
    X, Y = np.asarray(X, dtype=dtype), np.asarray(Y, dtype=dtype)
    check_shapes(X, Y, layer_dims)
    if parameters is None:
        parameters = initialize_parameters(layer_dims, rng, dtype)
    else:
        parameters = {
            name: np.array(value, dtype=dtype) for name, value in parameters.items()
        }
    if validation is not None:
        validation = tuple(np.asarray(part, dtype=dtype) for part in validation)
    costs, validation_costs = [], []
    stopped = COMPLETED
    start = time.perf_counter()

    # Divergence is detected from the cost, so overflow on the way is expected.
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            for iteration in range(iterations):
                cost = _iterate(X, Y, parameters, learning_rate, batch_size, rng)
                if not math.isfinite(cost):
                    stopped = DIVERGED
                    break
                costs.append(cost)
                validation_cost = None
                if validation is not None:
                    AL_val, _ = model_forward(validation[0], parameters)
                    validation_cost = compute_cost(AL_val, validation[1])
                    validation_costs.append(validation_cost)
                if hook is not None:
                    step = Step(iteration, cost, parameters, validation_cost)
                    reason = hook(step)
                    if reason:
                        stopped = reason
                        break
        except KeyboardInterrupt:
            stopped = INTERRUPTED

    return Training(
        parameters=parameters,
        costs=costs,
        stopped=stopped,
        validation_costs=validation_costs if validation else None,
        seconds=time.perf_counter() - start,
    )


def _iterate(X, Y, parameters, learning_rate, batch_size, rng) -> float:
    """One iteration (one epoch with mini-batches); returns its mean cost.

    An epoch stops at the first batch whose cost or update is not finite and
    returns ``nan``; the batches before it keep their updates.
    """
    m = X.shape[1]
    if batch_size is None or batch_size >= m:
        return _descend(X, Y, parameters, learning_rate)
    order = rng.permutation(m)
    total = 0.0
    for start in range(0, m, batch_size):
        batch = order[start : start + batch_size]
        cost = _descend(X[:, batch], Y[:, batch], parameters, learning_rate)
        if not math.isfinite(cost):
            return cost
        total += cost * len(batch)
    return total / m


def _descend(X, Y, parameters, learning_rate) -> float:
    """Forward, cost, backward and update on one batch; returns the batch cost.

    Returns ``nan`` and leaves ``parameters`` as they were when the cost or any
    updated parameter is not finite, so a diverging run keeps finite parameters.
    """
    AL, caches = model_forward(X, parameters)
    cost = compute_cost(AL, Y)
    if not math.isfinite(cost):
        return math.nan
    grads = model_backward(AL, Y, caches)

    updated = update_parameters(parameters, grads, learning_rate)
    if not _all_finite(updated.values()):
        return math.nan
    parameters.update(updated)
    return cost


def _all_finite(arrays: Iterable[np.ndarray]) -> bool:
    """Whether every entry of every array is finite, checked in one pass."""
    return bool(np.isfinite(np.concatenate([a.ravel() for a in arrays])).all())


def check_shapes(X: np.ndarray, Y: np.ndarray, layer_dims: Sequence[int]) -> None:
    """Raise ``ValueError`` naming the mismatch between data and layer sizes."""
    if X.ndim != 2 or Y.shape != (1, X.shape[1]):
        raise ValueError(
            f"X must be of shape (n_x, m) and Y of shape (1, m); got X {X.shape} "
            f"and Y {Y.shape}. Transpose data stored one example per row."
        )
    if len(layer_dims) < 2 or layer_dims[0] != X.shape[0] or layer_dims[-1] != 1:
        raise ValueError(
            f"layer_dims {list(layer_dims)} do not fit the data: the first size must "
            f"be the number of features ({X.shape[0]}) and the last must be 1."
        )


def gradient_check(
    X: np.ndarray,
    Y: np.ndarray,
    parameters: Mapping[str, np.ndarray],
    epsilon: float = 1e-7,
    backward: Callable[..., Parameters] = model_backward,
) -> float:
    r"""Relative difference between backprop and central finite differences.

    ``|g - g_approx| / (|g| + |g_approx|)`` over all parameters, where each
    ``g_approx[i] = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)``. Values
    below about 1e-7 mean the backward pass is right. Run it in float64 on a
    small network: it costs two forward passes per parameter.
    """
    params = {
        name: np.array(value, dtype=np.float64) for name, value in parameters.items()
    }
    AL, caches = model_forward(X, params)
    grads = backward(AL, Y, caches)
    exact, approx = [], []
    for name, value in params.items():
        exact.append(np.ravel(grads[f"d{name}"]))
        estimate = np.empty(value.size)
        for i in range(value.size):
            saved = value.flat[i]
            value.flat[i] = saved + epsilon
            cost_plus = compute_cost(model_forward(X, params)[0], Y)
            value.flat[i] = saved - epsilon
            cost_minus = compute_cost(model_forward(X, params)[0], Y)
            value.flat[i] = saved
            estimate[i] = (cost_plus - cost_minus) / (2 * epsilon)
        approx.append(estimate)
    exact, approx = np.concatenate(exact), np.concatenate(approx)
    denominator = np.linalg.norm(exact) + np.linalg.norm(approx)
    return float(np.linalg.norm(exact - approx) / denominator) if denominator else 0.0

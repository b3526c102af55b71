r"""The network of :mod:`fcnet_magic.numpy_net`, built and trained in Keras 3.

Importing this module imports TensorFlow; the rest of the package imports it
inside the functions that need it, so ``%load_ext fcnet_magic`` stays fast.
The model is the same network, ``keras.Input((n[0],))``, ``L - 1`` ReLU
``Dense`` layers and one sigmoid ``Dense(1)``, trained by plain SGD on the
binary cross-entropy. Keras keeps one example per row, so each array is the
transpose of its course counterpart:

=========================  ===========================  =====================
course (NumPy)             Keras                        relation
=========================  ===========================  =====================
``X`` of shape (n[0], m)   ``x`` of shape (m, n[0])     ``x = X.T``
``Y`` of shape (1, m)      ``y`` of shape (m, 1)        ``y = Y.T``
``W[l]`` (n[l], n[l-1])    ``kernel`` (n[l-1], n[l])    ``kernel = W[l].T``
``b[l]`` (n[l], 1)         ``bias`` (n[l],)             ``bias = b[l][:, 0]``
=========================  ===========================  =====================

:func:`fcnet_magic.keras_fit.train_fit` trains through ``model.fit``, one
epoch per iteration, and :func:`train_compiled` many steps per call of one
compiled TensorFlow function (:mod:`fcnet_magic.keras_compiled`). Both take
the arguments of :func:`fcnet_magic.numpy_net.train`, return its
``Training``, and by default start from the NumPy engine's initial weights.

Where the engines differ, and by how much:

* Keras computes the cross-entropy of a sigmoid output from its logit ``z``,
  ``max(z, 0) - z y + log(1 + exp(-|z|))``, without clipping (its ``1e-7``
  clipping applies only to probabilities that no sigmoid produced, or that
  a cast separates from it), while
  :func:`~fcnet_magic.numpy_net.compute_cost` clips probabilities to
  ``[eps, 1 - eps]`` of their dtype. The costs agree until an output
  saturates (``|z|`` above about 36 in float64, 16 in float32), whose NumPy
  cost then stops growing; the gradients agree throughout.
* ``fit`` reports its cost through Keras's loss tracker, which is float32
  (Keras's default float type) even for a float64 model, and Keras's SGD
  keeps the learning rate in a float32 variable (0.1 becomes 0.100000001).
  In float64 its costs therefore differ from NumPy's by about ``1e-7``
  relatively, and a cost beyond float32's range (3.4e38) reads as infinite
  and ends the run as diverged. The compiled loop has neither rounding and
  agrees with NumPy to about ``1e-15``.
* Mini-batches: both Keras paths visit epoch ``e`` in the order of
  :func:`~fcnet_magic.keras_compiled.epoch_order` for ``(seed, e)``, but
  under XLA (the compiled loop's default) that seed draws other random
  numbers, so only ``fit`` and the compiled loop with ``jit_compile=False``
  agree. The NumPy engine shuffles with NumPy, in yet another order.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from . import keras_compiled, numpy_net
from .hooks import Hook
from .tensorflow_import import keras, tf

FLOAT_DTYPES = ("float32", "float64")

MODELS_KEPT = 8
"""Architectures whose model :func:`shared_model` keeps for reuse."""


def build_model(
    layer_dims: Sequence[int],
    learning_rate: float,
    parameters: Mapping[str, np.ndarray] | None = None,
    dtype="float64",
    seed: int | None = None,
) -> keras.Model:
    """Build and compile the network in Keras: ReLU layers, one sigmoid unit.

    Parameters
    ----------
    layer_dims : sequence of int
        ``n[0], ..., n[L]``: input size first, and ``n[L]`` must be 1.
    learning_rate : float
        Step of the plain SGD optimizer (no momentum).
    parameters : dict, optional
        ``"W1", "b1", ...`` in the NumPy layout; the model starts from exactly
        these weights.
    dtype : {"float64", "float32"}
        Dtype of every layer (set per layer, not through Keras's global floatx).
    seed : int, optional
        Seeds Keras's own initialisers when ``parameters`` is not given:
        weights drawn by ``RandomNormal(stddev=0.1)`` (the course's scale),
        biases zero.

    Returns
    -------
    keras.Model
        Compiled with ``SGD(learning_rate)`` and the binary cross-entropy,
        computed in ``dtype``.
    """
    layer_dims = _check_layer_dims(layer_dims)
    dtype = _check_dtype(dtype)
    initializer = _kernel_initializer(seed)
    L = len(layer_dims) - 1

    inputs = keras.Input((layer_dims[0],), dtype=dtype, name="x")
    A = inputs
    for i in range(1, L + 1):
        dense = keras.layers.Dense(
            layer_dims[i],
            activation="sigmoid" if i == L else "relu",
            kernel_initializer=initializer,
            bias_initializer="zeros",
            dtype=dtype,
            name=f"layer{i}",
        )
        A = dense(A)
    model = keras.Model(inputs, A, name="fcnet")

    # The loss computes in the model's dtype: with the name "binary_crossentropy"
    # it would cast a float64 output to float32 (Keras's default float type),
    # and clip it to [1e-7, 1 - 1e-7], which zeroes the gradient of every
    # example beyond the clip.
    model.compile(
        optimizer=keras.optimizers.SGD(_check_learning_rate(learning_rate)),
        loss=keras.losses.BinaryCrossentropy(dtype=dtype),
    )
    if parameters is not None:
        set_parameters(model, parameters)
    return model


def dense_layers(model: keras.Model) -> list[keras.layers.Dense]:
    """The model's ``Dense`` layers, first layer first."""
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def model_variables(model: keras.Model) -> list[tf.Variable]:
    """TensorFlow variables ``[kernel1, bias1, ..., kernelL, biasL]`` of the model.

    Compiled functions take these as arguments, so one trace serves every model
    of the same shapes.
    """
    return [
        variable.value
        for layer in dense_layers(model)
        for variable in (layer.kernel, layer.bias)
    ]


class KerasParameters(Mapping):
    """The weights of a Keras model seen as the NumPy ``"W1", "b1", ...`` dict.

    A live, read-only view: each access converts the model's current weights
    (``W[l]`` of shape (n[l], n[l-1]), ``b[l]`` of shape (n[l], 1)), so a hook
    that never reads them costs nothing. Take ``dict(view)`` to keep a copy.
    """

    def __init__(self, model: keras.Model):
        self._layers = dense_layers(model)

    def __getitem__(self, name: str) -> np.ndarray:
        layer = self._layer(name)
        if name[0] == "W":
            return np.ascontiguousarray(layer.kernel.numpy().T)
        return layer.bias.numpy().reshape(-1, 1)

    def __iter__(self) -> Iterator[str]:
        for i in range(1, len(self._layers) + 1):
            yield f"W{i}"
            yield f"b{i}"

    def __len__(self) -> int:
        return 2 * len(self._layers)

    def __repr__(self) -> str:
        shapes = ", ".join(
            f"{name}: {tuple(reversed(self._layer(name).kernel.shape))}"
            if name[0] == "W"
            else f"{name}: ({self._layer(name).bias.shape[0]}, 1)"
            for name in self
        )
        return f"KerasParameters({shapes})"

    def _layer(self, name: str) -> keras.layers.Dense:
        """The layer holding parameter ``name``; ``KeyError`` for other names."""
        if not isinstance(name, str) or name[:1] not in ("W", "b"):
            raise KeyError(name)
        index = name[1:]
        if not index.isdigit() or not 1 <= int(index) <= len(self._layers):
            raise KeyError(name)
        return self._layers[int(index) - 1]


def get_parameters(model: keras.Model) -> numpy_net.Parameters:
    """Copy the model's weights into a NumPy dict ``"W1", "b1", ...``."""
    return dict(KerasParameters(model))


def set_parameters(model: keras.Model, parameters: Mapping[str, np.ndarray]) -> None:
    """Load NumPy parameters (``W[l]`` of shape (n[l], n[l-1])) into the model.

    Raises
    ------
    ValueError
        Naming the parameter that is missing, extra or of the wrong shape.
    """
    layers = dense_layers(model)
    expected = {f"{kind}{i}" for i in range(1, len(layers) + 1) for kind in "Wb"}
    if set(parameters) != expected:
        raise ValueError(
            f"parameters have keys {sorted(parameters)}; this model of "
            f"{len(layers)} layers needs exactly {sorted(expected)}."
        )
    for i, layer in enumerate(layers, start=1):
        W, b = np.asarray(parameters[f"W{i}"]), np.asarray(parameters[f"b{i}"])
        n, n_prev = layer.kernel.shape[1], layer.kernel.shape[0]
        for name, value, shape in ((f"W{i}", W, (n, n_prev)), (f"b{i}", b, (n, 1))):
            if value.shape != shape:
                raise ValueError(
                    f"parameters[{name!r}] has shape {value.shape}; this model "
                    f"needs {shape}. Build the model with the same layer_dims."
                )
        layer.kernel.assign(W.T.astype(layer.kernel.dtype))
        layer.bias.assign(b.ravel().astype(layer.bias.dtype))


@dataclass
class Prepared:
    """A model at its initial weights and its data in Keras's layout.

    Attributes
    ----------
    model : keras.Model
    x : numpy.ndarray of shape (m, n_x)
    y : numpy.ndarray of shape (m, 1)
    validation : (x_val, y_val) or None
        Validation data in the same layout.
    batch_size : int or None
        ``None`` for full batches.
    dtype : str
    """

    model: keras.Model
    x: np.ndarray
    y: np.ndarray
    validation: tuple[np.ndarray, np.ndarray] | None
    batch_size: int | None
    dtype: str


def prepare(
    X: np.ndarray,
    Y: np.ndarray,
    layer_dims: Sequence[int],
    learning_rate: float,
    *,
    seed: int = 1,
    parameters: Mapping[str, np.ndarray] | None = None,
    batch_size: int | None = None,
    dtype=np.float64,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    keras_init: bool = False,
) -> Prepared:
    """Check the data, transpose it, and set a model to its initial weights.

    The model is shared by every run of the same layer sizes and dtype (see
    :func:`shared_model`). The initial weights are ``parameters`` when given;
    else, with ``keras_init``, those ``build_model(..., seed=seed)`` draws;
    else ``numpy_net.initialize_parameters(layer_dims, default_rng(seed))``,
    the very weights the NumPy engine starts from.
    """
    layer_dims = _check_layer_dims(layer_dims)
    dtype = _check_dtype(dtype)
    X, Y = np.asarray(X, dtype=dtype), np.asarray(Y, dtype=dtype)
    numpy_net.check_shapes(X, Y, layer_dims)
    if validation is not None:
        X_val, Y_val = (np.asarray(part, dtype=dtype) for part in validation)
        numpy_net.check_shapes(X_val, Y_val, layer_dims)
        validation = (_rows(X_val), _rows(Y_val))
    if batch_size is not None and _check_batch_size(batch_size) >= X.shape[1]:
        batch_size = None

    if parameters is None and keras_init:
        parameters = keras_initial_parameters(layer_dims, dtype, seed)
    elif parameters is None:
        rng = np.random.default_rng(seed)
        parameters = numpy_net.initialize_parameters(layer_dims, rng, dtype)
    model = shared_model(tuple(layer_dims), dtype)
    model.optimizer.learning_rate = _check_learning_rate(learning_rate)
    set_parameters(model, parameters)
    return Prepared(model, _rows(X), _rows(Y), validation, batch_size, dtype)


@functools.lru_cache(maxsize=MODELS_KEPT)
def shared_model(layer_dims: tuple[int, ...], dtype: str) -> keras.Model:
    """The model that training runs of these layer sizes and dtype reuse.

    Every ``fit`` of a new model traces Keras's train step again, and keeps
    about a megabyte that no model deletion or ``clear_session`` returns, so
    runs reuse one model per architecture (the last :data:`MODELS_KEPT`),
    setting its weights and learning rate anew. Runs of one architecture
    must therefore not overlap in time, as in threads.
    """
    return build_model(layer_dims, 0.1, dtype=dtype)


def keras_initial_parameters(
    layer_dims: Sequence[int], dtype="float64", seed: int | None = None
) -> numpy_net.Parameters:
    """The weights ``build_model(layer_dims, ..., dtype, seed)`` starts from.

    Kernels drawn in layer order from one ``SeedGenerator(seed)``, as the
    layers' initialisers draw them, and zero biases; in the NumPy layout.
    """
    initializer = _kernel_initializer(seed)
    parameters = {}
    for i in range(1, len(layer_dims)):
        kernel = initializer((layer_dims[i - 1], layer_dims[i]), dtype=dtype)
        parameters[f"W{i}"] = np.ascontiguousarray(keras.ops.convert_to_numpy(kernel).T)
        parameters[f"b{i}"] = np.zeros((layer_dims[i], 1), dtype=dtype)
    return parameters


def clear_cache() -> None:
    """Forget the shared models and the traced compiled loops."""
    shared_model.cache_clear()
    keras_compiled.clear_cache()


_TRAINING = threading.Lock()


def one_at_a_time(train):
    """Serialise Keras trainings: runs of one architecture share one model.

    A widget UI trains in a background thread while the kernel stays free to
    run another cell, which could otherwise train the same model at once.
    """

    @functools.wraps(train)
    def serialised(*args, **kwargs):
        with _TRAINING:
            return train(*args, **kwargs)

    return serialised


@one_at_a_time
def train_compiled(
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
    jit_compile: bool = True,
) -> numpy_net.Training:
    """Train the Keras network many steps per call of one compiled function.

    Takes the arguments of :func:`~fcnet_magic.keras_fit.train_fit` and returns the same
    ``Training``; :mod:`fcnet_magic.keras_compiled` tells how the steps are
    chunked, reported and stopped. The hook's ``Step.parameters`` shows the
    weights as of the end of the chunk that ran the step.

    Parameters
    ----------
    jit_compile : bool, default True
        Compile the loop with XLA. On the seed configuration (layers
        100-20-5-1, 1,600 examples, 250 iterations) XLA trains in about 0.2 s
        instead of 0.3 s, but compiles in about 1 s instead of tracing in
        0.2 s: it pays from the second run of a shape on, since later runs of
        the same shapes reuse the compiled loop.

    Returns
    -------
    numpy_net.Training
        ``warmup_seconds`` holds the tracing (and XLA compiling) time, which
        ``seconds`` leaves out. Whatever stops training, the parameters are
        those after the last kept iteration, as with the NumPy engine.
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
    return keras_compiled.train(
        model_variables(run.model),
        run.x,
        run.y,
        float(learning_rate),
        iterations,
        parameters=KerasParameters(run.model),
        batch_size=run.batch_size,
        seed=seed,
        validation=run.validation,
        hook=hook,
        jit_compile=jit_compile,
    )


def _kernel_initializer(seed: int | None):
    """``RandomNormal(stddev=0.1)``, the course's scale, drawing from one seed.

    One generator serves every layer, so that layers get different weights
    however the seed is shared.
    """
    seeds = None if seed is None else keras.random.SeedGenerator(seed)
    return keras.initializers.RandomNormal(stddev=0.1, seed=seeds)


def _rows(A: np.ndarray) -> np.ndarray:
    """One example per row: the C-ordered transpose of course-layout data."""
    return np.ascontiguousarray(A.T)


def _check_layer_dims(layer_dims: Sequence[int]) -> list[int]:
    """Layer sizes as ints; ``ValueError`` echoing them when they are not valid."""
    sizes = list(layer_dims)
    valid = len(sizes) >= 2 and all(
        isinstance(size, (int, np.integer)) and size >= 1 for size in sizes
    )
    if not valid or sizes[-1] != 1:
        raise ValueError(
            f"layer_dims {sizes} are not valid: give at least two positive "
            "integer sizes, input size first and 1 last, such as [100, 20, 5, 1]."
        )
    return [int(size) for size in sizes]


def _check_dtype(dtype) -> str:
    """Dtype name, ``"float32"`` or ``"float64"``; ``ValueError`` otherwise."""
    name = np.dtype(dtype).name
    if name not in FLOAT_DTYPES:
        raise ValueError(
            f"dtype {dtype!r} is not supported; use one of {FLOAT_DTYPES}."
        )
    return name


def _check_learning_rate(learning_rate: float) -> float:
    """Learning rate as a float; ``ValueError`` unless Keras's SGD can hold it.

    SGD keeps it in a float32 variable, which would turn a learning rate
    beyond float32's range into infinity.
    """
    value = float(learning_rate)
    if not 0 < value <= float(np.finfo(np.float32).max):
        raise ValueError(
            f"learning_rate must be a positive number no larger than 3.4e38 "
            f"(Keras keeps it in float32), such as 0.1; got {learning_rate!r}."
        )
    return value


def _check_batch_size(batch_size: int) -> int:
    """Batch size as an int; ``ValueError`` unless a positive integer."""
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(
            f"batch_size must be a positive integer, such as 64, or None for "
            f"full batches; got {batch_size!r}."
        )
    return int(batch_size)

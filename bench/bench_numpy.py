"""How fast the NumPy engine trains, against the work it cannot avoid.

Times one training run of the seed configuration (1,600 examples, 100 features,
layers 100-20-5-1, learning rate 0.1, 250 full-batch iterations) for:

- the engine, ``fcnet_magic.numpy_net.train``, in float64 and float32;
- the plain course-style code written below, the textbook formulas as a
  student writes them;
- scikit-learn's ``MLPClassifier`` set to the same full-batch gradient descent;
- the floor: only the matrix products of the same forward and backward passes,
  into preallocated arrays.

Every contender runs with one BLAS thread. Run from the repository root::

    .venv/bin/python bench/bench_numpy.py
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from common import Target, interleaved_medians, report, single_threaded_blas
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from fcnet_magic import numpy_net

LAYER_DIMS = (100, 20, 5, 1)
LEARNING_RATE = 0.1
ITERATIONS = 250
EXAMPLES = 1600
SEED = 1


def load_data() -> tuple[np.ndarray, np.ndarray, str]:
    """Training part of the default dataset as ``(X, Y, description)``.

    ``X`` is of shape (n_x, m) and ``Y`` of shape (1, m), both float64. Falls
    back to seeded random data of the seed configuration's shape when the
    package's dataset module is missing or fails, and says why.
    """
    try:
        from fcnet_magic import data

        split = data.split(data.load("default"))
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"
        return (*random_data(), f"seeded random data, as the default failed: {reason}")
    X = np.ascontiguousarray(split.X_train, dtype=np.float64)
    Y = np.asarray(split.Y_train, dtype=np.float64)
    return X, Y, "fcnet_magic.data default split"


def random_data() -> tuple[np.ndarray, np.ndarray]:
    """Seeded features and labels that a linear rule of the features decides."""
    rng = np.random.default_rng(SEED)
    X = rng.standard_normal((LAYER_DIMS[0], EXAMPLES))
    rule = rng.standard_normal(LAYER_DIMS[0])
    Y = (rule @ X > 0).astype(np.float64).reshape(1, -1)
    return X, Y


# The course-style code: every formula as the textbook writes it.


def course_initialize(layer_dims, seed):
    rng = np.random.default_rng(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        shape = (layer_dims[l], layer_dims[l - 1])
        parameters["W" + str(l)] = 0.1 * rng.standard_normal(shape)
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def course_forward(X, parameters):
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L + 1):
        A_prev = A
        W, b = parameters["W" + str(l)], parameters["b" + str(l)]
        Z = np.dot(W, A_prev) + b
        A = 1 / (1 + np.exp(-Z)) if l == L else np.maximum(0, Z)
        caches.append({"A_prev": A_prev, "W": W, "b": b, "Z": Z})
    return A, caches


def course_cost(AL, Y):
    m = Y.shape[1]
    return float(-1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)))


def course_linear_backward(dZ, cache):
    m = cache["A_prev"].shape[1]
    dW = 1 / m * np.dot(dZ, cache["A_prev"].T)
    db = 1 / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(cache["W"].T, dZ)
    return dA_prev, dW, db


def course_relu_backward(dA, Z):
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def course_sigmoid_backward(dA, Z):
    s = 1 / (1 + np.exp(-Z))
    return dA * s * (1 - s)


def course_backward(AL, Y, caches):
    L = len(caches)
    grads = {}
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    dZ = course_sigmoid_backward(dAL, caches[L - 1]["Z"])
    dA, grads["dW" + str(L)], grads["db" + str(L)] = course_linear_backward(
        dZ, caches[L - 1]
    )
    for l in range(L - 1, 0, -1):
        dZ = course_relu_backward(dA, caches[l - 1]["Z"])
        dA, grads["dW" + str(l)], grads["db" + str(l)] = course_linear_backward(
            dZ, caches[l - 1]
        )
    return grads


def course_update(parameters, grads, learning_rate):
    for l in range(1, len(parameters) // 2 + 1):
        for name in ("W" + str(l), "b" + str(l)):
            parameters[name] = parameters[name] - learning_rate * grads["d" + name]
    return parameters


def course_train(X, Y, layer_dims, learning_rate, iterations, seed):
    parameters = course_initialize(layer_dims, seed)
    costs = []
    for _ in range(iterations):
        AL, caches = course_forward(X, parameters)
        costs.append(course_cost(AL, Y))
        grads = course_backward(AL, Y, caches)
        parameters = course_update(parameters, grads, learning_rate)
    return costs


# The floor: the same matrix products, and nothing else.


def floor_products(X, layer_dims, iterations):
    """Only the matrix products of ``iterations`` forward and backward passes.

    Forward ``W @ A_prev`` for every layer; backward ``dZ @ A_prev.T`` for
    every layer and ``W.T @ dZ`` for layers 2 to L. All outputs are
    preallocated, so no time goes to allocation or elementwise work.
    """
    rng = np.random.default_rng(SEED)
    m = X.shape[1]
    L = len(layer_dims) - 1
    W = [None] + [
        rng.standard_normal((layer_dims[l], layer_dims[l - 1])) for l in range(1, L + 1)
    ]
    A = [X] + [rng.standard_normal((layer_dims[l], m)) for l in range(1, L + 1)]
    dZ = [None] + [rng.standard_normal((layer_dims[l], m)) for l in range(1, L + 1)]
    dW = [None] + [np.empty_like(W[l]) for l in range(1, L + 1)]
    dA = [np.empty_like(A[l]) for l in range(L + 1)]

    def run():
        for _ in range(iterations):
            for l in range(1, L + 1):
                np.matmul(W[l], A[l - 1], out=A[l])
            for l in range(L, 0, -1):
                np.matmul(dZ[l], A[l - 1].T, out=dW[l])
                if l > 1:
                    np.matmul(W[l].T, dZ[l], out=dA[l - 1])

    return run


def sklearn_twin(iterations):
    """``MLPClassifier`` doing full-batch, momentum-free gradient descent."""
    return MLPClassifier(
        hidden_layer_sizes=LAYER_DIMS[1:-1],
        activation="relu",
        solver="sgd",
        alpha=0.0,
        batch_size=EXAMPLES,
        learning_rate="constant",
        learning_rate_init=LEARNING_RATE,
        momentum=0.0,
        nesterovs_momentum=False,
        max_iter=iterations,
        shuffle=False,
        tol=0.0,
        n_iter_no_change=iterations + 1,
        early_stopping=False,
        random_state=SEED,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds")
    args = parser.parse_args()

    X, Y, source = load_data()
    if X.shape != (LAYER_DIMS[0], EXAMPLES):
        raise SystemExit(
            f"expected {EXAMPLES} training examples of {LAYER_DIMS[0]} features, "
            f"got X of shape {X.shape} from {source}"
        )
    X32, Y32 = X.astype(np.float32), Y.astype(np.float32)
    X_rows, y_rows = np.ascontiguousarray(X.T), Y.ravel().astype(int)
    args_common = (LAYER_DIMS, LEARNING_RATE, ITERATIONS)

    contenders = {
        "floor": floor_products(X, LAYER_DIMS, ITERATIONS),
        "numpy engine": lambda: numpy_net.train(X, Y, *args_common, seed=SEED),
        "numpy engine float32": lambda: numpy_net.train(
            X32, Y32, *args_common, seed=SEED, dtype=np.float32
        ),
        "course-style": lambda: course_train(X, Y, *args_common, seed=SEED),
        "sklearn MLPClassifier": lambda: sklearn_twin(ITERATIONS).fit(X_rows, y_rows),
    }
    with single_threaded_blas(), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        seconds = interleaved_medians(contenders, repeat=args.repeat)
        engine_final = numpy_net.train(X, Y, *args_common, seed=SEED).costs[-1]
        course_final = course_train(X, Y, *args_common, seed=SEED)[-1]

    title = (
        f"{ITERATIONS} iterations of layers {'-'.join(map(str, LAYER_DIMS))} on "
        f"{EXAMPLES} examples ({source}); median of {args.repeat}, 1 BLAS thread"
    )
    report(
        title,
        seconds,
        baseline="floor",
        targets=[
            Target("numpy engine", "floor", at_most=1.4),
            Target("course-style", "numpy engine", at_least=1.5),
            Target("sklearn MLPClassifier", "numpy engine", at_least=1.5),
            Target("numpy engine float32", "floor", at_most=1.0),
        ],
    )
    gap = abs(engine_final - course_final) / abs(course_final)
    verdict = "same" if gap <= 1e-9 else "NOT the same"
    print(
        f"  final cost: numpy engine {engine_final:.12f}, course-style "
        f"{course_final:.12f} (relative difference {gap:.1e}: {verdict} "
        "within 1e-9)"
    )


if __name__ == "__main__":
    main()

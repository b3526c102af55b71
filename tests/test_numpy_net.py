"""Tests of the NumPy network against independent references.

The references are a plain course-style implementation written below (the
textbook formulas, one per line, with no shortcut), Python's ``math`` for the
sigmoid, central finite differences for the gradients, and hand-made examples.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from fcnet_magic import numpy_net
from fcnet_magic.hooks import COMPLETED, DIVERGED, EARLY_STOPPING, INTERRUPTED, Step

SEED_LAYER_DIMS = [100, 20, 5, 1]


# A plain course-style reference: the textbook formulas, nothing clever.


def reference_initialize(layer_dims, seed):
    rng = np.random.default_rng(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        shape = (layer_dims[l], layer_dims[l - 1])
        parameters[f"W{l}"] = 0.1 * rng.standard_normal(shape)
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


def reference_sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def reference_forward(X, parameters):
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        Z = np.dot(W, A) + b
        caches.append((A, W, Z))
        A = reference_sigmoid(Z) if l == L else np.maximum(0, Z)
    return A, caches


def reference_cost(AL, Y):
    m = Y.shape[1]
    return -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m


def reference_backward(AL, Y, caches):
    L = len(caches)
    m = Y.shape[1]
    grads = {}
    dA = -(Y / AL - (1 - Y) / (1 - AL))
    for l in range(L, 0, -1):
        A_prev, W, Z = caches[l - 1]
        if l == L:
            s = reference_sigmoid(Z)
            dZ = dA * s * (1 - s)
        else:
            dZ = np.array(dA, copy=True)
            dZ[Z <= 0] = 0
        grads[f"dW{l}"] = np.dot(dZ, A_prev.T) / m
        grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
        dA = np.dot(W.T, dZ)
    return grads


def reference_train(X, Y, layer_dims, learning_rate, iterations, seed):
    """Costs, final parameters and the extreme outputs of a plain training run."""
    parameters = reference_initialize(layer_dims, seed)
    costs, lowest, highest = [], 1.0, 0.0
    for _ in range(iterations):
        AL, caches = reference_forward(X, parameters)
        lowest, highest = min(lowest, AL.min()), max(highest, AL.max())
        costs.append(reference_cost(AL, Y))
        grads = reference_backward(AL, Y, caches)
        for name in parameters:
            parameters[name] = parameters[name] - learning_rate * grads[f"d{name}"]
    return np.array(costs), parameters, (lowest, highest)


# Data and helpers.


def rule_data(n_x=100, m=400, seed=0):
    """Standard normal features and labels given by a random linear rule."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    rule = rng.standard_normal(n_x)
    Y = (rule @ X > 0).astype(np.float64).reshape(1, m)
    return X, Y


@pytest.fixture(scope="module")
def data():
    return rule_data()


def all_finite(parameters):
    return all(np.isfinite(value).all() for value in parameters.values())


def snapshot(parameters):
    return {name: value.copy() for name, value in parameters.items()}


# Shapes and initialisation.


def small_network(layer_dims, m=7):
    """Random data of ``m`` examples and freshly initialised parameters."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((layer_dims[0], m))
    Y = (rng.uniform(size=(1, m)) > 0.5).astype(np.float64)
    return X, Y, numpy_net.initialize_parameters(layer_dims, rng)


SHAPE_CASES = [[3, 1], [4, 3, 1], [6, 5, 4, 1]]


@pytest.mark.parametrize("layer_dims", SHAPE_CASES)
def test_parameters_have_the_documented_names_and_shapes(layer_dims):
    _, _, parameters = small_network(layer_dims)
    L = len(layer_dims) - 1

    assert list(parameters) == [f"{p}{l}" for l in range(1, L + 1) for p in "Wb"]
    for l in range(1, L + 1):
        assert parameters[f"W{l}"].shape == (layer_dims[l], layer_dims[l - 1])
        assert parameters[f"b{l}"].shape == (layer_dims[l], 1)


@pytest.mark.parametrize("layer_dims", SHAPE_CASES)
def test_forward_outputs_have_the_documented_shapes(layer_dims):
    X, Y, parameters = small_network(layer_dims)
    W1, b1 = parameters["W1"], parameters["b1"]

    Z, linear_cache = numpy_net.linear_forward(X, W1, b1)
    A, (_, activation_Z) = numpy_net.linear_activation_forward(X, W1, b1, "relu")
    AL, caches = numpy_net.model_forward(X, parameters)

    assert Z.shape == A.shape == activation_Z.shape == (layer_dims[1], X.shape[1])
    assert linear_cache[0] is X and linear_cache[1] is W1 and linear_cache[2] is b1
    assert numpy_net.relu(Z).shape == numpy_net.sigmoid(Z).shape == Z.shape
    assert AL.shape == (1, X.shape[1])
    assert len(caches) == len(layer_dims) - 1
    for l, ((A_prev, W, b), Z) in enumerate(caches, start=1):
        assert A_prev.shape == (layer_dims[l - 1], X.shape[1])
        assert W is parameters[f"W{l}"] and b is parameters[f"b{l}"]
        assert Z.shape == (layer_dims[l], X.shape[1])
    assert isinstance(numpy_net.compute_cost(AL, Y), float)


@pytest.mark.parametrize("layer_dims", SHAPE_CASES)
def test_backward_outputs_have_the_documented_shapes(layer_dims):
    X, Y, parameters = small_network(layer_dims)
    AL, caches = numpy_net.model_forward(X, parameters)
    dZ = np.ones((layer_dims[1], X.shape[1]))

    grads = numpy_net.model_backward(AL, Y, caches)
    dA_prev, dW, db = numpy_net.linear_backward(dZ, caches[0][0])
    skipped, _, _ = numpy_net.linear_backward(dZ, caches[0][0], need_dA_prev=False)

    assert sorted(grads) == sorted(f"d{name}" for name in parameters)
    for name, value in parameters.items():
        assert grads[f"d{name}"].shape == value.shape
    assert dA_prev.shape == X.shape
    assert dW.shape == parameters["W1"].shape
    assert db.shape == parameters["b1"].shape
    assert skipped is None
    for activation in ("relu", "sigmoid"):
        dA_prev, dW, db = numpy_net.linear_activation_backward(
            dZ, caches[0], activation
        )
        assert dA_prev.shape == X.shape
        assert dW.shape == parameters["W1"].shape
        assert db.shape == parameters["b1"].shape


@pytest.mark.parametrize("layer_dims", SHAPE_CASES)
def test_predictions_are_labels_of_shape_1_by_m(layer_dims):
    X, Y, parameters = small_network(layer_dims)

    predictions = numpy_net.predict(X, parameters)

    assert predictions.shape == (1, X.shape[1])
    assert set(np.unique(predictions)) <= {0, 1}
    assert isinstance(numpy_net.accuracy(X, Y, parameters), float)


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_initialisation_is_a_seeded_scaled_standard_normal_with_zero_biases(seed):
    layer_dims = [6, 5, 3, 1]

    parameters = numpy_net.initialize_parameters(
        layer_dims, np.random.default_rng(seed)
    )

    rng = np.random.default_rng(seed)
    for l in range(1, len(layer_dims)):
        expected = 0.1 * rng.standard_normal((layer_dims[l], layer_dims[l - 1]))
        np.testing.assert_array_equal(parameters[f"W{l}"], expected)
        np.testing.assert_array_equal(parameters[f"b{l}"], np.zeros((layer_dims[l], 1)))


def test_initialisation_in_float32_rounds_the_same_draws():
    layer_dims = [6, 5, 1]
    wide = numpy_net.initialize_parameters(layer_dims, np.random.default_rng(3))

    narrow = numpy_net.initialize_parameters(
        layer_dims, np.random.default_rng(3), dtype=np.float32
    )

    for name, value in narrow.items():
        assert value.dtype == np.float32
        np.testing.assert_array_equal(value, wide[name].astype(np.float32))


# Numerics of the sigmoid and the cost.


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_never_warns_and_reaches_its_limits(dtype):
    Z = np.array([[-1e4, -1e3, -750.0, -100.0, -1.0, 0.0, 1.0, 100.0, 750.0, 1e4]])
    Z = Z.astype(dtype)

    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        A = numpy_net.sigmoid(Z)

    assert A.dtype == dtype
    assert A[0, 0] == 0.0
    assert A[0, -1] == 1.0
    assert A[0, 5] == 0.5
    assert np.all(np.diff(A) >= 0)


def test_sigmoid_matches_the_textbook_formula_wherever_that_is_finite():
    # math.exp overflows above about 709.78; within 700 the formula is finite
    # and its results are normal numbers, with full relative precision.
    z = np.concatenate([np.linspace(-700, 700, 2001), [-40.0, -1e-8, 0.0, 1e-8]])

    A = numpy_net.sigmoid(z.reshape(1, -1)).ravel()

    expected = np.array([1 / (1 + math.exp(-value)) for value in z])
    np.testing.assert_allclose(A, expected, rtol=1e-13, atol=0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cost_of_saturated_outputs_is_finite(dtype):
    AL = np.array([[0.0, 1.0, 0.0, 1.0]], dtype=dtype)
    agreeing = np.array([[0.0, 1.0, 0.0, 1.0]], dtype=dtype)
    disagreeing = 1 - agreeing
    eps = np.finfo(dtype).eps

    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        right = numpy_net.compute_cost(AL, agreeing)
        wrong = numpy_net.compute_cost(AL, disagreeing)

    # Clipping to [eps, 1 - eps] turns each saturated term into log(1 - eps)
    # when the label agrees and into log(eps) when it does not.
    assert 0 <= right <= 2 * eps
    assert wrong == pytest.approx(-math.log(eps), rel=1e-6)


def test_cost_matches_the_textbook_formula_for_hard_and_soft_labels():
    rng = np.random.default_rng(5)
    AL = rng.uniform(0.01, 0.99, size=(1, 50))
    hard = (rng.uniform(size=(1, 50)) > 0.5).astype(np.float64)
    soft = rng.uniform(size=(1, 50))

    for Y in (hard, soft):
        cost = numpy_net.compute_cost(AL, Y)
        assert cost == pytest.approx(reference_cost(AL, Y), rel=1e-13)


# The whole training run against the plain reference.


def test_training_agrees_with_the_plain_course_code_at_every_iteration(data):
    X, Y = data

    result = numpy_net.train(X, Y, SEED_LAYER_DIMS, 0.1, 250, seed=1)
    costs, parameters, (lowest, highest) = reference_train(
        X, Y, SEED_LAYER_DIMS, 0.1, 250, seed=1
    )

    # Nothing saturates, so the engine's clipping never changes a value.
    assert lowest > 1e-6 and highest < 1 - 1e-6
    assert result.stopped == COMPLETED
    assert costs[-1] < 0.5 * costs[0]
    np.testing.assert_allclose(result.costs, costs, rtol=1e-9, atol=0)
    for name, value in parameters.items():
        np.testing.assert_allclose(result.parameters[name], value, rtol=0, atol=1e-12)


def test_backward_pass_agrees_with_the_plain_course_code(data):
    X, Y = data
    parameters = numpy_net.initialize_parameters(
        SEED_LAYER_DIMS, np.random.default_rng(2)
    )

    AL, caches = numpy_net.model_forward(X, parameters)
    grads = numpy_net.model_backward(AL, Y, caches)

    reference_AL, reference_caches = reference_forward(X, parameters)
    reference_grads = reference_backward(reference_AL, Y, reference_caches)
    np.testing.assert_allclose(AL, reference_AL, rtol=1e-13)
    for name, value in reference_grads.items():
        scale = np.abs(value).max()
        np.testing.assert_allclose(grads[name], value, rtol=0, atol=1e-12 * scale)


# Gradient checking.


def smooth_problem(layer_dims, seed=0, m=8):
    """Data and standard normal parameters far from every ReLU kink.

    At the course's 0.1 scale the gradients are tiny and finite differences
    drown in rounding, so the parameters are drawn at scale 1. The assertions
    make sure no hidden pre-activation sits within 1e-2 of the kink at 0 and
    no output within reach of the cost's clipping.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((layer_dims[0], m))
    Y = (rng.uniform(size=(1, m)) > 0.5).astype(np.float64)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = rng.standard_normal((layer_dims[l], layer_dims[l - 1]))
        parameters[f"b{l}"] = rng.standard_normal((layer_dims[l], 1))

    _, caches = numpy_net.model_forward(X, parameters)
    for _, Z in caches[:-1]:
        assert np.abs(Z).min() > 1e-2
    assert np.abs(caches[-1][1]).max() < 10
    return X, Y, parameters


def backward_without_relu_mask(AL, Y, caches):
    """A broken backward pass: it lets the gradient through inactive units."""
    grads = {}
    dZ = (AL - Y) / Y.shape[1]
    for l in range(len(caches), 0, -1):
        linear_cache, _ = caches[l - 1]
        dZ, grads[f"dW{l}"], grads[f"db{l}"] = numpy_net.linear_backward(
            dZ, linear_cache
        )
    return grads


def backward_without_mean(AL, Y, caches):
    """A broken backward pass: the gradient of the summed cost, not the mean."""
    grads = numpy_net.model_backward(AL, Y, caches)
    return {name: Y.shape[1] * value for name, value in grads.items()}


DEPTHS = [[5, 1], [5, 4, 1], [5, 4, 3, 1], [5, 6, 4, 3, 1]]


@pytest.mark.parametrize("layer_dims", DEPTHS)
def test_backward_pass_passes_the_gradient_check(layer_dims):
    X, Y, parameters = smooth_problem(layer_dims)

    assert numpy_net.gradient_check(X, Y, parameters, epsilon=1e-7) < 1e-7


@pytest.mark.parametrize("layer_dims", DEPTHS)
def test_gradient_check_catches_a_backward_pass_without_the_mean(layer_dims):
    X, Y, parameters = smooth_problem(layer_dims)

    difference = numpy_net.gradient_check(
        X, Y, parameters, backward=backward_without_mean
    )

    assert difference > 1e-3


@pytest.mark.parametrize("layer_dims", DEPTHS[1:])
def test_gradient_check_catches_a_backward_pass_without_the_relu_mask(layer_dims):
    X, Y, parameters = smooth_problem(layer_dims)

    difference = numpy_net.gradient_check(
        X, Y, parameters, backward=backward_without_relu_mask
    )

    assert difference > 1e-3


def test_relu_backward_leaves_dA_alone_unless_told_to_overwrite_it():
    rng = np.random.default_rng(4)
    A_prev, W, b = rng.standard_normal((3, 6)), rng.standard_normal((2, 3)), 0
    Z = rng.standard_normal((2, 6))
    dA = rng.standard_normal((2, 6))
    kept = dA.copy()
    cache = ((A_prev, W, b), Z)

    _, dW, db = numpy_net.linear_activation_backward(dA, cache, "relu")
    np.testing.assert_array_equal(dA, kept)
    _, dW_overwriting, db_overwriting = numpy_net.linear_activation_backward(
        dA, cache, "relu", overwrite_dA=True
    )

    dZ = np.where(Z > 0, kept, 0)
    np.testing.assert_allclose(dW, dZ @ A_prev.T, rtol=1e-14)
    np.testing.assert_allclose(db, dZ.sum(axis=1, keepdims=True), rtol=1e-14)
    np.testing.assert_array_equal(dW_overwriting, dW)
    np.testing.assert_array_equal(db_overwriting, db)


def test_unknown_activation_is_refused_with_the_known_ones():
    cache = ((np.ones((2, 3)), np.ones((1, 2)), np.zeros((1, 1))), np.ones((1, 3)))

    with pytest.raises(ValueError, match=r"unknown activation 'tanh'.*'relu'"):
        numpy_net.linear_activation_backward(np.ones((1, 3)), cache, "tanh")


def test_update_parameters_takes_one_step_and_keeps_the_old_parameters():
    parameters = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([[0.5]])}
    grads = {"dW1": np.array([[10.0, -10.0]]), "db1": np.array([[1.0]])}

    updated = numpy_net.update_parameters(parameters, grads, 0.1)

    np.testing.assert_allclose(updated["W1"], [[0.0, 3.0]], atol=1e-15)
    np.testing.assert_allclose(updated["b1"], [[0.4]], atol=1e-15)
    np.testing.assert_array_equal(parameters["W1"], [[1.0, 2.0]])
    np.testing.assert_array_equal(parameters["b1"], [[0.5]])


# Training.


def test_the_same_seed_gives_the_same_run_and_another_seed_another(data):
    X, Y = data

    first = numpy_net.train(X, Y, SEED_LAYER_DIMS, 0.1, 20, seed=7)
    second = numpy_net.train(X, Y, SEED_LAYER_DIMS, 0.1, 20, seed=7)
    other = numpy_net.train(X, Y, SEED_LAYER_DIMS, 0.1, 20, seed=8)

    np.testing.assert_array_equal(first.costs, second.costs)
    for name, value in first.parameters.items():
        np.testing.assert_array_equal(value, second.parameters[name])
    assert not np.array_equal(first.costs, other.costs)


def test_training_from_given_parameters_copies_them(data):
    X, Y = data
    start = numpy_net.initialize_parameters(SEED_LAYER_DIMS, np.random.default_rng(9))
    kept = snapshot(start)

    result = numpy_net.train(X, Y, SEED_LAYER_DIMS, 0.1, 5, parameters=start)

    for name, value in start.items():
        np.testing.assert_array_equal(value, kept[name])
        assert result.parameters[name] is not value
    first_cost = numpy_net.compute_cost(numpy_net.model_forward(X, kept)[0], Y)
    assert result.costs[0] == first_cost


def test_mini_batches_follow_the_seeded_shuffle_and_lower_the_cost(data):
    X, Y = data
    m, batch_size, epochs, seed = X.shape[1], 64, 30, 3

    result = numpy_net.train(
        X, Y, SEED_LAYER_DIMS, 0.1, epochs, seed=seed, batch_size=batch_size
    )

    # The same steps by hand: the generator first draws the weights, then one
    # permutation per epoch; an epoch's cost is the size-weighted batch mean.
    rng = np.random.default_rng(seed)
    parameters = numpy_net.initialize_parameters(SEED_LAYER_DIMS, rng)
    expected = []
    for _ in range(epochs):
        order = rng.permutation(m)
        total = 0.0
        for start in range(0, m, batch_size):
            batch = order[start : start + batch_size]
            AL, caches = numpy_net.model_forward(X[:, batch], parameters)
            total += numpy_net.compute_cost(AL, Y[:, batch]) * len(batch)
            grads = numpy_net.model_backward(AL, Y[:, batch], caches)
            parameters = numpy_net.update_parameters(parameters, grads, 0.1)
        expected.append(total / m)
    np.testing.assert_allclose(result.costs, expected, rtol=1e-12)
    for name, value in parameters.items():
        np.testing.assert_allclose(result.parameters[name], value, rtol=0, atol=1e-14)

    full_batch = numpy_net.train(X, Y, SEED_LAYER_DIMS, 0.1, epochs, seed=seed)
    assert result.costs[-1] < 0.8 * result.costs[0]
    assert result.costs[-1] < full_batch.costs[-1]


def test_float32_training_computes_in_float32(data):
    X, Y = data

    narrow = numpy_net.train(X, Y, SEED_LAYER_DIMS, 0.1, 30, dtype=np.float32)
    wide = numpy_net.train(X, Y, SEED_LAYER_DIMS, 0.1, 30)

    for name, value in narrow.parameters.items():
        assert value.dtype == np.float32, name
    assert narrow.costs.dtype == np.float64
    # float32 rounding shows in the costs, but only at float32's precision.
    assert not np.array_equal(narrow.costs, wide.costs)
    np.testing.assert_allclose(narrow.costs, wide.costs, rtol=1e-4)


def test_the_hook_sees_every_iteration_in_order(data):
    X, Y = data
    steps, seen = [], []

    def hook(step):
        steps.append(step)
        seen.append(snapshot(step.parameters))

    result = numpy_net.train(X, Y, SEED_LAYER_DIMS, 0.1, 6, hook=hook)

    assert all(isinstance(step, Step) for step in steps)
    assert [step.iteration for step in steps] == list(range(6))
    assert [step.cost for step in steps] == list(result.costs)
    assert all(step.validation_cost is None for step in steps)
    # Each step carries the parameters after its update: they give the next cost.
    for parameters, next_cost in zip(seen, result.costs[1:], strict=False):
        AL, _ = numpy_net.model_forward(X, parameters)
        assert numpy_net.compute_cost(AL, Y) == pytest.approx(next_cost, rel=1e-12)
    for name, value in seen[-1].items():
        np.testing.assert_array_equal(value, result.parameters[name])


def test_a_stop_reason_from_the_hook_ends_training(data):
    X, Y = data

    def hook(step):
        return EARLY_STOPPING if step.iteration == 4 else None

    result = numpy_net.train(X, Y, SEED_LAYER_DIMS, 0.1, 50, hook=hook)

    assert result.stopped == EARLY_STOPPING
    assert len(result.costs) == 5
    assert result.diverged_at is None


def test_an_interrupt_keeps_what_was_computed(data):
    X, Y = data

    def hook(step):
        if step.iteration == 3:
            raise KeyboardInterrupt

    result = numpy_net.train(X, Y, SEED_LAYER_DIMS, 0.1, 50, hook=hook)
    uninterrupted = numpy_net.train(X, Y, SEED_LAYER_DIMS, 0.1, 4)

    assert result.stopped == INTERRUPTED
    np.testing.assert_array_equal(result.costs, uninterrupted.costs)
    for name, value in uninterrupted.parameters.items():
        np.testing.assert_array_equal(result.parameters[name], value)


@pytest.mark.parametrize(
    ("dtype", "learning_rate"),
    [(np.float64, 1e100), (np.float64, 1e300), (np.float32, 1e30), (np.float32, 1e50)],
)
def test_divergence_stops_training_and_keeps_finite_values(data, dtype, learning_rate):
    X, Y = data

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = numpy_net.train(X, Y, SEED_LAYER_DIMS, learning_rate, 100, dtype=dtype)
        accuracy = numpy_net.accuracy(X, Y, result.parameters)

    assert result.stopped == DIVERGED
    assert result.diverged_at == len(result.costs) < 100
    assert np.isfinite(result.costs).all()
    assert all_finite(result.parameters)
    assert 0 <= accuracy <= 1


def test_divergence_in_a_mini_batch_stops_the_epoch(data):
    X, Y = data

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = numpy_net.train(
            X, Y, SEED_LAYER_DIMS, 1e300, 10, batch_size=100, dtype=np.float64
        )

    assert result.stopped == DIVERGED
    assert result.diverged_at == len(result.costs)
    assert all_finite(result.parameters)


def test_validation_costs_are_those_of_the_held_out_data(data):
    X, Y = data
    X_val, Y_val = rule_data(m=60, seed=11)
    validation_seen = []

    def hook(step):
        AL, _ = numpy_net.model_forward(X_val, step.parameters)
        validation_seen.append(numpy_net.compute_cost(AL, Y_val))
        assert step.validation_cost == validation_seen[-1]

    result = numpy_net.train(
        X, Y, SEED_LAYER_DIMS, 0.1, 8, validation=(X_val, Y_val), hook=hook
    )
    without = numpy_net.train(X, Y, SEED_LAYER_DIMS, 0.1, 8)

    assert result.validation_costs.shape == result.costs.shape == (8,)
    np.testing.assert_array_equal(result.validation_costs, validation_seen)
    assert without.validation_costs is None


@pytest.mark.parametrize(
    ("X_shape", "Y_shape", "layer_dims", "message"),
    [
        ((100,), (1, 100), [100, 1], r"X must be of shape \(n_x, m\).*got X \(100,\)"),
        ((4, 10), (10,), [4, 1], r"Y of shape \(1, m\); got X \(4, 10\) and Y \(10,\)"),
        ((4, 10), (1, 9), [4, 1], r"got X \(4, 10\) and Y \(1, 9\)\. Transpose"),
        ((4, 10), (1, 10), [5, 3, 1], r"layer_dims \[5, 3, 1\].*features \(4\)"),
        ((4, 10), (1, 10), [4, 3, 2], r"layer_dims \[4, 3, 2\].*last must be 1"),
        ((4, 10), (1, 10), [4], r"layer_dims \[4\] do not fit the data"),
    ],
)
def test_shapes_that_do_not_fit_are_refused(X_shape, Y_shape, layer_dims, message):
    X, Y = np.zeros(X_shape), np.zeros(Y_shape)

    with pytest.raises(ValueError, match=message):
        numpy_net.train(X, Y, layer_dims, 0.1, 1)


# Predictions on a hand-made network.


def test_predict_and_accuracy_on_a_hand_made_network():
    # One hidden unit computing relu(x1 - x2), then z = 2 * h - 1: the label is 1
    # exactly when x1 - x2 > 0.5.
    parameters = {
        "W1": np.array([[1.0, -1.0]]),
        "b1": np.array([[0.0]]),
        "W2": np.array([[2.0]]),
        "b2": np.array([[-1.0]]),
    }
    X = np.array([[3.0, 0.0, 1.0, 0.2], [1.0, 2.0, 0.25, 0.0]])
    Y = np.array([[1.0, 0.0, 0.0, 0.0]])

    predictions = numpy_net.predict(X, parameters)
    AL, _ = numpy_net.model_forward(X, parameters)

    np.testing.assert_array_equal(predictions, [[1, 0, 1, 0]])
    expected_AL = [1 / (1 + math.exp(-z)) for z in (3.0, -1.0, 0.5, -0.6)]
    np.testing.assert_allclose(AL.ravel(), expected_AL, rtol=1e-15)
    assert numpy_net.accuracy(X, Y, parameters) == 0.75

"""The Keras engine against the NumPy engine, its reference.

The seed configuration (layers 100-20-5-1, learning rate 0.1, 250 full-batch
iterations in float64 on the default dataset) is trained once per engine for
the whole module; the other tests train small or short runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
import tensorflow as tf

from fcnet_magic import data, keras_compiled, keras_fit, keras_net, numpy_net
from fcnet_magic.hooks import COMPLETED, DIVERGED, EARLY_STOPPING, INTERRUPTED

LAYER_DIMS = [100, 20, 5, 1]
LEARNING_RATE = 0.1
ITERATIONS = 250
TRAINERS = {"fit": keras_fit.train_fit, "compiled": keras_net.train_compiled}


@pytest.fixture(scope="module")
def split():
    return data.split(data.load("default"))


@pytest.fixture(scope="module")
def runs(split):
    """The seed configuration trained by every engine, with validation."""
    arguments = (split.X_train, split.Y_train, LAYER_DIMS, LEARNING_RATE, ITERATIONS)
    validation = (split.X_test, split.Y_test)
    trainers = {"numpy": numpy_net.train, **TRAINERS}
    return {
        name: train(*arguments, validation=validation)
        for name, train in trainers.items()
    }


def relative_difference(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a) - b) / np.abs(b)))


@pytest.mark.parametrize("path", TRAINERS)
def test_costs_match_numpy_over_250_iterations(runs, path):
    expected = runs["numpy"]
    training = runs[path]

    assert training.stopped == COMPLETED
    assert training.costs.shape == (ITERATIONS,)
    assert relative_difference(training.costs, expected.costs) < 1e-6
    assert (
        relative_difference(training.validation_costs, expected.validation_costs) < 1e-6
    )
    # Training did happen: the cost fell well below log(2).
    assert training.costs[-1] < 0.5 * training.costs[0]


def test_compiled_loop_matches_numpy_to_rounding(runs):
    """No float32 rounding inside the compiled loop, unlike fit's tracker."""
    expected = runs["numpy"]
    training = runs["compiled"]

    assert relative_difference(training.costs, expected.costs) < 1e-12
    for name, value in expected.parameters.items():
        np.testing.assert_allclose(
            training.parameters[name], value, rtol=1e-9, atol=1e-12
        )


@pytest.mark.parametrize("path", TRAINERS)
def test_parameters_and_accuracy_match_numpy(runs, split, path):
    expected = runs["numpy"]
    parameters = runs[path].parameters

    assert sorted(parameters) == sorted(expected.parameters)
    for name, value in expected.parameters.items():
        assert parameters[name].shape == value.shape
        np.testing.assert_allclose(parameters[name], value, rtol=1e-5, atol=1e-7)
    for X, Y in ((split.X_train, split.Y_train), (split.X_test, split.Y_test)):
        assert numpy_net.accuracy(X, Y, parameters) == numpy_net.accuracy(
            X, Y, expected.parameters
        )


def test_timings(runs):
    assert runs["fit"].seconds > 0
    assert runs["fit"].warmup_seconds == 0
    assert runs["compiled"].seconds > 0
    assert runs["compiled"].warmup_seconds > 0


def test_first_step_gradients_match_numpy_backward(split):
    rng = np.random.default_rng(3)
    parameters = numpy_net.initialize_parameters(LAYER_DIMS, rng)
    model = keras_net.build_model(LAYER_DIMS, LEARNING_RATE, parameters)
    x, y = split.X_train.T, split.Y_train.T

    with tf.GradientTape() as tape:
        loss = model.loss(y, model(x))
    layers = keras_net.dense_layers(model)
    weights = [w for layer in layers for w in (layer.kernel, layer.bias)]
    gradients = tape.gradient(loss, weights)

    AL, caches = numpy_net.model_forward(split.X_train, parameters)
    expected = numpy_net.model_backward(AL, split.Y_train, caches)
    assert float(loss) == pytest.approx(
        numpy_net.compute_cost(AL, split.Y_train), rel=1e-12
    )
    for l in range(1, len(LAYER_DIMS)):
        dW, db = gradients[2 * l - 2].numpy().T, gradients[2 * l - 1].numpy()
        np.testing.assert_allclose(dW, expected[f"dW{l}"], rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(db, expected[f"db{l}"][:, 0], rtol=1e-9, atol=1e-15)


def test_saturated_outputs_keep_their_gradient():
    """A float64 output far beyond Keras's 1e-7 clip still learns."""
    parameters = {"W1": np.full((1, 3), 100.0), "b1": np.zeros((1, 1))}
    model = keras_net.build_model([3, 1], 0.1, parameters)
    x, y = np.ones((4, 3)), np.zeros((4, 1))

    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0)

    # The logit is 300: the exact cost is 300, a clipped one would be 16.1,
    # and the gradient of the mean cost with respect to each weight is 1.
    # Keras's SGD holds the learning rate in float32.
    assert history.history["loss"][0] == pytest.approx(300.0)
    expected = 100.0 - float(np.float32(0.1))
    np.testing.assert_allclose(model.layers[-1].kernel.numpy(), expected, rtol=1e-15)


def test_architecture_mirrors_the_course():
    model = keras_net.build_model([12, 7, 4, 1], 0.05, dtype="float32")
    layers = keras_net.dense_layers(model)

    assert model.input_shape == (None, 12)
    assert [layer.units for layer in layers] == [7, 4, 1]
    assert [layer.activation.__name__ for layer in layers] == [
        "relu",
        "relu",
        "sigmoid",
    ]
    assert all(layer.dtype_policy.name == "float32" for layer in layers)
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    assert model.optimizer.momentum == 0
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    assert isinstance(model.loss, keras.losses.BinaryCrossentropy)


def test_weights_round_trip_exactly():
    rng = np.random.default_rng(0)
    parameters = numpy_net.initialize_parameters([6, 4, 3, 1], rng)
    parameters["b2"] = rng.standard_normal((3, 1))
    model = keras_net.build_model([6, 4, 3, 1], 0.1, parameters)

    kernel = keras_net.dense_layers(model)[0].kernel.numpy()
    np.testing.assert_array_equal(kernel, parameters["W1"].T)
    round_trip = keras_net.get_parameters(model)
    assert list(round_trip) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for name, value in parameters.items():
        assert round_trip[name].dtype == np.float64
        np.testing.assert_array_equal(round_trip[name], value)


def test_keras_parameters_is_a_live_mapping():
    model = keras_net.build_model([6, 4, 1], 0.1, seed=0)
    view = keras_net.KerasParameters(model)

    assert len(view) == 4
    assert "W2" in view
    assert "W3" not in view
    assert "x1" not in view
    assert view["b1"].shape == (4, 1)
    assert (
        repr(view) == "KerasParameters(W1: (4, 6), b1: (4, 1), W2: (1, 4), b2: (1, 1))"
    )
    keras_net.dense_layers(model)[1].bias.assign([2.5])
    assert view["b2"][0, 0] == 2.5


def test_set_parameters_names_the_wrong_shape():
    model = keras_net.build_model([6, 4, 1], 0.1)
    parameters = keras_net.get_parameters(model)

    parameters["W2"] = np.zeros((4, 1))
    with pytest.raises(ValueError, match=r"parameters\['W2'\] has shape \(4, 1\)"):
        keras_net.set_parameters(model, parameters)
    del parameters["W2"]
    with pytest.raises(ValueError, match="needs exactly"):
        keras_net.set_parameters(model, parameters)


def test_keras_init_uses_kerass_own_seeded_initialisers(split):
    model = keras_net.build_model(LAYER_DIMS, 0.1, seed=7)
    expected = keras_net.get_parameters(model)

    assert np.std(expected["W1"]) == pytest.approx(0.1, rel=0.05)
    for name, value in keras_net.keras_initial_parameters(LAYER_DIMS, seed=7).items():
        np.testing.assert_array_equal(value, expected[name])
    training = keras_net.train_compiled(
        split.X_train, split.Y_train, LAYER_DIMS, 0.1, 1, seed=7, keras_init=True
    )
    AL, _ = numpy_net.model_forward(split.X_train, expected)
    assert training.costs[0] == pytest.approx(
        numpy_net.compute_cost(AL, split.Y_train), rel=1e-12
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"layer_dims": [100, 5, 2]}, r"layer_dims \[100, 5, 2\] are not valid"),
        ({"dtype": np.int32}, "dtype .* is not supported"),
        ({"batch_size": 0}, "batch_size must be a positive integer"),
        ({"learning_rate": -1.0}, "learning_rate must be a positive number"),
        ({"learning_rate": 1e50}, "no larger than 3.4e38"),
    ],
)
def test_bad_arguments_raise_naming_the_fix(split, options, message):
    arguments = {"layer_dims": LAYER_DIMS, "learning_rate": 0.1, **options}
    for train in TRAINERS.values():
        with pytest.raises(ValueError, match=message):
            train(split.X_train, split.Y_train, iterations=1, **arguments)


@pytest.mark.parametrize("path", TRAINERS)
def test_non_finite_cost_stops_as_diverged(split, path):
    # Deep and float32 with a huge step: the cost overflows after five steps.
    arguments = (split.X_train, split.Y_train, [100, 20, 20, 20, 1], 1e3, 60)
    expected = numpy_net.train(*arguments, dtype=np.float32)
    training = TRAINERS[path](*arguments, dtype=np.float32)

    assert expected.stopped == DIVERGED
    assert training.stopped == DIVERGED
    assert len(training.costs) == len(expected.costs) == 5
    assert np.isfinite(training.costs).all()
    assert training.costs[0] == pytest.approx(expected.costs[0], rel=1e-5)
    for value in training.parameters.values():
        assert value.dtype == np.float32
        assert np.isfinite(value).all()


@pytest.mark.parametrize("snapshot_seconds", [0.0, 3600.0])
def test_both_paths_keep_the_same_weights_after_divergence(
    split, monkeypatch, snapshot_seconds
):
    """fit rewinds to a snapshot of every epoch, or of the first, and replays."""
    monkeypatch.setattr(keras_fit, "SNAPSHOT_SECONDS", snapshot_seconds)
    arguments = (split.X_train, split.Y_train, [100, 20, 20, 20, 1], 1e3, 60)
    fit = keras_fit.train_fit(*arguments, dtype=np.float32)
    compiled = keras_net.train_compiled(*arguments, dtype=np.float32)

    for name, value in compiled.parameters.items():
        np.testing.assert_allclose(fit.parameters[name], value, rtol=1e-3)


@pytest.mark.parametrize("path", TRAINERS)
def test_hook_stop_reason_is_honoured(split, path):
    train = TRAINERS[path]
    arguments = (split.X_train, split.Y_train, LAYER_DIMS, LEARNING_RATE)
    iterations = []

    def hook(step):
        iterations.append(step.iteration)
        return EARLY_STOPPING if step.iteration == 7 else None

    training = train(*arguments, 40, hook=hook)
    reference = train(*arguments, 8)

    assert training.stopped == EARLY_STOPPING
    assert iterations == list(range(8))
    np.testing.assert_array_equal(training.costs, reference.costs)
    for name, value in reference.parameters.items():
        np.testing.assert_array_equal(training.parameters[name], value)


@pytest.mark.parametrize("path", TRAINERS)
def test_keyboard_interrupt_keeps_what_was_done(split, path):
    def hook(step):
        if step.iteration == 5:
            raise KeyboardInterrupt

    training = TRAINERS[path](
        split.X_train, split.Y_train, LAYER_DIMS, LEARNING_RATE, 40, hook=hook
    )

    assert training.stopped == INTERRUPTED
    assert len(training.costs) in (5, 6)
    assert np.isfinite(training.costs).all()
    assert all(np.isfinite(value).all() for value in training.parameters.values())


def test_compiled_interrupt_returns_weights_of_the_last_kept_cost(split):
    arguments = (split.X_train, split.Y_train, LAYER_DIMS, LEARNING_RATE)

    def hook(step):
        if step.iteration == 5:
            raise KeyboardInterrupt

    training = keras_net.train_compiled(*arguments, 40, hook=hook)
    reference = keras_net.train_compiled(*arguments, len(training.costs))

    for name, value in reference.parameters.items():
        np.testing.assert_array_equal(training.parameters[name], value)


def test_compiled_chunks_call_the_hook_once_per_iteration_in_order(split, monkeypatch):
    # Chunks of one or a few steps, so that many calls run.
    monkeypatch.setattr(keras_compiled, "CHUNK_SECONDS", 1e-4)
    steps = []
    arguments = (split.X_train, split.Y_train, LAYER_DIMS, LEARNING_RATE, 30)
    training = keras_net.train_compiled(*arguments, hook=steps.append)

    assert [step.iteration for step in steps] == list(range(30))
    assert [step.cost for step in steps] == training.costs.tolist()
    assert all(step.validation_cost is None for step in steps)
    assert steps[0].parameters["W1"].shape == (20, 100)


def test_fit_hands_the_hook_the_weights_after_each_update(split):
    seen = []

    def hook(step):
        seen.append(step.parameters["b3"].copy())

    training = keras_fit.train_fit(
        split.X_train, split.Y_train, LAYER_DIMS, LEARNING_RATE, 3, hook=hook
    )

    assert len(seen) == 3
    np.testing.assert_array_equal(seen[-1], training.parameters["b3"])
    assert not np.array_equal(seen[0], seen[1])


def test_compiled_reruns_reuse_the_trace(split):
    arguments = (split.X_train, split.Y_train, LAYER_DIMS, LEARNING_RATE, 3)
    keras_net.train_compiled(*arguments)
    function = keras_compiled._steps_function(True)
    traces = function.experimental_get_tracing_count()

    keras_net.train_compiled(*arguments, seed=2)
    keras_net.train_compiled(*arguments, keras_init=True)

    assert function.experimental_get_tracing_count() == traces


@pytest.mark.parametrize("path", TRAINERS)
def test_float32(runs, split, path):
    training = TRAINERS[path](
        split.X_train, split.Y_train, LAYER_DIMS, LEARNING_RATE, 20, dtype=np.float32
    )

    assert training.costs.dtype == np.float64
    assert all(value.dtype == np.float32 for value in training.parameters.values())
    np.testing.assert_allclose(training.costs, runs["numpy"].costs[:20], rtol=1e-4)


def test_mini_batches_follow_the_same_order_in_both_paths(split):
    arguments = (split.X_train, split.Y_train, LAYER_DIMS, LEARNING_RATE, 5)
    fit = keras_fit.train_fit(*arguments, batch_size=300)
    graph = keras_net.train_compiled(*arguments, batch_size=300, jit_compile=False)
    xla = keras_net.train_compiled(*arguments, batch_size=300)
    full = keras_net.train_compiled(*arguments)

    assert relative_difference(fit.costs, graph.costs) < 1e-6
    # Under XLA the same seed draws another order: close, not equal.
    np.testing.assert_allclose(xla.costs, graph.costs, rtol=0.05)
    # Six updates per epoch instead of one: the cost falls faster.
    assert xla.costs[-1] < full.costs[-1]


def test_importing_the_package_does_not_import_tensorflow():
    code = """
        import sys
        import fcnet_magic, fcnet_magic.numpy_net, fcnet_magic.hooks
        assert "tensorflow" not in sys.modules, "tensorflow was imported"
        assert "keras" not in sys.modules, "keras was imported"
    """
    run_python(code)


def test_missing_tensorflow_names_the_extra_to_install():
    code = """
        import sys
        sys.modules["tensorflow"] = None
        sys.modules["keras"] = None
        try:
            import fcnet_magic.keras_net
        except ImportError as error:
            print(error)
        else:
            raise AssertionError("no ImportError")
    """
    assert 'pip install "fcnet-magic[keras]"' in run_python(code)


def run_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter; return its output, failing on error."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_tensorflow_start_up_lines_are_silenced_unless_a_level_is_set():
    code = "import fcnet_magic.keras_net as k; print(k.tf.constant(1.0).numpy())"
    env = {key: value for key, value in os.environ.items() if "TF_CPP" not in key}
    quiet = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout.strip() == "1.0"
    assert quiet.stderr == ""

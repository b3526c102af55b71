"""The shared training path: workloads, engine runs, early stopping, Stop."""

from __future__ import annotations

import numpy as np
import pytest

from fcnet_magic import numpy_net, training
from fcnet_magic.hooks import EARLY_STOPPING, INTERRUPTED, Step, chain
from fcnet_magic.settings import Settings


@pytest.fixture(scope="module")
def workload():
    return training.prepare(Settings(layers="20-5-1", iterations=30))


def test_prepare_splits_the_default_data_and_draws_shared_weights(workload):
    assert workload.layer_dims == [100, 20, 5, 1]
    assert workload.split.X_train.shape == (100, 1600)
    assert workload.split.X_test.shape == (100, 400)
    assert workload.validation is None
    expected = numpy_net.initialize_parameters(
        [100, 20, 5, 1], np.random.default_rng(1)
    )
    for name, value in expected.items():
        np.testing.assert_array_equal(workload.initial_parameters[name], value)


def test_prepare_holds_out_validation_data_for_early_stopping():
    settings = Settings(layers="20-5-1", patience=3, validation_size=0.25)
    workload = training.prepare(settings)
    X_val, Y_val = workload.validation
    # Each class is split on its own, so the sizes round per class.
    assert abs(X_val.shape[1] - 400) <= 1
    assert X_val.shape[1] + workload.X_fit.shape[1] == 1600
    assert Y_val.mean() == pytest.approx(workload.Y_fit.mean(), abs=0.01)


def test_prepare_reads_notebook_variables():
    rng = np.random.default_rng(3)
    features = rng.normal(size=(120, 6))
    namespace = {"xs": features, "ys": features[:, 0] > 0}
    workload = training.prepare(Settings(data="xs, ys", layers="4-1"), namespace)
    assert workload.layer_dims == [6, 4, 1]


def test_run_measures_the_trained_parameters(workload):
    settings = Settings(layers="20-5-1", iterations=30)
    result = training.run("numpy", settings, workload)
    split = workload.split
    assert result.iterations_run == 30
    assert result.train_accuracy == numpy_net.accuracy(
        split.X_train, split.Y_train, result.parameters
    )
    assert result.test_accuracy == numpy_net.accuracy(
        split.X_test, split.Y_test, result.parameters
    )
    assert result.initial_parameters.keys() == workload.initial_parameters.keys()
    assert result.settings is settings
    assert "default" in result.data


def test_run_from_given_initial_parameters(workload):
    settings = Settings(layers="20-5-1", iterations=5, seed=7)
    start = {k: v * 2 for k, v in workload.initial_parameters.items()}
    result = training.run("numpy", settings, workload, initial_parameters=start)
    np.testing.assert_array_equal(result.initial_parameters["W1"], start["W1"])
    direct = numpy_net.train(
        workload.X_fit, workload.Y_fit, [100, 20, 5, 1], 0.1, 5, parameters=start
    )
    np.testing.assert_allclose(result.costs, direct.costs, rtol=1e-12)


def test_early_stopping_ends_the_run_when_validation_stalls():
    settings = Settings(
        layers="20-5-1", iterations=3000, learning_rate=0.5, patience=5, min_delta=1e-3
    )
    result = training.run("numpy", settings, training.prepare(settings))
    assert result.stopped == EARLY_STOPPING
    assert result.iterations_run < 3000
    assert result.validation_costs.shape == result.costs.shape


def test_early_stopping_counts_iterations_without_improvement():
    stopper = training.EarlyStopping(patience=2, min_delta=0.1)
    costs = [1.0, 0.5, 0.45, 0.44, 0.3]
    reasons = [stopper(Step(i, 0.0, {}, cost)) for i, cost in enumerate(costs)]
    assert reasons == [None, None, None, EARLY_STOPPING, None]
    assert stopper.best == 0.3
    assert stopper(Step(5, 0.0, {}, None)) is None


def test_stop_flag_interrupts_between_iterations(workload):
    flag = training.StopFlag()

    def press_stop_at_ten(step: Step) -> None:
        if step.iteration == 9:
            flag.set()

    settings = Settings(layers="20-5-1", iterations=100)
    hook = chain(press_stop_at_ten, flag)
    result = training.run("numpy", settings, workload, hook=hook)
    assert result.stopped == INTERRUPTED
    assert result.iterations_run == 10
    flag.clear()
    assert not flag.is_set()

"""Tests of the per-iteration hook protocol: ``Step`` and ``chain``."""

from __future__ import annotations

import numpy as np
import pytest

from fcnet_magic import numpy_net
from fcnet_magic.hooks import (
    COMPLETED,
    DIVERGED,
    EARLY_STOPPING,
    INTERRUPTED,
    STOP_REASONS,
    Step,
    chain,
)


def steps(count):
    return [Step(iteration, 1.0 / (iteration + 1), {}) for iteration in range(count)]


class Recorder:
    """A hook that records the iterations it sees and stops on a given one."""

    def __init__(self, stop_at=None, reason=EARLY_STOPPING):
        self.seen = []
        self.stop_at = stop_at
        self.reason = reason

    def __call__(self, step):
        self.seen.append(step.iteration)
        return self.reason if step.iteration == self.stop_at else None


def test_step_fields_and_default_validation_cost():
    parameters = {"W1": np.ones((1, 2))}

    step = Step(3, 0.25, parameters)

    assert (step.iteration, step.cost, step.parameters) == (3, 0.25, parameters)
    assert step.validation_cost is None
    assert Step(3, 0.25, parameters, 0.5).validation_cost == 0.5


def test_stop_reasons_are_the_documented_strings():
    assert STOP_REASONS == ("completed", "early_stopping", "diverged", "interrupted")
    assert (COMPLETED, EARLY_STOPPING, DIVERGED, INTERRUPTED) == STOP_REASONS


def test_every_hook_sees_every_step_even_after_a_stop_reason():
    stopping, watching = Recorder(stop_at=1), Recorder()
    combined = chain(stopping, watching)

    reasons = [combined(step) for step in steps(4)]

    assert reasons == [None, EARLY_STOPPING, None, None]
    assert stopping.seen == watching.seen == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (EARLY_STOPPING, INTERRUPTED, EARLY_STOPPING),
        (INTERRUPTED, EARLY_STOPPING, INTERRUPTED),
        (None, INTERRUPTED, INTERRUPTED),
        ("", INTERRUPTED, INTERRUPTED),
        (None, None, None),
    ],
)
def test_the_first_stop_reason_wins(first, second, expected):
    combined = chain(lambda step: first, lambda step: second)

    assert combined(steps(1)[0]) == expected


def test_none_hooks_are_ignored():
    watching = Recorder(stop_at=2)

    combined = chain(None, watching, None)

    assert [combined(step) for step in steps(3)] == [None, None, EARLY_STOPPING]
    assert watching.seen == [0, 1, 2]
    assert chain()(steps(1)[0]) is None
    assert chain(None, None)(steps(1)[0]) is None


def test_a_chained_stop_reason_ends_training_and_every_hook_saw_the_last_step():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 30))
    Y = (X[:1] > 0).astype(np.float64)
    watching, stopping = Recorder(), Recorder(stop_at=2, reason="custom")

    result = numpy_net.train(X, Y, [4, 3, 1], 0.1, 10, hook=chain(watching, stopping))

    assert result.stopped == "custom"
    assert len(result.costs) == 3
    assert watching.seen == stopping.seen == [0, 1, 2]

"""What every engine reports after each iteration, and how training is told to stop.

All engines (the NumPy network, Keras ``fit`` and the compiled Keras loop) call a
hook with one :class:`Step` per iteration. Progress bars, live plots, early
stopping and the Stop button are all hooks, so they behave the same whatever
engine runs. A hook returns ``None`` to continue, or a stop reason to end
training after the current iteration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import numpy as np

COMPLETED = "completed"
EARLY_STOPPING = "early_stopping"
DIVERGED = "diverged"
INTERRUPTED = "interrupted"
STOP_REASONS = (COMPLETED, EARLY_STOPPING, DIVERGED, INTERRUPTED)


class Step(NamedTuple):
    """One finished iteration, as seen by a hook.

    Attributes
    ----------
    iteration : int
        Zero-based index of the iteration whose cost this is.
    cost : float
        Training cost of that iteration (computed before its update).
    parameters : Mapping[str, numpy.ndarray]
        The parameters after the update, in the ``W1, b1, ...`` layout. Engines
        that keep weights elsewhere (Keras) hand a mapping that converts on
        access, so a hook that never reads them costs nothing.
    validation_cost : float or None
        Cost on the held-out validation part, when one was given.
    """

    iteration: int
    cost: float
    parameters: Mapping[str, np.ndarray]
    validation_cost: float | None = None


Hook = Callable[[Step], "str | None"]


def chain(*hooks: Hook | None) -> Hook:
    """Combine hooks into one; the first stop reason any of them returns wins.

    Every hook still sees every step, so a progress bar records the step on
    which early stopping fired.
    """
    active = [hook for hook in hooks if hook is not None]

    def combined(step: Step) -> str | None:
        reasons = [hook(step) for hook in active]
        return next((reason for reason in reasons if reason), None)

    return combined

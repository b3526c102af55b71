"""The one place that imports TensorFlow and Keras, quietly.

Only the Keras engine imports this module, so ``import fcnet_magic`` and
``%load_ext fcnet_magic`` never pay for TensorFlow.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def native_stderr_silenced(silence: bool) -> Iterator[None]:
    """Send file descriptor 2 to the null device while the block runs.

    TensorFlow's C++ start-up lines (absl notices, "could not find cuda
    drivers", a failed ``cuInit`` on machines without a GPU) bypass both
    Python and ``TF_CPP_MIN_LOG_LEVEL``, and a notebook shows them in red.
    """
    if not silence:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


# Users who set the log level themselves see what they asked for.
_QUIET = "TF_CPP_MIN_LOG_LEVEL" not in os.environ
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

with native_stderr_silenced(_QUIET):
    try:
        import keras
        import tensorflow as tf
    except ImportError as error:
        raise ImportError(
            "the Keras engine needs TensorFlow and Keras, which are not installed; "
            'install them with: pip install "fcnet-magic[keras]"'
        ) from error
    # Devices are looked for on first use; do it now, while silenced.
    tf.config.list_physical_devices()

if keras.backend.backend() != "tensorflow":
    raise ImportError(
        f"the Keras engine runs on Keras's TensorFlow backend, but Keras uses "
        f"{keras.backend.backend()!r}; set KERAS_BACKEND=tensorflow before "
        "importing Keras."
    )

__all__ = ["keras", "native_stderr_silenced", "tf"]

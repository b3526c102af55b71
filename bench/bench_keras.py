"""How fast the Keras engine trains: ``fit``, its hook, and the compiled loop.

Times training runs of the seed configuration (the default dataset's 1,600
training examples of 100 features, layers 100-20-5-1, learning rate 0.1, 250
full-batch iterations, float64) for:

- the NumPy engine, ``numpy_net.train``, with one BLAS thread;
- Keras ``fit`` bare: ``model.fit(x, y, batch_size=m, epochs=250)``, the
  call users write (and ``keras_fit.train_fit`` makes), without any callback;
- Keras ``fit`` with the hook: ``keras_fit.train_fit`` with a hook that does
  nothing, so the difference is the callback's cost;
- the compiled loop, ``keras_net.train_compiled``, with its tracing time
  added: warm (its trace kept from an earlier run of the same shapes, the
  usual case when rerunning a cell) and first (traced anew, the first run of
  a shape in a process), in graph mode (the default) and with XLA.

Every contender reports its own training time (the model is set up before the
clock starts), and the contenders run round-robin, so that a burst of load
from another process slows all of them. It then trains 30 times in a row with
each Keras path and reports the growth of resident memory and whether the
runs slow down. Run from the repository root::

    .venv/bin/python bench/bench_keras.py
    .venv/bin/python bench/bench_keras.py --repeat 9
"""

from __future__ import annotations

import argparse
import functools
import gc
import statistics
import time
from collections.abc import Callable, Mapping

import numpy as np
import psutil
from common import Target, report, single_threaded_blas

from fcnet_magic import data, keras_compiled, keras_fit, keras_net, numpy_net

LAYER_DIMS = (100, 20, 5, 1)
LEARNING_RATE = 0.1
ITERATIONS = 250
MEMORY_LIMIT_MB = 50
SLOWDOWN_LIMIT = 1.25


def interleaved_reported(
    contenders: Mapping[str, Callable[[], float]], repeat: int
) -> dict[str, float]:
    """Median of the seconds each contender reports, timed round-robin.

    One untimed round comes first, to trace, import and warm caches.
    """
    times = {name: [] for name in contenders}
    for round_ in range(repeat + 1):
        for name, contender in contenders.items():
            seconds = contender()
            if round_:
                times[name].append(seconds)
    return {name: statistics.median(values) for name, values in times.items()}


def bare_fit(X: np.ndarray, Y: np.ndarray) -> float:
    """Seconds of ``model.fit`` called the usual way, on arrays, no callback.

    Keras then builds a new ``tf.data`` iterator for every epoch, which for
    this small network costs several times the epoch itself.
    """
    run = keras_net.prepare(X, Y, LAYER_DIMS, LEARNING_RATE)
    start = time.perf_counter()
    run.model.fit(run.x, run.y, batch_size=X.shape[1], epochs=ITERATIONS, verbose=0)
    return time.perf_counter() - start


def compiled(X: np.ndarray, Y: np.ndarray, jit_compile: bool, first: bool):
    """A contender: ``train_compiled``'s seconds plus its tracing seconds."""

    def run() -> float:
        if first:
            keras_compiled.clear_cache()
        training = keras_net.train_compiled(
            X, Y, LAYER_DIMS, LEARNING_RATE, ITERATIONS, jit_compile=jit_compile
        )
        return training.seconds + training.warmup_seconds

    return run


def contenders(X: np.ndarray, Y: np.ndarray) -> dict[str, Callable[[], float]]:
    """Every timed contender, by the name it is reported under."""
    arguments = (X, Y, LAYER_DIMS, LEARNING_RATE, ITERATIONS)

    def numpy_engine() -> float:
        with single_threaded_blas():
            return numpy_net.train(*arguments).seconds

    return {
        "numpy engine": numpy_engine,
        "keras fit, bare": lambda: bare_fit(X, Y),
        "keras fit + hook": lambda: (
            keras_fit.train_fit(*arguments, hook=lambda step: None).seconds
        ),
        # A first run forgets every trace, so each warm run follows its own
        # first run, which traced again what it needs.
        "compiled, first run": compiled(X, Y, jit_compile=False, first=True),
        "compiled, warm": compiled(X, Y, jit_compile=False, first=False),
        "compiled XLA, first run": compiled(X, Y, jit_compile=True, first=True),
        "compiled XLA, warm": compiled(X, Y, jit_compile=True, first=False),
    }


def repeated_runs(train: Callable[[], object], runs: int) -> tuple[float, float]:
    """Resident memory growth (MB) over ``runs`` trainings, and their slowdown.

    The slowdown is the median time of the last third of the runs over that
    of the first third. One untimed run comes first, to trace and warm caches.
    """
    process = psutil.Process()
    train()
    gc.collect()
    before = process.memory_info().rss
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        train()
        times.append(time.perf_counter() - start)
    gc.collect()
    growth = (process.memory_info().rss - before) / 2**20
    third = max(1, runs // 3)
    return growth, statistics.median(times[-third:]) / statistics.median(times[:third])


def report_memory(name: str, growth: float, slowdown: float, runs: int) -> None:
    """Print the memory and slowdown lines of one Keras path."""
    met = "met" if growth < MEMORY_LIMIT_MB else "NOT met"
    print(
        f"  {name}: memory growth over {runs} runs: {growth:.1f} MB "
        f"(target < {MEMORY_LIMIT_MB} MB, {met})"
    )
    met = "met" if slowdown <= SLOWDOWN_LIMIT else "NOT met"
    print(
        f"  {name}: last third / first third of the runs: {slowdown:.2f} "
        f"(target <= {SLOWDOWN_LIMIT:g}, {met})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds")
    parser.add_argument("--runs", type=int, default=30, help="runs for memory")
    args = parser.parse_args()

    split = data.split(data.load("default"))
    X, Y = split.X_train, split.Y_train
    timed = contenders(X, Y)
    seconds = interleaved_reported(timed, repeat=args.repeat)
    title = (
        f"{ITERATIONS} iterations of layers {'-'.join(map(str, LAYER_DIMS))} on "
        f"{X.shape[1]} examples, float64; median of {args.repeat} rounds; compiled "
        "rows include their tracing"
    )
    report(
        title,
        seconds,
        baseline="keras fit, bare",
        targets=[
            Target("keras fit + hook", "keras fit, bare", at_most=1.05),
            Target("keras fit, bare", "compiled XLA, warm", at_least=8),
            Target("keras fit, bare", "compiled XLA, first run", at_least=8),
            Target("keras fit, bare", "compiled, warm", at_least=8),
            Target("keras fit, bare", "compiled, first run", at_least=8),
        ],
    )

    arguments = (X, Y, LAYER_DIMS, LEARNING_RATE, ITERATIONS)
    for name, train in (
        ("train_compiled", keras_net.train_compiled),
        ("train_fit", keras_fit.train_fit),
    ):
        growth, slowdown = repeated_runs(
            functools.partial(train, *arguments), args.runs
        )
        report_memory(name, growth, slowdown, args.runs)


if __name__ == "__main__":
    main()

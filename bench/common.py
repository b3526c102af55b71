"""Timing helpers shared by the benchmarks.

A benchmark times each contender several times, keeps the median and prints it
next to its ratio against a reference that ran on the same machine in the same
minute. Ratios travel between machines; seconds do not.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import NamedTuple

from threadpoolctl import threadpool_limits


def median_seconds(fn: Callable[[], object], repeat: int = 7, warmup: int = 1) -> float:
    """Median wall time of ``repeat`` calls of ``fn``, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_medians(
    contenders: Mapping[str, Callable[[], object]], repeat: int = 7
) -> dict[str, float]:
    """Median wall time of each contender, timed round-robin.

    Every round calls each contender once, so a burst of load from another
    process slows all of them alike instead of one unlucky contender. One
    untimed round comes first, to warm caches and lazy imports.
    """
    times = {name: [] for name in contenders}
    for round_ in range(repeat + 1):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            if round_:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the block with one BLAS (and OpenMP) thread for every library.

    The benchmark matrices are small: a second BLAS thread gains little when a
    core is free and costs dearly when another process holds it, so every
    contender gets exactly one thread.
    """
    with threadpool_limits(limits=1):
        yield


class Target(NamedTuple):
    """A bound on the ratio ``seconds[numerator] / seconds[denominator]``.

    Set ``at_most`` for "no slower than", ``at_least`` for "at least this many
    times faster" (with the faster contender as ``denominator``).
    """

    numerator: str
    denominator: str
    at_most: float | None = None
    at_least: float | None = None

    def check(self, seconds: Mapping[str, float]) -> tuple[float, bool]:
        """The ratio measured in ``seconds`` and whether it meets the bound."""
        ratio = seconds[self.numerator] / seconds[self.denominator]
        met = (self.at_most is None or ratio <= self.at_most) and (
            self.at_least is None or ratio >= self.at_least
        )
        return ratio, met


def report(
    title: str,
    rows: Mapping[str, float],
    baseline: str,
    targets: Sequence[Target] = (),
) -> bool:
    """Print an aligned table of seconds and ratios, then one line per target.

    Parameters
    ----------
    title : str
    rows : mapping of str to float
        Median seconds of each contender, in the order to print.
    baseline : str
        The row every ratio is taken against.
    targets : sequence of Target
        Bounds to check, each printed as ``name / name: ratio (target, met)``.

    Returns
    -------
    bool
        Whether every target was met.
    """
    width = max(len("contender"), *(len(name) for name in rows))
    ratio_header = f"/ {baseline}"
    ratio_width = max(len(ratio_header), 6)
    print(title)
    print(f"  {'contender':<{width}}  {'seconds':>9}  {ratio_header:>{ratio_width}}")
    for name, seconds in rows.items():
        ratio = seconds / rows[baseline]
        print(f"  {name:<{width}}  {seconds:>9.4f}  {ratio:>{ratio_width}.2f}")

    all_met = True
    for target in targets:
        ratio, met = target.check(rows)
        bounds = []
        if target.at_most is not None:
            bounds.append(f"<= {target.at_most:g}")
        if target.at_least is not None:
            bounds.append(f">= {target.at_least:g}")
        verdict = "met" if met else "NOT met"
        print(
            f"  {target.numerator} / {target.denominator}: {ratio:.2f} "
            f"(target {' and '.join(bounds)}, {verdict})"
        )
        all_met = all_met and met
    return all_met

"""Stand-ins shared by the display tests: a manual clock and a display recorder."""

from __future__ import annotations


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeHandle:
    """A display handle that records its updates."""

    def __init__(self, calls: list) -> None:
        self.calls = calls

    def update(self, obj, **kwargs) -> None:
        self.calls.append(("update", obj, kwargs))


def record_displays(monkeypatch) -> list:
    """Make ``IPython.display.display`` record its calls; return the record."""
    calls: list = []

    def display(obj, **kwargs):
        calls.append(("display", obj, kwargs))
        return FakeHandle(calls)

    monkeypatch.setattr("IPython.display.display", display)
    return calls

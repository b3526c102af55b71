"""Tests of the progress bars: throttling, text, final states and where they render."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fakes import FakeClock, record_displays

from fcnet_magic import progress
from fcnet_magic.hooks import Step
from fcnet_magic.progress import (
    Progress,
    SilentProgress,
    TextProgress,
    WidgetProgress,
    display_mode,
    format_cost,
    format_seconds,
    make_progress,
)

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class TerminalStream(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def displayed(monkeypatch) -> list:
    """Record what is displayed instead of showing it."""
    calls = record_displays(monkeypatch)
    return calls


def step(iteration: int, cost: float = 0.5, validation_cost=None) -> Step:
    return Step(iteration, cost, {}, validation_cost)


def run_steps(bar: Progress, clock: FakeClock, count: int, seconds: float) -> None:
    for iteration in range(count):
        clock.now += seconds
        bar(step(iteration, 1.0 / (iteration + 1)))


# Throttling


def test_renders_at_most_every_refresh_interval():
    clock = FakeClock()
    bar = SilentProgress(250, "numpy", refresh_seconds=0.25, clock=clock)
    bar.start()
    assert bar.renders == 1

    # 250 steps of 1/64 s: a render at the first step, then every 16 steps.
    run_steps(bar, clock, 250, 1 / 64)
    assert bar.renders == 1 + 16
    assert bar.done == 250
    assert bar.cost == pytest.approx(1 / 250)

    bar.finish("completed", iterations_done=250)
    assert bar.renders == 1 + 16 + 1


def test_first_step_renders_right_away():
    clock = FakeClock()
    bar = SilentProgress(10, refresh_seconds=60, clock=clock)
    bar.start()
    bar(step(0))
    bar(step(1))
    assert bar.renders == 2


def test_first_step_starts_a_bar_that_was_not_started():
    bar = SilentProgress(10, refresh_seconds=60, clock=FakeClock())
    bar(step(0))
    assert bar.renders == 2
    assert bar.done == 1


def test_steps_after_finish_record_but_do_not_render():
    clock = FakeClock()
    bar = SilentProgress(10, refresh_seconds=0.1, clock=clock)
    bar.finish("interrupted", iterations_done=3)
    renders = bar.renders
    clock.now += 10
    bar(step(5))
    assert bar.renders == renders


def test_a_call_that_does_not_render_is_cheap():
    bar = SilentProgress(10**9, refresh_seconds=1e9)
    bar.start()
    bar(step(0))
    one = step(1)
    calls = 100_000
    began = time.perf_counter()
    for _ in range(calls):
        bar(one)
    per_call = (time.perf_counter() - began) / calls
    # About a microsecond on a laptop; the bound leaves room for a busy machine.
    assert per_call < 20e-6


# Text of a bar


def test_text_while_running_gives_counts_cost_elapsed_and_remaining():
    clock = FakeClock(100.0)
    bar = SilentProgress(250, "numpy", clock=clock)
    bar.start()
    clock.now = 100.8
    for iteration in range(137):
        bar(step(iteration, 0.4213))
    assert bar.text() == "numpy 137/250 · cost 0.4213 · 0.8 s elapsed · ~0.66 s left"
    assert bar.remaining == pytest.approx(0.8 / 137 * 113)


def test_text_shows_validation_cost_and_omits_a_missing_label():
    clock = FakeClock()
    bar = SilentProgress(4, clock=clock)
    bar.start()
    bar(step(1, 0.5, validation_cost=0.75))
    assert bar.text().startswith("2/4 · cost 0.5000 · validation 0.7500 · ")


def test_text_before_any_step_has_no_cost():
    bar = SilentProgress(5, "keras", clock=FakeClock())
    bar.start()
    assert bar.text() == "keras 0/5 · 0 s elapsed"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.31, "0.31 s"), (0.8, "0.8 s"), (12.3, "12 s"), (125, "2 min 05 s")],
)
def test_format_seconds(seconds, text):
    assert format_seconds(seconds) == text


@pytest.mark.parametrize(
    ("cost", "text"),
    [(0.09123, "0.0912"), (2.5, "2.5000"), (2e-5, "2.000e-05"), (float("nan"), "nan")],
)
def test_format_cost(cost, text):
    assert format_cost(cost) == text


# Final states


FINISHES = [
    ("completed", 250, "", "numpy 250/250 · cost 0.0040 · 2 s · completed"),
    (
        "early_stopping",
        137,
        "",
        "numpy 137/250 · cost 0.0040 · 2 s · stopped early",
    ),
    (
        "diverged",
        12,
        "lower the learning rate",
        "numpy 12/250 · cost 0.0040 · 2 s · "
        "diverged at iteration 12: lower the learning rate",
    ),
    ("interrupted", 90, "", "numpy 90/250 · cost 0.0040 · 2 s · interrupted"),
    ("failed", 0, "keras is not installed", "· failed: keras is not installed"),
]


def finished_bar(kind, stopped, iterations_done, message, **kwargs) -> Progress:
    clock = FakeClock()
    bar = kind(250, "numpy", clock=clock, **kwargs)
    bar.start()
    run_steps(bar, clock, 250, 2.0 / 250)
    bar.finish(stopped, iterations_done=iterations_done, message=message)
    return bar


@pytest.mark.parametrize(("stopped", "done", "message", "line"), FINISHES)
def test_text_progress_ends_with_the_outcome_on_a_log(stopped, done, message, line):
    stream = io.StringIO()
    bar = finished_bar(TextProgress, stopped, done, message, stream=stream)
    # A 2-second run on a log leaves one line, the final one.
    assert stream.getvalue().endswith(line + "\n")
    assert stream.getvalue().count("\n") == 1
    assert "\r" not in stream.getvalue()
    assert bar.stopped == stopped


@pytest.mark.parametrize(("stopped", "done", "message", "line"), FINISHES)
def test_text_progress_rewrites_one_line_on_a_terminal(stopped, done, message, line):
    stream = TerminalStream()
    finished_bar(TextProgress, stopped, done, message, stream=stream)
    written = stream.getvalue()
    assert written.startswith("\rnumpy 0/250")
    assert written.count("\n") == 1
    assert written.endswith("\n")
    # The final line, its outcome colored, over the last progress line.
    final = written.rsplit("\r", 1)[1]
    plain = re.sub(r"\x1b\[[0-9;]*m", "", final).rstrip()
    assert plain.endswith(line)


def test_text_progress_colors_each_outcome_apart():
    colors = set()
    for stopped, done, message, _ in FINISHES:
        stream = TerminalStream()
        finished_bar(TextProgress, stopped, done, message, stream=stream)
        colors.add(re.findall(r"\x1b\[[0-9;]*m", stream.getvalue())[0])
    assert len(colors) == 4  # diverged and failed share red


def test_text_progress_pads_a_shorter_line_over_a_longer_one():
    stream = TerminalStream()
    clock = FakeClock()
    bar = TextProgress(10, "numpy", refresh_seconds=0, clock=clock, stream=stream)
    bar.start()
    bar(step(0, 123456.0))
    bar(step(1, 0.5))
    lines = stream.getvalue().split("\r")[1:]
    assert len(lines[2]) == len(lines[1])


def test_text_progress_on_a_log_writes_a_line_every_few_seconds():
    stream = io.StringIO()
    clock = FakeClock()
    bar = TextProgress(1280, "numpy", clock=clock, stream=stream, log_seconds=5.0)
    bar.start()
    run_steps(bar, clock, 1280, 1 / 64)  # 20 s
    bar.finish("completed", iterations_done=1280)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4 + 1
    assert lines[0].startswith("numpy 320/1280 · ")
    assert lines[-1].endswith("· completed")


@pytest.mark.parametrize(
    ("stopped", "done", "style", "value"),
    [
        ("completed", 250, "success", 250),
        ("early_stopping", 137, "info", 137),
        ("diverged", 12, "danger", 12),
        ("interrupted", 90, "warning", 90),
    ],
)
def test_widget_progress_final_state(displayed, stopped, done, style, value):
    bar = finished_bar(WidgetProgress, stopped, done, "lower the learning rate")
    assert bar.bar.bar_style == style
    assert bar.bar.value == value
    assert bar.bar.max == 250
    assert bar.bar.description == "numpy"
    assert bar.status() in bar.label_html.value


def test_widget_progress_shows_the_view_and_text_then_updates_the_text(displayed):
    clock = FakeClock()
    bar = WidgetProgress(250, "numpy", clock=clock)
    bar.start()
    (kind, bundle, options) = displayed[0]
    assert kind == "display"
    assert options == {"raw": True, "display_id": True}
    assert bundle[WIDGET_VIEW] == {
        "model_id": bar.widget.model_id,
        "version_major": 2,
        "version_minor": 0,
    }
    assert bundle["text/plain"] == "numpy 0/250 · 0 s elapsed"

    run_steps(bar, clock, 250, 0.3 / 250)
    assert len(displayed) == 1  # throttled updates touch the widget only
    assert bar.bar.value > 0

    bar.finish("completed", iterations_done=250)
    (kind, bundle, options) = displayed[1]
    assert kind == "update"
    assert options == {"raw": True}
    assert bundle["text/plain"] == "numpy 250/250 · cost 0.0040 · 0.3 s · completed"
    assert WIDGET_VIEW in bundle


def test_widget_progress_updates_are_throttled(displayed):
    clock = FakeClock()
    bar = WidgetProgress(250, "numpy", clock=clock, refresh_seconds=0.25)
    values = []
    bar.bar.observe(lambda change: values.append(change["new"]), names="value")
    bar.start()
    run_steps(bar, clock, 250, 1 / 64)
    assert len(values) == 16
    assert values[0] == 1


# A bar over the runs of a sweep


def test_advance_counts_runs_and_names_the_last_one():
    clock = FakeClock()
    bar = SilentProgress(6, "runs", clock=clock)
    bar.start()
    clock.now += 2.0
    bar.advance("lr=0.1 (numpy)")
    clock.now += 2.0
    bar.advance("lr=1 (numpy)")
    assert bar.done == 2
    assert bar.text().startswith("runs 2/6 · lr=1 (numpy) · ")


def test_advance_on_a_terminal_writes_whole_lines():
    stream = TerminalStream()
    clock = FakeClock()
    bar = TextProgress(3, "runs", refresh_seconds=0, clock=clock, stream=stream)
    bar.start()
    for label in ("a", "b", "c"):
        clock.now += 1.0
        bar.advance(label)
    bar.finish("completed", iterations_done=3)
    # What stays on screen of each line: the text after its last carriage return.
    lines = [line.rsplit("\r", 1)[-1] for line in stream.getvalue().split("\n")[:-1]]
    assert len(lines) == 4
    assert lines[0].startswith("runs 1/3 · a · 1 s elapsed · ~2 s left")
    assert lines[2].startswith("runs 3/3 · c")
    assert "completed" in lines[3]


# Choosing a rendering


class ZMQInteractiveShell:
    """Stands for ipykernel's shell: only the class name matters."""


class TerminalInteractiveShell:
    kernel = None


class ShellWithKernel:
    kernel = object()


def test_display_mode_in_a_kernel_is_widget():
    assert display_mode(ZMQInteractiveShell()) == "widget"
    assert display_mode(ShellWithKernel()) == "widget"


def test_display_mode_in_a_terminal_or_plain_python_is_text():
    assert display_mode(TerminalInteractiveShell()) == "text"
    assert display_mode() == "text"  # pytest runs no IPython shell


def test_display_mode_in_a_kernel_without_ipywidgets_is_text(monkeypatch):
    monkeypatch.setattr(progress.importlib.util, "find_spec", lambda name: None)
    assert display_mode(ZMQInteractiveShell()) == "text"


def test_make_progress_follows_display_mode(monkeypatch, displayed):
    assert type(make_progress(5)) is TextProgress
    assert type(make_progress(5, mode="none")) is SilentProgress
    assert type(make_progress(5, mode="widget")) is WidgetProgress
    monkeypatch.setattr(progress, "display_mode", lambda: "widget")
    bar = make_progress(5, "numpy", refresh_seconds=1.5)
    assert type(bar) is WidgetProgress
    assert (bar.total, bar.label, bar.refresh_seconds) == (5, "numpy", 1.5)


def test_make_progress_rejects_an_unknown_mode():
    with pytest.raises(ValueError, match=r"mode must be None or one of .*got 'html'"):
        make_progress(5, mode="html")


def test_finish_rejects_an_unknown_outcome():
    bar = SilentProgress(5)
    with pytest.raises(ValueError, match=r"stopped must be one of .*got 'done'"):
        bar.finish("done", iterations_done=5)


def test_total_must_be_positive():
    with pytest.raises(ValueError, match=r"total must be a positive .*got 0"):
        SilentProgress(0)


def test_importing_the_package_imports_no_widgets():
    code = (
        "import sys, fcnet_magic.progress, fcnet_magic.plots; "
        "print(sorted({'ipywidgets', 'matplotlib'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# A notebook executed in a real kernel, with no frontend to render widgets


NOTEBOOK_CODE = """\
from fcnet_magic.hooks import Step
from fcnet_magic.progress import display_mode, make_progress

print(display_mode())
bar = make_progress(250, "numpy")
bar.start()
for iteration in range(250):
    bar(Step(iteration, 1.0 / (iteration + 1), {}))
bar.finish("completed", iterations_done=250)
"""


def isolated_kernel(tmp_path: Path, monkeypatch) -> None:
    """Make ``python3`` name a kernel of this interpreter, seen by nothing else."""
    data = tmp_path / "jupyter"
    spec_dir = data / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (fcnet_magic tests)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(data))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[1]))


@pytest.mark.kernel
def test_notebook_keeps_the_widget_view_and_the_final_text(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    isolated_kernel(tmp_path, monkeypatch)
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(NOTEBOOK_CODE))

    client = nbclient.NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()

    outputs = notebook.cells[0].outputs
    printed = [output.text for output in outputs if output.get("name") == "stdout"]
    assert printed == ["widget\n"]
    bars = [output for output in outputs if output.output_type == "display_data"]
    assert len(bars) == 1
    data = bars[0].data
    assert data[WIDGET_VIEW]["version_major"] == 2
    assert re.fullmatch(
        r"numpy 250/250 · cost 0\.0040 · [0-9.]+ s · completed", data["text/plain"]
    )
    state = notebook.metadata.widgets["application/vnd.jupyter.widget-state+json"]
    model_id = data[WIDGET_VIEW]["model_id"]
    assert state["state"][model_id]["model_name"] == "HBoxModel"

"""Tests of the cost figures and of the live cost plot."""

from __future__ import annotations

import struct
import time
from types import SimpleNamespace

import numpy as np
import pytest
from fakes import FakeClock, record_displays

from fcnet_magic import plots
from fcnet_magic.hooks import Step
from fcnet_magic.plots import (
    ENGINE_COLORS,
    GHOST_ALPHA,
    PARITY_TITLE,
    Curve,
    LiveCostPlot,
    comparison_figure,
    cost_figure,
    curve_of,
    figure_png,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ITERATIONS = np.arange(250)
COSTS = 0.6 * np.exp(-ITERATIONS / 60) + 0.1  # spans less than a decade


@pytest.fixture
def kernel(monkeypatch) -> list:
    """Pretend to run in a kernel, recording what is displayed."""
    calls = record_displays(monkeypatch)
    monkeypatch.setattr(plots, "in_kernel", lambda: True)
    return calls


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the header chunk of a PNG."""
    return struct.unpack(">II", png[16:24])


def legend_labels(axes) -> list[str]:
    return [text.get_text() for text in axes.get_legend().get_texts()]


# Curves


def test_curve_holds_float_arrays():
    curve = Curve("numpy", [1, 2, 3], "numpy", validation_costs=[2, 3, 4])
    assert curve.costs.dtype == float
    np.testing.assert_array_equal(curve.validation_costs, [2.0, 3.0, 4.0])


def test_curve_rejects_an_unknown_engine_or_outcome():
    with pytest.raises(ValueError, match=r"engine must be one of .*got 'torch'"):
        Curve("x", COSTS, "torch")
    with pytest.raises(ValueError, match=r"stopped must be one of .*got 'done'"):
        Curve("x", COSTS, "numpy", stopped="done")


def test_curve_of_a_training_result():
    run = SimpleNamespace(
        engine="keras", costs=COSTS, stopped="interrupted", validation_costs=None
    )
    curve = curve_of(run, "lr=1")
    assert (curve.label, curve.engine, curve.stopped) == (
        "lr=1 (keras)",
        "keras",
        "interrupted",
    )
    assert curve_of(run).label == "keras"
    assert curve_of(run, ghost=True).ghost


# The figure after a run


def test_cost_figure_draws_one_line_per_curve_and_validation():
    curves = [
        Curve("numpy", COSTS, "numpy", validation_costs=COSTS + 0.05),
        Curve("keras", COSTS * 1.01, "keras"),
    ]
    figure = cost_figure(curves, title="numpy vs keras")
    (axes,) = figure.axes
    lines = axes.get_lines()
    assert len(lines) == 3
    assert legend_labels(axes) == ["numpy", "numpy validation", "keras"]
    assert axes.get_xlabel() == "iteration"
    assert axes.get_ylabel() == "cost"
    assert axes.get_title() == "numpy vs keras"
    assert axes.get_yscale() == "linear"
    np.testing.assert_allclose(lines[0].get_ydata(), COSTS)

    numpy_line, validation_line, keras_line = lines
    assert numpy_line.get_color() == ENGINE_COLORS["numpy"]
    assert validation_line.get_color() == ENGINE_COLORS["numpy"]
    assert validation_line.get_linestyle() == "--"
    assert keras_line.get_color() == ENGINE_COLORS["keras"]
    assert tuple(figure.get_size_inches()) == (6.0, 3.5)


def test_ghosts_are_faded_thinner_and_labelled():
    ghost = Curve("lr=0.1 (numpy)", COSTS, "numpy", ghost=True)
    current = Curve("lr=1 (numpy)", COSTS * 0.9, "numpy")
    (axes,) = cost_figure([ghost, current]).axes
    ghost_line, current_line = axes.get_lines()
    assert ghost_line.get_alpha() == GHOST_ALPHA
    assert current_line.get_alpha() == 1.0
    assert ghost_line.get_linewidth() < current_line.get_linewidth()
    assert legend_labels(axes) == ["lr=0.1 (numpy)", "lr=1 (numpy)"]


def test_runs_of_an_engine_differ_by_line_style_engines_by_color():
    curves = [
        Curve("lr=0.1 (numpy)", COSTS, "numpy"),
        Curve("lr=0.1 (keras)", COSTS, "keras"),
        Curve("lr=1 (numpy)", COSTS, "numpy"),
        Curve("lr=1 (keras)", COSTS, "keras"),
    ]
    lines = cost_figure(curves).axes[0].get_lines()
    styles = [line.get_linestyle() for line in lines]
    colors = [line.get_color() for line in lines]
    assert styles[0] == styles[1] != styles[2] == styles[3]
    assert colors[0] == colors[2] != colors[1] == colors[3]


@pytest.mark.parametrize(
    ("costs", "log_scale", "scale"),
    [
        (COSTS, None, "linear"),
        (np.geomspace(1.0, 1e-3, 250), None, "log"),
        (np.geomspace(1.0, 0.02, 250), None, "linear"),
        (COSTS, True, "log"),
        (np.geomspace(1.0, 1e-3, 250), False, "linear"),
    ],
)
def test_log_scale_when_costs_span_more_than_two_decades(costs, log_scale, scale):
    figure = cost_figure([Curve("numpy", costs, "numpy")], log_scale=log_scale)
    assert figure.axes[0].get_yscale() == scale


def test_diverged_run_ends_with_a_cross_and_a_note_at_its_last_finite_cost():
    costs = np.r_[COSTS[:20], 5.0, 80.0, np.inf, np.nan]
    curve = Curve("lr=9 (numpy)", costs, "numpy", stopped="diverged")
    (axes,) = cost_figure([curve]).axes
    markers = [line for line in axes.get_lines() if line.get_marker() == "x"]
    assert len(markers) == 1
    assert list(markers[0].get_xdata()) == [21]
    assert list(markers[0].get_ydata()) == [80.0]
    assert [text.get_text() for text in axes.texts] == ["diverged"]
    assert legend_labels(axes) == ["lr=9 (numpy)"]


@pytest.mark.parametrize(
    ("stopped", "marker", "note"),
    [("early_stopping", "o", "stopped early"), ("interrupted", "s", "interrupted")],
)
def test_runs_that_stopped_before_the_end_end_with_a_marker(stopped, marker, note):
    curve = Curve("numpy", COSTS[:90], "numpy", stopped=stopped)
    (axes,) = cost_figure([curve]).axes
    end = [line for line in axes.get_lines() if line.get_marker() == marker]
    assert list(end[0].get_xdata()) == [89]
    assert [text.get_text() for text in axes.texts] == [note]


def test_completed_run_has_no_marker():
    (axes,) = cost_figure([Curve("numpy", COSTS, "numpy")]).axes
    assert [line.get_marker() for line in axes.get_lines()] == ["None"]
    assert len(axes.texts) == 0


def test_many_curves_put_the_legend_beside_the_axes():
    curves = [Curve(f"run {index}", COSTS + index, "numpy") for index in range(8)]
    figure = cost_figure(curves)
    (axes,) = figure.axes
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    legend_box = axes.get_legend().get_window_extent(renderer)
    assert legend_box.x0 > axes.get_window_extent(renderer).x1


def test_figure_png_renders_png_bytes_at_the_asked_resolution():
    figure = cost_figure([Curve("numpy", COSTS, "numpy")])
    png = figure_png(figure)
    assert png.startswith(PNG_SIGNATURE)
    assert png_size(png) == (600, 350)
    assert png_size(figure_png(figure, dpi=50)) == (300, 175)


# The figure of a comparison


def test_comparison_without_parity_has_one_panel():
    curves = [Curve("numpy", COSTS, "numpy"), Curve("keras", COSTS, "keras")]
    figure = comparison_figure(curves)
    assert len(figure.axes) == 1
    assert len(figure.axes[0].get_lines()) == 2


def test_comparison_with_parity_adds_a_log_panel_of_the_gaps():
    curves = [Curve("numpy", COSTS, "numpy"), Curve("keras", COSTS, "keras")]
    gap = np.r_[0.0, np.full(249, -3e-7)]
    figure = comparison_figure(curves, parity=[("keras", gap)])
    costs_axes, parity_axes = figure.axes
    assert len(costs_axes.get_lines()) == 2
    assert parity_axes.get_yscale() == "log"
    assert parity_axes.get_title() == PARITY_TITLE
    assert parity_axes.get_xlabel() == "iteration"
    (line,) = parity_axes.get_lines()
    gaps = line.get_ydata()
    # Identical costs sit at machine epsilon, where a log scale can show them.
    assert gaps[0] == np.finfo(float).eps
    np.testing.assert_allclose(gaps[1:], 3e-7)
    assert figure_png(figure).startswith(PNG_SIGNATURE)


# The live plot


def feed(plot: LiveCostPlot, clock: FakeClock, costs, seconds: float) -> None:
    for iteration, cost in enumerate(costs):
        clock.now += seconds
        plot(Step(iteration, float(cost), {}))


def test_live_plot_draws_nothing_in_its_first_refresh_interval():
    clock = FakeClock()
    target = SimpleNamespace(value=b"")
    plot = LiveCostPlot(
        "numpy", "numpy", 250, refresh_seconds=5.0, clock=clock, target=target
    )
    plot.start()
    feed(plot, clock, COSTS[:100], 0.04)  # 4 s, less than one interval
    assert plot.redraws == 0
    assert target.value == b""
    assert len(plot.costs) == 100


def test_live_plot_redraws_at_most_every_refresh_interval_into_its_target():
    clock = FakeClock()
    target = SimpleNamespace(value=b"")
    plot = LiveCostPlot(
        "numpy", "numpy", 250, refresh_seconds=10.0, clock=clock, target=target
    )
    plot.start()
    # 250 steps of 0.25 s: a frame at 10 s, 20 s, ... 60 s.
    feed(plot, clock, COSTS, 0.25)
    assert plot.redraws == 6
    assert target.value.startswith(PNG_SIGNATURE)
    assert png_size(target.value) == (600, 350)
    assert plot.redraw_seconds > 0


def test_live_plot_waits_longer_when_a_frame_takes_long():
    class SlowPlot(LiveCostPlot):
        def redraw(self) -> bytes:
            self.redraws += 1
            self.redraw_seconds = 2.0
            return b""

    clock = FakeClock()
    target = SimpleNamespace(value=b"")
    plot = SlowPlot(
        "numpy", "numpy", 100, refresh_seconds=1.0, clock=clock, target=target
    )
    plot.start()
    feed(plot, clock, COSTS[:100], 1.0)
    # Frames 30 s apart (fifteen times the drawing time) from 1 s on: 1, 31, 61, 91.
    assert plot.redraws == 4


def test_live_plot_starts_on_its_first_step():
    clock = FakeClock()
    target = SimpleNamespace(value=b"")
    plot = LiveCostPlot(
        "numpy", "numpy", 10, refresh_seconds=10.0, clock=clock, target=target
    )
    feed(plot, clock, COSTS[:10], 5.0)  # starts at 5 s, then draws every 10 s
    assert plot.redraws == 4


def test_live_plot_moves_the_current_line_and_keeps_ghosts():
    ghost = Curve("lr=0.1 (numpy)", COSTS, "numpy")
    plot = LiveCostPlot("lr=1 (numpy)", "numpy", 250, ghosts=[ghost])
    assert plot.ghosts[0].ghost
    for iteration, cost in enumerate(COSTS[:40]):
        plot(Step(iteration, float(cost), {}, float(cost) + 0.1))
    png = plot.redraw()
    assert png.startswith(PNG_SIGNATURE)

    (axes,) = plot.figure.axes
    ghost_line, current_line, validation_line = axes.get_lines()
    assert ghost_line.get_alpha() == GHOST_ALPHA
    np.testing.assert_allclose(current_line.get_ydata(), COSTS[:40])
    np.testing.assert_allclose(validation_line.get_ydata(), COSTS[:40] + 0.1)
    assert axes.get_xlim() == (0, 249)
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("iteration", "cost")
    assert legend_labels(axes) == [
        "lr=0.1 (numpy)",
        "lr=1 (numpy)",
        "lr=1 (numpy) validation",
    ]

    for iteration, cost in enumerate(COSTS[40:80], start=40):
        plot(Step(iteration, float(cost), {}, None))
    plot.redraw()
    assert len(axes.get_lines()) == 3
    assert current_line.get_xdata()[-1] == 79
    assert np.isnan(validation_line.get_ydata()[-1])


def test_live_plot_adds_validation_costs_when_they_appear():
    plot = LiveCostPlot("numpy", "numpy", 250)
    plot(Step(0, 0.7, {}))
    plot.redraw()
    (axes,) = plot.figure.axes
    assert len(axes.get_lines()) == 1

    plot(Step(1, 0.6, {}, 0.65))
    plot.redraw()
    validation_line = axes.get_lines()[1]
    np.testing.assert_array_equal(validation_line.get_ydata(), [np.nan, 0.65])
    assert legend_labels(axes) == ["numpy", "numpy validation"]


def test_live_plot_builds_its_figure_at_start_only_with_somewhere_to_draw(
    monkeypatch,
):
    monkeypatch.setattr(plots, "in_kernel", lambda: False)
    plot = LiveCostPlot("numpy", "numpy", 250)
    plot.start()
    assert plot.figure is None
    plot = LiveCostPlot("numpy", "numpy", 250, target=SimpleNamespace(value=b""))
    plot.start()
    assert plot.figure is not None
    plot.finish("completed")
    assert plot.figure is None


def test_live_plot_switches_to_log_scale_when_costs_fall_far():
    plot = LiveCostPlot("numpy", "numpy", 250)
    for iteration, cost in enumerate(np.geomspace(1.0, 0.5, 50)):
        plot(Step(iteration, float(cost), {}))
    plot.redraw()
    axes = plot.figure.axes[0]
    assert axes.get_yscale() == "linear"
    for iteration, cost in enumerate(np.geomspace(0.5, 1e-4, 50), start=50):
        plot(Step(iteration, float(cost), {}))
    plot.redraw()
    assert axes.get_yscale() == "log"


def test_live_plot_finish_leaves_the_final_curve_in_its_target():
    clock = FakeClock()
    target = SimpleNamespace(value=b"")
    plot = LiveCostPlot("numpy", "numpy", 250, clock=clock, target=target)
    plot.start()
    feed(plot, clock, COSTS[:120], 0.001)
    assert plot.redraws == 0
    plot.finish("early_stopping")
    assert target.value.startswith(PNG_SIGNATURE)
    curve = plot.curve("early_stopping")
    np.testing.assert_allclose(curve.costs, COSTS[:120])
    assert curve.validation_costs is None


def test_live_plot_in_a_kernel_draws_into_one_display_and_empties_it(kernel):
    clock = FakeClock()
    plot = LiveCostPlot("numpy", "numpy", 250, refresh_seconds=10.0, clock=clock)
    plot.start()
    assert kernel == [
        ("display", {"text/plain": ""}, {"raw": True, "display_id": True})
    ]

    feed(plot, clock, COSTS, 0.1)  # 25 s: frames at 10 s and 20 s
    frames = kernel[1:]
    assert len(frames) == 2
    for kind, bundle, options in frames:
        assert (kind, options) == ("update", {"raw": True})
        assert bundle["image/png"].startswith(PNG_SIGNATURE)
        assert bundle["text/plain"].startswith("<cost curve of numpy: ")

    plot.finish("completed")
    assert kernel[-1] == ("update", {"text/plain": ""}, {"raw": True})


def test_short_live_plot_in_a_kernel_leaves_its_display_untouched(kernel):
    clock = FakeClock()
    plot = LiveCostPlot("numpy", "numpy", 250, clock=clock)
    plot.start()
    feed(plot, clock, COSTS, 0.001)
    plot.finish("completed")
    assert len(kernel) == 1


def test_live_plot_outside_a_kernel_only_records(monkeypatch):
    monkeypatch.setattr(plots, "in_kernel", lambda: False)
    clock = FakeClock()
    plot = LiveCostPlot("numpy", "numpy", 250, clock=clock)
    plot.start()
    feed(plot, clock, COSTS, 1.0)
    plot.finish("completed")
    assert plot.redraws == 0
    assert len(plot.costs) == 250


def test_a_live_plot_call_that_does_not_redraw_is_cheap():
    plot = LiveCostPlot("numpy", "numpy", 10**6, refresh_seconds=1e9)
    plot.start()
    one = Step(1, 0.5, {})
    calls = 100_000
    began = time.perf_counter()
    for _ in range(calls):
        plot(one)
    per_call = (time.perf_counter() - began) / calls
    # About a microsecond on a laptop; the bound leaves room for a busy machine.
    assert per_call < 20e-6


def test_live_plot_rejects_an_unknown_engine():
    with pytest.raises(ValueError, match=r"engine must be one of .*got 'jax'"):
        LiveCostPlot("jax", "jax", 10)


def test_show_figure_sends_png_with_a_text_description(monkeypatch):
    calls = record_displays(monkeypatch)
    plots.show_figure(cost_figure([Curve("numpy", COSTS, "numpy")]), "cost curve")
    ((_, bundle, options),) = calls
    assert bundle["image/png"].startswith(PNG_SIGNATURE)
    assert bundle["text/plain"] == "[cost curve]"
    assert options == {"raw": True}


def test_a_sweep_of_one_engine_gets_a_color_per_run():
    curves = [Curve(f"lr={lr}", COSTS * lr, "numpy") for lr in (1, 2, 3)]
    by_engine = cost_figure(curves).axes[0].get_lines()
    by_run = cost_figure(curves, color_by_run=True).axes[0].get_lines()
    assert len({line.get_color() for line in by_engine}) == 1
    assert len({line.get_color() for line in by_run}) == 3
    assert {line.get_linestyle() for line in by_run} == {"-"}

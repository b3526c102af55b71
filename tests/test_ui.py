"""The training controls without a browser: clicks, the thread, Stop, messages."""

from __future__ import annotations

import gc
import html
import re
import time

import ipywidgets as widgets
import numpy as np
import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from fcnet_magic import training
from fcnet_magic.settings import MAX_ITERATIONS, Settings
from fcnet_magic.ui import TrainingUI
from fcnet_magic.ui_controls import table_html

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# A run that only ends when stopped: minutes at about 0.3 ms per iteration.
LONG = MAX_ITERATIONS


def make_ui(**changes) -> TrainingUI:
    settings = Settings(layers="5-1", iterations=40, engines="numpy").replace(**changes)
    return TrainingUI(settings, live_plot=False)


def finish(ui: TrainingUI) -> None:
    assert ui.wait(timeout=60), "the training thread did not end within 60 s"


def wait_until(predicate, timeout: float = 30.0) -> None:
    """Poll ``predicate`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.005)


def table_rows(ui: TrainingUI) -> list[list[str]]:
    rows = re.findall(r"<tr>(<td.*?)</tr>", ui.table.value)
    return [
        [shown_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in rows
    ]


def shown_text(markup: str) -> str:
    """What a message or table cell reads as, without tags and entities."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def open_widgets() -> list[widgets.Widget]:
    """Every widget still connected to a frontend (closed ones have no comm)."""
    return [
        item
        for item in gc.get_objects()
        if isinstance(item, widgets.Widget) and item.comm is not None
    ]


def test_controls_start_from_the_cell_settings():
    settings = Settings(
        layers="20-5-1",
        learning_rate=0.03,
        iterations=120,
        engines="both",
        seed=7,
        batch_size=64,
    )
    ui = TrainingUI(settings, live_plot=False)
    controls = ui.controls
    assert controls.layers.value == "20-5-1"
    assert controls.exact_rate.value == 0.03
    assert controls.learning_rate.value == pytest.approx(0.03)
    assert controls.iterations.value == 120
    assert controls.engine.value == "both"
    assert controls.seed.value == 7
    assert controls.data.value == "default"
    assert controls.settings() == settings
    assert controls.settings().batch_size == 64


def test_each_click_adds_a_run_and_a_table_row():
    ui = make_ui()
    results = ui.results
    ui.train_button.click()
    finish(ui)
    ui.controls.exact_rate.value = 0.5
    ui.train_button.click()
    finish(ui)

    assert ui.results is results
    assert [run.learning_rate for run in results] == [0.1, 0.5]
    assert all(run.stopped == "completed" for run in results)
    rows = table_rows(ui)
    assert [row[0] for row in rows] == ["1", "2"]
    assert rows[0][1] == "NumPy"
    assert rows[1][2] == "learning_rate 0.1 -> 0.5"
    assert rows[1][4] == f"{results[1].final_cost:.4f}"
    assert rows[1][7] == "completed"
    assert "run #2: numpy completed 40 iterations" in shown_text(ui.status.value)


def test_ghosts_are_earlier_runs_labelled_by_what_changed():
    ui = make_ui()
    ui.train_button.click()
    finish(ui)
    ui.controls.exact_rate.value = 1.0
    ui.controls.iterations.value = 60
    next_settings = ui.controls.settings()

    ghosts = ui._ghosts(next_settings)

    assert [ghost.label for ghost in ghosts] == [
        "#1 learning_rate 0.1 -> 1, iterations 40 -> 60 (numpy)"
    ]
    assert ghosts[0].ghost
    np.testing.assert_array_equal(ghosts[0].costs, ui.results[0].costs)


def test_final_figure_is_shown_after_each_run():
    ui = TrainingUI(Settings(layers="5-1", iterations=30), live_plot=True)
    ui.train_button.click()
    finish(ui)
    first = bytes(ui.plot.value)
    ui.train_button.click()
    finish(ui)

    assert first.startswith(b"\x89PNG")
    assert bytes(ui.plot.value).startswith(b"\x89PNG")
    assert bytes(ui.plot.value) != first
    assert ui.plot.layout.display is None


def test_learning_rate_slider_and_exact_entry_stay_in_sync():
    controls = make_ui().controls
    controls.exact_rate.value = 0.37
    assert controls.learning_rate.value == pytest.approx(0.37)
    controls.learning_rate.value = 10**-2.5
    assert controls.exact_rate.value == 0.00316
    controls.exact_rate.value = 50.0
    assert controls.learning_rate.max >= 2
    assert controls.learning_rate.value == pytest.approx(50.0)


def test_stop_ends_a_long_run_with_a_partial_result():
    ui = make_ui(iterations=LONG)
    ui.train_button.click()
    wait_until(lambda: ui._bars and ui._bars[0].done > 5)
    assert ui.running
    assert ui.train_button.disabled
    assert all(control.disabled for control in ui.controls.controls)
    assert not ui.stop_button.disabled

    ui.stop_button.click()
    finish(ui)

    (run,) = ui.results
    assert run.stopped == "interrupted"
    assert 5 < run.iterations_run < LONG
    assert np.isfinite(run.final_cost)
    assert run.parameters["W1"].shape == (5, 100)
    assert table_rows(ui)[0][7] == "interrupted"
    assert "interrupted after" in shown_text(ui.status.value)
    assert ui._bars[0].stopped == "interrupted"
    assert not ui.running
    assert not ui.train_button.disabled
    assert not any(control.disabled for control in ui.controls.controls)
    assert ui.stop_button.disabled


def test_a_click_while_running_is_refused_not_queued():
    ui = make_ui(iterations=LONG)
    assert ui.train()
    assert not ui.train()
    assert "a run is going" in shown_text(ui.status.value)
    ui.stop()
    finish(ui)
    assert len(ui.results) == 1


def test_stop_ends_the_batch_before_the_next_engine():
    ui = make_ui(iterations=LONG)
    ui.controls.engine.value = "all"

    # Stop before any iteration ran: numpy ends at once, Keras never starts.
    ui.train()
    ui.stop()
    finish(ui)

    assert [run.engine for run in ui.results] == ["numpy"]
    assert ui.results[0].stopped == "interrupted"


def test_invalid_layers_show_a_message_and_train_is_refused():
    ui = make_ui()
    ui.train_button.click()
    finish(ui)
    before = ui.table.value

    ui.controls.layers.value = "20-5"
    message = shown_text(ui.controls.messages["layers"].value)
    assert "must end with a single sigmoid unit (1), got 20-5" in message
    assert "#c0392b" in ui.controls.messages["layers"].value

    ui.train_button.click()
    assert not ui.running
    assert len(ui.results) == 1
    assert ui.table.value == before
    assert "fix layers first" in shown_text(ui.status.value)

    ui.controls.layers.value = "20-5-1"
    assert ui.controls.messages["layers"].value == ""
    assert ui.train()
    finish(ui)
    assert len(ui.results) == 2


@pytest.mark.parametrize(
    ("control", "value", "expected"),
    [
        ("iterations", 0, "iterations must be a whole number from 1"),
        ("seed", -3, "seed must be a whole number from 0"),
        ("exact_rate", 0.0, "learning_rate must be a positive number"),
    ],
)
def test_bad_numbers_show_a_message_beside_their_control(control, value, expected):
    ui = make_ui()
    getattr(ui.controls, control).value = value
    name = "learning_rate" if control == "exact_rate" else control
    assert expected in shown_text(ui.controls.messages[name].value)
    with pytest.raises(UsageError, match=f"fix {name} first"):
        ui.controls.settings()
    assert not ui.train()


def test_bad_data_is_reported_when_train_is_clicked():
    ui = make_ui()
    ui.controls.data.value = "no_such_file.csv"
    assert ui.controls.messages["data"].value == ""

    assert not ui.train()

    message = shown_text(ui.controls.messages["data"].value)
    assert "no_such_file.csv" in message
    assert "does not exist" in message
    assert ui.results == []


def test_same_initial_weights_rerun_from_the_previous_start():
    ui = make_ui()
    ui.train_button.click()
    finish(ui)
    first = ui.results[0].initial_parameters

    ui.controls.seed.value = 2
    ui.controls.same_weights.value = True
    ui.train_button.click()
    finish(ui)
    second = ui.results[1].initial_parameters

    assert first.keys() == second.keys()
    assert all(np.array_equal(first[name], second[name]) for name in first)
    note = shown_text(ui.controls.messages["same_weights"].value)
    assert note == "starting from the weights of #1"
    assert table_rows(ui)[1][2] == "seed 1 -> 2; same initial weights"


def test_fresh_weights_are_drawn_from_a_new_seed_without_the_checkbox():
    ui = make_ui()
    ui.train_button.click()
    finish(ui)
    ui.controls.seed.value = 2
    ui.train_button.click()
    finish(ui)
    first, second = (run.initial_parameters for run in ui.results)
    assert not np.array_equal(first["W1"], second["W1"])


def test_changed_layer_sizes_draw_fresh_weights_and_say_so():
    ui = make_ui()
    ui.train_button.click()
    finish(ui)
    ui.controls.same_weights.value = True
    ui.controls.layers.value = "7-1"
    ui.train_button.click()
    finish(ui)

    note = shown_text(ui.controls.messages["same_weights"].value)
    assert note == (
        "the layer sizes changed (100-5-1 -> 100-7-1), so fresh weights are drawn"
    )
    assert ui.results[1].initial_parameters["W1"].shape == (7, 100)


def test_an_error_in_the_thread_is_shown_and_earlier_runs_stay(monkeypatch):
    ui = make_ui()
    ui.train_button.click()
    finish(ui)
    before = ui.table.value

    def broken_run(*args, **kwargs):
        raise RuntimeError("the engine fell over")

    monkeypatch.setattr(training, "run", broken_run)
    ui.train_button.click()
    finish(ui)

    status = shown_text(ui.status.value)
    assert status == "run #2 failed: RuntimeError: the engine fell over"
    assert "Traceback" not in ui.status.value
    assert len(ui.results) == 1
    assert ui.table.value == before
    assert ui._bars[0].stopped == "failed"
    assert not ui.running
    assert not ui.train_button.disabled
    assert ui.stop_button.disabled


def test_widgets_do_not_pile_up_over_many_reruns():
    ui = make_ui(iterations=5)
    counts = []
    for _ in range(6):
        ui.train_button.click()
        finish(ui)
        counts.append(len(open_widgets()))
    assert counts[-1] == counts[1]
    assert len(ui.results) == 6
    assert len(ui.progress_box.children) == 1


def test_table_html_escapes_its_cells():
    row = dict.fromkeys(
        ("#", "engine", "what changed", "time", "final cost", "train acc"), "x"
    )
    row |= {"test acc": "<b>", "stopped": "completed"}
    assert "&lt;b&gt;" in table_html([row])
    assert "<b>" not in table_html([row])


def test_compare_runs_every_engine_on_identical_work():
    pytest.importorskip("keras")
    settings = Settings(layers="5-1", iterations=20, engines="both")
    ui = TrainingUI(settings, compare=True, live_plot=False)
    ui.controls.same_weights.value = True
    ui.train_button.click()
    finish(ui)

    assert [run.engine for run in ui.results] == ["numpy", "keras"]
    numpy_run, keras_run = ui.results
    start = numpy_run.initial_parameters
    assert all(
        np.array_equal(start[name], keras_run.initial_parameters[name])
        for name in start
    )
    np.testing.assert_allclose(keras_run.costs, numpy_run.costs, rtol=1e-4)
    assert [row[1] for row in table_rows(ui)] == ["NumPy", "Keras fit"]
    assert bytes(ui.plot.value).startswith(b"\x89PNG")


BODY = """
layers     = 5-1
iterations = 30
engine     = numpy
"""


def test_train_magic_with_ui_shows_controls_and_trains_nothing(shell):
    with capture_output() as captured:
        shell.run_cell_magic("fcnet_train", "--ui -o runs", BODY)

    (output,) = captured.outputs
    assert WIDGET_VIEW in output.data
    assert output.data["text/plain"] == "<training controls: 0 runs>"
    runs = shell.user_ns["runs"]
    assert runs == []
    assert isinstance(runs, list)


def test_train_magic_ui_list_fills_as_runs_finish(shell):
    with capture_output() as captured:
        shell.run_cell_magic("fcnet_train", "--ui -o runs --lr 0.2", BODY)
    runs = shell.user_ns["runs"]
    model_id = captured.outputs[0].data[WIDGET_VIEW]["model_id"]
    (panel,) = (item for item in open_widgets() if item.model_id == model_id)

    find_button(panel, "Train").click()
    wait_until(lambda: len(runs) == 1)

    (run,) = runs
    assert (run.learning_rate, run.iterations_run, run.layers) == (0.2, 30, "100-5-1")
    wait_until(lambda: not find_button(panel, "Train").disabled)


def find_button(widget: widgets.Widget, description: str) -> widgets.Button:
    """The button captioned ``description`` among the widget's descendants."""
    if isinstance(widget, widgets.Button) and widget.description == description:
        return widget
    for child in getattr(widget, "children", ()):
        found = find_button(child, description)
        if found is not None:
            return found
    return None


def test_compare_magic_with_ui_takes_one_configuration(shell):
    with capture_output() as captured:
        shell.run_line_magic("fcnet_compare", "--ui -o cmp --layers 5-1")
    assert WIDGET_VIEW in captured.outputs[0].data
    assert shell.user_ns["cmp"] == []

    with pytest.raises(UsageError, match="--ui takes one configuration; got a"):
        shell.run_line_magic("fcnet_compare", "--ui --layers 5-1 --lr 0.1 1")


def test_ui_and_quiet_together_are_refused(shell):
    with pytest.raises(UsageError, match="drop one"):
        shell.run_cell_magic("fcnet_train", "--ui -q", BODY)

"""The training controls of ``%%fcnet_train --ui`` in JupyterLab and Chromium.

A lecturer's path: run the notebook, change the learning rate, click Train
and watch the run complete; then ask for a long run, stop it partway with
the Stop button while the kernel stays free, and find both runs in the table
and in the notebook variable named by ``-o``.
"""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

UI_CELL = """\
%%fcnet_train --ui -o runs
layers        = 5-1
learning_rate = 0.1
iterations    = 200
engine        = numpy
data          = default
"""

# Printed once when the notebook runs (no runs yet), and again at the end.
RUNS_CELL = """\
print("runs:", [(r.learning_rate, r.stopped, r.iterations_run > 0) for r in runs])
"""

# Far more iterations than the test waits for: only Stop ends this run.
LONG_RUN = 1_000_000

_SELECT_CELL_JS = """(index) => {
    const panel = window.jupyterapp.shell.currentWidget;
    panel.content.activeCellIndex = index;
    panel.content.deselectAll();
}"""


def run_cell(lab_page, index: int) -> None:
    """Run the notebook's cell ``index`` on its own, as Shift+Enter would."""
    lab_page.page.evaluate(_SELECT_CELL_JS, index)
    lab_page.execute_command("notebook:run-cell")


def test_train_then_stop_a_long_run_from_the_controls(jupyterlab, lab_page, tmp_path):
    jupyterlab.write_notebook("controls", ["%load_ext fcnet_magic", UI_CELL, RUNS_CELL])
    lab_page.open_notebook("controls")
    lab_page.run_all_cells()
    lab_page.wait_for_text("runs: []")
    expect(lab_page.button("Train")).to_be_enabled()
    expect(lab_page.button("Stop")).to_be_disabled()
    expect(lab_page.outputs.locator("table")).to_have_count(1)
    lab_page.wait_for_table_rows(0)

    # A first run at a new learning rate, typed into the exact entry.
    lab_page.set_text_input("exact", 0.5)
    lab_page.click_button("Train")
    done = lab_page.wait_for_progress_label(re.compile(r"200/200 .*completed"))
    assert done.startswith("numpy")
    lab_page.wait_for_table_rows(1)
    first_row = lab_page.table_rows().nth(0)
    expect(first_row).to_contain_text("learning_rate 0.5")
    expect(first_row).to_contain_text("completed")
    expect(lab_page.button("Train")).to_be_enabled()

    # A run long enough to stop by hand, stopped once iterations are done.
    lab_page.set_text_input("iterations", LONG_RUN)
    lab_page.click_button("Train")
    lab_page.wait_for_progress_label(re.compile(rf"[1-9][0-9]*/{LONG_RUN} "))
    expect(lab_page.button("Train")).to_be_disabled()
    expect(lab_page.text_input("layers")).to_be_disabled()
    lab_page.click_button("Stop")
    stopped = lab_page.wait_for_progress_label("interrupted")
    assert f"/{LONG_RUN}" in stopped
    lab_page.wait_for_table_rows(2)
    second_row = lab_page.table_rows().nth(1)
    expect(second_row).to_contain_text("iterations 200 -> 1000000")
    expect(second_row).to_contain_text("interrupted")
    expect(lab_page.button("Train")).to_be_enabled()
    expect(lab_page.button("Stop")).to_be_disabled()

    # The kernel was free all along, and holds both runs, the second partial.
    run_cell(lab_page, 2)
    lab_page.wait_for_text(
        "runs: [(0.5, 'completed', True), (0.5, 'interrupted', True)]"
    )
    assert lab_page.cell_errors() == []

    screenshot = tmp_path / "controls-stopped.png"
    shutil.copy(lab_page.screenshot("controls-stopped"), screenshot)
    assert screenshot.is_file()
    assert screenshot.stat().st_size > 0

"""JupyterLab, a kernel from this environment and Chromium, working together.

The smoke test runs a two-widget notebook end to end: the server starts the
venv's kernel, JupyterLab's widget manager renders the button and the counter,
and clicks in Chromium travel to the kernel and back.
"""

from __future__ import annotations

import sys

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COUNTER_CELL = """\
import ipywidgets as w

b = w.Button(description="Go")
out = w.IntText(value=0)
b.on_click(lambda _: setattr(out, "value", out.value + 1))
display(w.VBox([b, out]))
"""

INTERPRETER_CELL = """\
import sys

print(sys.executable)
"""


def test_button_clicks_reach_the_kernel_and_come_back(jupyterlab, lab_page):
    jupyterlab.write_notebook("counter", [COUNTER_CELL, INTERPRETER_CELL])

    lab_page.open_notebook("counter")
    lab_page.run_all_cells()
    printed = lab_page.wait_for_text(sys.executable)
    assert printed.inner_text().strip() == sys.executable

    counter = lab_page.text_input().first
    expect(counter).to_have_value("0")
    lab_page.click_button("Go")
    expect(counter).to_have_value("1")
    lab_page.click_button("Go")
    expect(counter).to_have_value("2")

    screenshot = lab_page.screenshot("counter")
    assert screenshot.is_file()
    assert screenshot.stat().st_size > 0

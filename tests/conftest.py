"""Fixtures shared by the test modules.

Browser tests (marked ``browser``) get a JupyterLab server started once per run
(``jupyterlab``), one headless Chromium (``chromium_browser``) and, per test, a
fresh browser context wrapped in a :class:`LabPage` (``lab_page``). The
harness lives in ``tests/lab_harness.py``.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import lab_harness
import pytest


@pytest.fixture(scope="session")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A running ``JupyterLab`` server, shared by every test of the run."""
    with lab_harness.JupyterLab(tmp_path_factory.mktemp("jupyterlab")) as lab:
        yield lab


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = lab_harness.launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def lab_page(
    jupyterlab: Any, chromium_browser: Any, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A ``LabPage`` in a browser context of its own.

    The context starts without cookies or storage. When the test ends, the
    page is saved as ``<test name>-final.png`` in the server's screenshot
    folder, for a look at what the browser showed last, and the kernels the
    test started are shut down.
    """
    from playwright.sync_api import Error as PlaywrightError

    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    lab_page = lab_harness.LabPage(context.new_page(), jupyterlab)
    try:
        yield lab_page
    finally:
        name = re.sub(r"[^\w.-]", "_", request.node.name)
        with contextlib.suppress(PlaywrightError):
            lab_page.screenshot(f"{name}-final")
        context.close()
        jupyterlab.shutdown_kernels()


@pytest.fixture(scope="module")
def shell() -> Iterator[Any]:
    """One IPython shell with the extension loaded; magics run as users type them.

    The live plot is off: these shells have no frontend to draw into.
    """
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "fcnet_magic")
    ip.run_line_magic("config", "FCNetMagics.live_plot = False")
    yield ip
    ip.run_line_magic("unload_ext", "fcnet_magic")

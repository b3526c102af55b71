"""Drive a private JupyterLab server and a headless Chromium from the tests.

The widgets of ``fcnet_magic`` only come alive in a browser, so the browser tests
start a real JupyterLab on ``127.0.0.1``, open notebooks in Debian's Chromium
through Playwright and act on the rendered widgets the way a student would::

    with JupyterLab(tmp_path) as lab, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        lab.write_notebook("demo", ["%load_ext fcnet_magic", "%%fcnet ..."])
        notebook = LabPage(browser.new_page(), lab)
        notebook.open_notebook("demo")
        notebook.run_all_cells(wait=False)
        notebook.set_text_input("learning rate", 1.0)
        notebook.click_button("Train")
        notebook.wait_for_progress_label("completed")
        notebook.wait_for_table_rows(3)
        browser.close()

:class:`JupyterLab` owns the server process. Everything the server and its
kernels write (settings, workspaces, runtime files, IPython and matplotlib
configuration) goes to folders under one temporary directory, and the
announcement, update and extension-index requests that would leave the
machine are switched off. :class:`LabPage` wraps a Playwright page; each of its
waits ends on a signal from the page (a locator, the kernel status, a command
finishing), never on a fixed delay.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import nbformat
import psutil
from playwright.sync_api import expect

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page, Playwright

#: Flags for Chromium on a machine without outside network: no sandbox (tests
#: may run as root), and none of the background traffic (updates, sync,
#: component downloads) that the firewall would refuse.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)

#: Names in a kernelspec's ``argv[0]`` that jupyter_client replaces with the
#: server's own interpreter when it starts the kernel.
_SERVER_PYTHON_NAMES = {
    "python",
    f"python{sys.version_info[0]}",
    f"python{sys.version_info[0]}.{sys.version_info[1]}",
}

#: User settings that keep JupyterLab from asking about, or fetching, news.
_LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

#: True once the open notebook has a kernel and that kernel reports idle. The
#: toolbar's execution indicator alone says "idle" for a moment before any
#: kernel is attached, so the kernel name beside it must be a real one too.
_KERNEL_IDLE_JS = """() => {
    const panel = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden)");
    if (!panel) return false;
    const name = panel.querySelector('[data-jp-item-name="kernelName"]');
    const indicator = panel.querySelector(".jp-Notebook-ExecutionIndicator");
    if (!name || !indicator) return false;
    const kernel = name.textContent.trim();
    return kernel !== "" && kernel !== "No Kernel"
        && indicator.getAttribute("data-status") === "idle";
}"""

#: Page configuration for the JupyterLab front end: no check whether the
#: extensions need a rebuild, which costs seconds of CPU on every page load.
_PAGE_CONFIG = {"buildCheck": False, "buildAvailable": False}

#: Runs a JupyterLab command and returns its result if it is a plain value. The
#: race against a timer keeps a command that never settles from hanging the
#: test.
_EXECUTE_COMMAND_JS = """async ([id, args, timeoutMs]) => {
    const timer = new Promise((resolve) =>
        setTimeout(() => resolve({timedOut: true}), timeoutMs));
    const run = window.jupyterapp.commands.execute(id, args)
        .then((value) => ({value: ["boolean", "number", "string"]
            .includes(typeof value) ? value : null}));
    return Promise.race([run, timer]);
}"""

#: Starts a JupyterLab command without waiting for it to finish.
_START_COMMAND_JS = """([id, args]) => {
    window.jupyterapp.commands.execute(id, args);
}"""

#: The error outputs of the current notebook, read from its model so that a
#: traceback is told apart from ordinary text on stderr.
_CELL_ERRORS_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    if (!panel || !panel.content || !panel.content.model) return [];
    const cells = panel.content.model.cells;
    const errors = [];
    for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        if (cell.type !== "code") continue;
        for (let j = 0; j < cell.outputs.length; j++) {
            const output = cell.outputs.get(j).toJSON();
            if (output.output_type === "error") {
                errors.push(`cell ${i}: ${output.ename}: ${output.evalue}`);
            }
        }
    }
    return errors;
}"""

#: The text shown with the ``index``-th progress bar in the outputs: its own
#: description, plus the rest of its row when it sits in an ``HBox`` with a
#: label beside it.
_PROGRESS_TEXT_JS = """(index) => {
    const bars = document.querySelectorAll(
        ".jp-OutputArea-output .widget-hprogress, "
        + ".jp-OutputArea-output .widget-vprogress");
    const bar = bars[index < 0 ? bars.length + index : index];
    if (!bar) return null;
    const parent = bar.parentElement;
    const row = parent && parent.classList.contains("widget-hbox") ? parent : bar;
    return row.innerText;
}"""

#: True when the text of a progress bar matches the given pattern.
_PROGRESS_MATCHES_JS = (
    "([index, source, flags]) => {\n"
    f"    const text = ({_PROGRESS_TEXT_JS})(index);\n"
    "    return text !== null && new RegExp(source, flags).test(text);\n"
    "}"
)


def find_free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now.

    Returns
    -------
    int
        A port chosen by the operating system. Another process could take it
        before the caller binds it; :meth:`JupyterLab.start` retries then.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def chromium_executable() -> str:
    """Return the path of Debian's Chromium.

    Returns
    -------
    str
        ``chromium`` as found on ``PATH``, else ``/usr/bin/chromium``.

    Raises
    ------
    FileNotFoundError
        If neither exists; ``scripts/ensure_chromium.sh`` installs it.
    """
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        raise FileNotFoundError(
            f"Chromium not found at {path!r} nor on PATH; install it with "
            "scripts/ensure_chromium.sh (Playwright's own browsers are not used)."
        )
    return path


def launch_chromium(playwright: Playwright) -> Browser:
    """Start a headless Chromium that only talks to the local machine.

    Parameters
    ----------
    playwright : playwright.sync_api.Playwright
        A started Playwright, as given by ``sync_playwright().start()``.

    Returns
    -------
    playwright.sync_api.Browser
        The browser; the caller closes it.
    """
    return playwright.chromium.launch(
        executable_path=chromium_executable(),
        headless=True,
        args=list(CHROMIUM_ARGS),
    )


class JupyterLab:
    """A JupyterLab server on 127.0.0.1 with its own configuration and folders.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`;
    :meth:`stop` is safe to call at any time, more than once.

    Parameters
    ----------
    base_dir : path-like
        An empty temporary folder. It receives the notebook root ``notebooks``,
        the isolated ``home`` with all Jupyter, IPython and matplotlib
        configuration, the ``screenshots`` folder and the ``server.log``.
    startup_timeout : float, default 90.0
        Seconds to wait for the server to answer ``/api/status``.
    stop_timeout : float, default 10.0
        Seconds to wait after SIGTERM before killing the server outright.

    Attributes
    ----------
    root_dir : pathlib.Path
        The folder the server serves notebooks from.
    screenshot_dir : pathlib.Path
        Where :meth:`LabPage.screenshot` writes.
    log_path : pathlib.Path
        The server's combined stdout and stderr.
    port : int or None
        The port the server listens on, once started.
    token : str
        The authentication token, fresh for every instance.
    """

    def __init__(
        self,
        base_dir: str | os.PathLike[str],
        startup_timeout: float = 90.0,
        stop_timeout: float = 10.0,
    ) -> None:
        self.base_dir = Path(base_dir).resolve()
        self.root_dir = self.base_dir / "notebooks"
        self.home_dir = self.base_dir / "home"
        self.screenshot_dir = self.base_dir / "screenshots"
        self.log_path = self.base_dir / "server.log"
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.token = secrets.token_hex(16)
        self.port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> JupyterLab:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # Paths and URLs -------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The server's address, ``http://127.0.0.1:PORT``."""
        if self.port is None:
            raise RuntimeError("the JupyterLab server is not running; call start()")
        return f"http://127.0.0.1:{self.port}"

    def notebook_url(self, name: str) -> str:
        """Return the URL that opens notebook ``name`` in a fresh workspace.

        Parameters
        ----------
        name : str
            The notebook's path under :attr:`root_dir`, with or without the
            ``.ipynb`` suffix.

        Returns
        -------
        str
            A ``/lab/tree/...`` URL with ``reset`` (so no earlier layout is
            restored) and the token.
        """
        path = self._notebook_path(name).relative_to(self.root_dir).as_posix()
        return f"{self.base_url}/lab/tree/{path}?reset&token={self.token}"

    def _notebook_path(self, name: str) -> Path:
        """Return the file of notebook ``name`` under :attr:`root_dir`."""
        filename = name if name.endswith(".ipynb") else f"{name}.ipynb"
        return self.root_dir / filename

    def _environment(self) -> dict[str, str]:
        """Return the server's environment, every user folder in ``home``."""
        home = self.home_dir
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("JUPYTER", "IPYTHON", "MPL"))
        }
        env.update(
            HOME=str(home),
            JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
            JUPYTER_DATA_DIR=str(home / ".local/share/jupyter"),
            JUPYTER_RUNTIME_DIR=str(home / ".local/share/jupyter/runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(home / ".jupyter/lab/user-settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(home / ".jupyter/lab/workspaces"),
            IPYTHONDIR=str(home / ".ipython"),
            MPLCONFIGDIR=str(home / ".config/matplotlib"),
            # Let a kernelspec in the isolated data folder win over the ones
            # that ship with the environment (see _check_kernel).
            JUPYTER_PREFER_ENV_PATH="0",
            PATH=os.pathsep.join(
                [str(Path(sys.executable).parent), os.environ.get("PATH", "")]
            ),
        )
        return env

    def write_notebook(
        self, name: str, sources: Sequence[str], kernel_name: str = "python3"
    ) -> Path:
        """Write a notebook of code cells into the server's root folder.

        Parameters
        ----------
        name : str
            File name under :attr:`root_dir`, ``.ipynb`` added if missing.
        sources : sequence of str
            The source of each code cell, in order.
        kernel_name : str, default "python3"
            The kernelspec recorded in the metadata, so that JupyterLab starts
            it without asking which kernel to use.

        Returns
        -------
        pathlib.Path
            The notebook file.
        """
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {
            "name": kernel_name,
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
        path = self._notebook_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)
        return path

    # Starting and stopping ------------------------------------------------

    def start(self) -> None:
        """Start the server and return once it answers, with the venv's kernel.

        Raises
        ------
        RuntimeError
            If the server exits or does not answer within ``startup_timeout``;
            the message ends with the tail of its log.
        """
        for folder in (self.root_dir, self.home_dir, self.screenshot_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._write_lab_settings()

        # The free port can be taken between choosing and binding it; another
        # one is tried when the server reports exactly that.
        for _attempt in range(3):
            self.port = find_free_port()
            self._launch()
            if self._wait_until_ready():
                break
            if "already in use" not in self.log_tail():
                self._fail("JupyterLab exited during startup")
        else:
            self._fail("JupyterLab found no free port after 3 attempts")

        self._check_kernel()

    def _write_lab_settings(self) -> None:
        """Store ``_LAB_SETTINGS`` and ``_PAGE_CONFIG`` in the isolated home."""
        config_dir = self.home_dir / ".jupyter"
        for plugin, values in _LAB_SETTINGS.items():
            path = config_dir / f"lab/user-settings/{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values, indent=2))

        page_config = config_dir / "labconfig/page_config.json"
        page_config.parent.mkdir(parents=True, exist_ok=True)
        page_config.write_text(json.dumps(_PAGE_CONFIG, indent=2))

    def _launch(self) -> None:
        """Start the server process in its own process group."""
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            # Lets the tests run JupyterLab commands such as "run all cells".
            "--LabApp.expose_app_in_browser=True",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        with self.log_path.open("ab") as log:
            log.write(f"$ {' '.join(command)}\n".encode())
            log.flush()
            self._process = subprocess.Popen(
                command,
                cwd=self.root_dir,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _wait_until_ready(self) -> bool:
        """Poll ``/api/status`` until it answers 200.

        Returns
        -------
        bool
            True when the server answers, False when it exited first.
        """
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            with contextlib.suppress(OSError):
                self.api("/api/status", timeout=2.0)
                return True
            time.sleep(0.2)
        self._fail(f"JupyterLab did not answer within {self.startup_timeout} s")

    def _check_kernel(self) -> None:
        """Make sure notebooks get a kernel running this interpreter.

        The kernelspec that ships with ipykernel names ``python``, which
        jupyter_client replaces by the server's own interpreter, this venv's. A
        spec naming some other interpreter is shadowed by one installed into
        the isolated data folder.
        """
        if self.kernel_executable() == sys.executable:
            return
        subprocess.run(
            [sys.executable, "-m", "ipykernel", "install", "--user"],
            env=self._environment(),
            check=True,
            capture_output=True,
        )
        found = self.kernel_executable()
        if found != sys.executable:
            self._fail(
                f"the python3 kernel runs {found!r}, not this environment's "
                f"{sys.executable!r}, even after installing a kernelspec"
            )

    def kernel_executable(self, kernel_name: str = "python3") -> str:
        """Return the interpreter the server would start for ``kernel_name``.

        Parameters
        ----------
        kernel_name : str, default "python3"
            A kernelspec name as listed by ``/api/kernelspecs``.

        Returns
        -------
        str
            ``argv[0]`` of the kernelspec, with the bare ``python`` names that
            jupyter_client swaps for the server's interpreter already swapped.
        """
        specs = self.api("/api/kernelspecs")["kernelspecs"]
        if kernel_name not in specs:
            raise RuntimeError(
                f"no kernelspec {kernel_name!r} on the server; it has {sorted(specs)}"
            )
        program = specs[kernel_name]["spec"]["argv"][0]
        return sys.executable if program in _SERVER_PYTHON_NAMES else program

    def stop(self) -> None:
        """Stop the server and every process it started.

        SIGTERM goes to the server's process group, which lets it shut its
        kernels down; after ``stop_timeout`` seconds SIGKILL follows, and any
        kernel still alive is killed.
        """
        process, self._process = self._process, None
        if process is None:
            return
        try:
            children = psutil.Process(process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []

        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

        # Kernels run in process groups of their own.
        _, alive = psutil.wait_procs(children, timeout=self.stop_timeout)
        for child in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        psutil.wait_procs(alive, timeout=self.stop_timeout)

    def log_tail(self, lines: int = 40) -> str:
        """Return the last ``lines`` lines of the server log."""
        if not self.log_path.exists():
            return ""
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _fail(self, message: str) -> NoReturn:
        """Stop the server and raise ``RuntimeError`` with its log tail."""
        self.stop()
        raise RuntimeError(
            f"{message}; server log {self.log_path} ends with:\n{self.log_tail()}"
        )

    # REST API -------------------------------------------------------------

    def api(self, path: str, method: str = "GET", timeout: float = 10.0) -> Any:
        """Call the server's REST API with the token.

        Parameters
        ----------
        path : str
            The path, such as ``"/api/kernels"``.
        method : str, default "GET"
            The HTTP method.
        timeout : float, default 10.0
            Seconds to wait for the answer.

        Returns
        -------
        object
            The decoded JSON answer, or None for an empty one.
        """
        request = urllib.request.Request(
            self.base_url + path,
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut down every kernel the server is running."""
        for kernel in self.api("/api/kernels"):
            self.api(f"/api/kernels/{kernel['id']}", method="DELETE")


class LabPage:
    """A Playwright page showing notebooks of a :class:`JupyterLab`.

    Widget lookups are limited to the notebook's output areas, so JupyterLab's
    own toolbars and menus never match by accident. Text to match is a string
    (a case-insensitive substring, unless a method says otherwise) or a
    compiled pattern. Every ``timeout`` is in seconds; None means the page's
    default.

    Parameters
    ----------
    page : playwright.sync_api.Page
        A page of a browser from :func:`launch_chromium`.
    lab : JupyterLab
        The running server.
    timeout : float, default 60.0
        Default number of seconds for every wait.
    """

    def __init__(self, page: Page, lab: JupyterLab, timeout: float = 60.0) -> None:
        self.page = page
        self.lab = lab
        self.timeout = timeout
        page.set_default_timeout(timeout * 1000.0)

    def _ms(self, timeout: float | None) -> float:
        """Return ``timeout``, or the page's default, in milliseconds."""
        return (self.timeout if timeout is None else timeout) * 1000.0

    # Notebook and kernel --------------------------------------------------

    def open_notebook(self, name: str, timeout: float | None = None) -> None:
        """Open notebook ``name`` (a path under the root folder), kernel idle."""
        self.page.goto(self.lab.notebook_url(name), timeout=self._ms(timeout))
        self.page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for(
            state="visible", timeout=self._ms(timeout)
        )
        self.page.wait_for_function(
            "() => window.jupyterapp !== undefined", timeout=self._ms(timeout)
        )
        self.wait_for_kernel_idle(timeout)

    def wait_for_kernel_idle(self, timeout: float | None = None) -> None:
        """Wait until the notebook has a kernel and the kernel is idle."""
        self.page.wait_for_function(_KERNEL_IDLE_JS, timeout=self._ms(timeout))

    def execute_command(
        self,
        command_id: str,
        args: dict[str, Any] | None = None,
        timeout: float | None = None,
    ) -> bool | float | str | None:
        """Run a JupyterLab command, such as ``"notebook:run-all-cells"``.

        Returns
        -------
        bool, float, str or None
            The command's result when it is a plain value, else None.

        Raises
        ------
        TimeoutError
            If the command has not finished within ``timeout``.
        """
        outcome = self.page.evaluate(
            _EXECUTE_COMMAND_JS, [command_id, args or {}, self._ms(timeout)]
        )
        if outcome.get("timedOut"):
            raise TimeoutError(
                f"JupyterLab command {command_id!r} did not finish within "
                f"{self._ms(timeout) / 1000:g} s"
            )
        return outcome["value"]

    def run_all_cells(
        self,
        wait: bool = True,
        raise_on_error: bool = True,
        timeout: float | None = None,
    ) -> None:
        """Run every cell of the notebook, as Run > Run All Cells does.

        Parameters
        ----------
        wait : bool, default True
            Wait until the last cell has finished. With False the cells run on
            while the test goes on, for instance to press a widget's button.
        raise_on_error : bool, default True
            With ``wait``, raise ``AssertionError`` naming each cell that
            ended in an exception, and the exception.
        timeout : float, optional
            Seconds to wait for the last cell.
        """
        if not wait:
            self.page.evaluate(_START_COMMAND_JS, ["notebook:run-all-cells", {}])
            return
        self.execute_command("notebook:run-all-cells", timeout=timeout)
        errors = self.cell_errors()
        if raise_on_error and errors:
            raise AssertionError("cells raised:\n" + "\n".join(errors))

    def cell_errors(self) -> list[str]:
        """Return one ``"cell i: Name: message"`` line per error output."""
        return self.page.evaluate(_CELL_ERRORS_JS)

    # Widgets --------------------------------------------------------------

    @property
    def outputs(self) -> Locator:
        """Every output area of the notebook."""
        return self.page.locator(".jp-OutputArea-output")

    def widget(self, selector: str = ".jupyter-widgets") -> Locator:
        """Return the widgets in the outputs matching a CSS ``selector``.

        ipywidgets marks its views with classes such as ``.widget-button``,
        ``.widget-html``, ``.widget-label`` and ``.widget-hprogress``.
        """
        return self.outputs.locator(selector)

    def button(self, text: str | re.Pattern[str]) -> Locator:
        """Return the widget button captioned ``text``, a string matched whole."""
        return self.outputs.get_by_role("button", name=text, exact=True)

    def click_button(
        self, text: str | re.Pattern[str], timeout: float | None = None
    ) -> None:
        """Click the widget button captioned ``text`` as soon as it is enabled."""
        self.button(text).click(timeout=self._ms(timeout))

    def text_input(self, label: str | re.Pattern[str] | None = None) -> Locator:
        """Return the fields of the text and number widgets described ``label``.

        With ``label`` None, every such field in page order; a widget without
        a description can then be picked with ``.nth(i)``.
        """
        boxes = self.outputs.locator(".widget-inline-hbox")
        if label is not None:
            boxes = boxes.filter(
                has=self.page.locator("label.widget-label", has_text=label)
            )
        return boxes.locator("input:not([type=checkbox]):not([type=radio]), textarea")

    def set_text_input(
        self,
        label: str | re.Pattern[str],
        value: object,
        timeout: float | None = None,
    ) -> None:
        """Type ``str(value)`` into the field described ``label`` and commit it.

        Enter and leaving the field both fire the ``change`` event on which
        ipywidgets sends a number or text field's value to the kernel.
        """
        field = self.text_input(label)
        field.fill(str(value), timeout=self._ms(timeout))
        field.press("Enter", timeout=self._ms(timeout))
        field.blur(timeout=self._ms(timeout))

    def wait_for_text(
        self, text: str | re.Pattern[str], timeout: float | None = None
    ) -> Locator:
        """Wait until an output shows ``text``; return the first element that does."""
        found = self.outputs.get_by_text(text).first
        found.wait_for(state="visible", timeout=self._ms(timeout))
        return found

    def progress_text(self, index: int = 0) -> str | None:
        """Return the text shown with progress bar ``index`` (None if absent).

        The text is the bar's description followed by that of the widgets
        beside it in its ``HBox``; ``index`` counts bars in page order,
        negative from the end.
        """
        return self.page.evaluate(_PROGRESS_TEXT_JS, index)

    def wait_for_progress_label(
        self,
        text: str | re.Pattern[str],
        index: int = 0,
        timeout: float | None = None,
    ) -> str:
        """Wait until :meth:`progress_text` matches ``text``, and return it.

        A pattern is run as a JavaScript regular expression, keeping
        ``re.IGNORECASE``.
        """
        if isinstance(text, re.Pattern):
            source, flags = text.pattern, "i" if text.flags & re.IGNORECASE else ""
        else:
            source, flags = re.escape(text), "i"
        self.page.wait_for_function(
            _PROGRESS_MATCHES_JS,
            arg=[index, source, flags],
            timeout=self._ms(timeout),
        )
        return self.progress_text(index) or ""

    def table_rows(self, index: int = 0) -> Locator:
        """Return the rows holding ``<td>`` cells of output table ``index``.

        Tables are counted in page order; -1 is the last one.
        """
        return self.outputs.locator("table").nth(index).locator("tr:has(td)")

    def wait_for_table_rows(
        self, count: int, index: int = 0, timeout: float | None = None
    ) -> None:
        """Wait until output table ``index`` has exactly ``count`` data rows.

        Raises ``AssertionError`` (from Playwright's ``expect``) on timeout.
        """
        expect(self.table_rows(index)).to_have_count(count, timeout=self._ms(timeout))

    def screenshot(self, name: str) -> Path:
        """Save the page as ``name``.png in the screenshot folder; return the path."""
        filename = name if name.endswith(".png") else f"{name}.png"
        path = self.lab.screenshot_dir / filename
        self.page.screenshot(path=str(path), full_page=True)
        return path

"""The example notebooks, executed top to bottom in a real Jupyter kernel."""

from __future__ import annotations

import base64
import importlib.util
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

pytestmark = pytest.mark.kernel


def _load_runner():
    """``scripts/run_examples.py``, the main job's own runner."""
    spec = importlib.util.spec_from_file_location(
        "run_examples", ROOT / "scripts" / "run_examples.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory):
    """The quickstart, executed and exported as the main job does it."""
    out = tmp_path_factory.mktemp("examples")
    executed, exported = _load_runner().execute(
        ROOT / "examples" / "quickstart.ipynb", out
    )
    return nbformat.read(executed, as_version=4), exported.read_text("utf-8")


def _outputs(notebook, source_start: str) -> list[dict]:
    """Outputs of the first code cell whose source starts with ``source_start``."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith(source_start):
            return cell.outputs
    raise AssertionError(f"no cell starts with {source_start!r}")


def _texts(outputs) -> str:
    parts = [output.get("text", "") for output in outputs]
    parts += [output.get("data", {}).get("text/plain", "") for output in outputs]
    return "\n".join(parts)


def test_generated_notebooks_are_up_to_date():
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import make_notebooks
    finally:
        sys.path.pop(0)
    for name, cells in make_notebooks.NOTEBOOKS.items():
        shipped = nbformat.read(ROOT / "examples" / name, as_version=4)
        built = make_notebooks.build(cells)
        assert [c.source for c in shipped.cells] == [c.source for c in built.cells]


def test_lecture_notebook_shows_its_controls(tmp_path):
    executed, _ = _load_runner().execute(
        ROOT / "examples" / "lecture_ui.ipynb", tmp_path
    )
    notebook = nbformat.read(executed, as_version=4)
    for start in ("%%fcnet_train --ui", "%fcnet_compare --ui"):
        outputs = _outputs(notebook, start)
        assert any(WIDGET_VIEW in output.get("data", {}) for output in outputs)
    assert _texts(_outputs(notebook, "for run in runs")).strip() == ""


def test_no_cell_failed(quickstart):
    notebook, _ = quickstart
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == []


def test_training_cell_shows_widget_png_and_summary(quickstart):
    notebook, _ = quickstart
    outputs = _outputs(notebook, "%%fcnet_train -o run")
    data = [output.get("data", {}) for output in outputs]
    assert any(WIDGET_VIEW in bundle for bundle in data)
    pngs = [bundle["image/png"] for bundle in data if "image/png" in bundle]
    assert pngs
    assert base64.b64decode(pngs[-1]).startswith(b"\x89PNG")
    assert any("fcnet-summary" in bundle.get("text/html", "") for bundle in data)
    text = _texts(outputs)
    assert "numpy 250/250" in text
    assert "completed 250 iterations" in text


def test_accuracy_of_the_seed_configuration(quickstart):
    notebook, _ = quickstart
    text = _texts(_outputs(notebook, 'print(f"final cost'))
    accuracy = float(text.split("test accuracy ")[1].split()[0])
    assert accuracy >= 0.95


def test_engines_agree(quickstart):
    notebook, _ = quickstart
    text = _texts(_outputs(notebook, "gap = abs("))
    gap = float(text.split("engines: ")[1].split()[0])
    assert gap < 1e-6


def test_comparison_and_divergence_are_reported(quickstart):
    notebook, _ = quickstart
    speed = _outputs(notebook, "%fcnet_compare -o speed")
    html = "".join(o.get("data", {}).get("text/html", "") for o in speed)
    for engine in ("NumPy", "Keras fit", "Keras compiled"):
        assert f"<td>{engine}</td>" in html
    assert "diverged at iteration" in _texts(
        _outputs(notebook, "%%fcnet_train -o wild")
    )


def test_html_export_holds_figure_and_summary(quickstart):
    _, html = quickstart
    assert "data:image/png;base64," in html
    assert "fcnet-summary" in html
    assert "test accuracy" in html
    assert "fcnet-comparison" in html

"""The engine is a library: it must work without the UI toolkit."""

import ast
import importlib
import pkgutil

import pytest

import ae_core
from tests.conftest import ROOT


@pytest.mark.data_free
def test_ae_core_never_imports_streamlit():
    for path in (ROOT / "ae_core").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "streamlit" for n in names), path


@pytest.mark.data_free
def test_every_module_imports_cleanly():
    for module in pkgutil.walk_packages(ae_core.__path__, "ae_core."):
        if module.name != "ae_core.__main__":
            importlib.import_module(module.name)


@pytest.mark.data_free
def test_the_project_description_points_at_one_list_of_dependencies_and_one_version():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert set(project["project"]["dynamic"]) == {"version", "dependencies"}
    dynamic = project["tool"]["setuptools"]["dynamic"]
    assert dynamic["version"] == {"attr": "ae_core.__version__"}
    assert dynamic["dependencies"] == {"file": ["requirements.txt"]}
    # Every subpackage of ae_core is listed, or an installed copy would miss it.
    packages = {"ae_core"} | {
        m.name for m in pkgutil.walk_packages(ae_core.__path__, "ae_core.") if m.ispkg
    }
    assert set(project["tool"]["setuptools"]["packages"]) == packages


@pytest.mark.data_free
def test_the_lowest_versions_check_pins_every_stated_floor():
    from tests.lowest_pins import lowest_pins

    requirements = (ROOT / "requirements.txt").read_text()
    pins = lowest_pins(requirements)
    stated = [
        line for line in requirements.splitlines() if line.strip() and not line.startswith("#")
    ]
    assert len(pins) == len(stated)  # every dependency states a floor, and each is pinned
    assert "streamlit==1.66.*" in pins
    assert lowest_pins("numpy>=1.26,<3  # a comment\n# pillow>=1\n") == ["numpy==1.26.*"]

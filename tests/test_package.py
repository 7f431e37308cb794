"""The engine is a library: it must work without the UI toolkit."""

import ast
import importlib
import pkgutil

import ae_core
from tests.conftest import ROOT


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


def test_every_module_imports_cleanly():
    for module in pkgutil.walk_packages(ae_core.__path__, "ae_core."):
        if module.name != "ae_core.__main__":
            importlib.import_module(module.name)

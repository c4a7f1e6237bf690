"""Layers point one way: the whole package is read, every import counted (see architecture.py).

There is no allow-list: every finding fails the test, with its file, line and what it imports.
"""

from pathlib import Path
from textwrap import dedent

import pytest

from komando.tests.architecture import LAYERS, check

PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def test_every_import_points_down_and_no_app_is_optional():
    found = [str(v) for v in check(PACKAGE_ROOT)]
    assert found == [], "imports against the layers (README, Architecture):\n" + "\n".join(found)


def test_every_app_has_a_layer():
    apps = {path.parent.name for path in PACKAGE_ROOT.glob("*/__init__.py")} - {"tests", "data", "locale", "static"}
    apps |= {path.stem for path in PACKAGE_ROOT.glob("*.py")} - {"__init__", "conftest"}
    declared = {app for _, layer_apps in LAYERS for app in layer_apps}
    assert apps - declared == set(), "apps with no layer"
    assert declared - apps == set(), "layers name apps that do not exist"


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "town"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    for directory in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        (directory / "__init__.py").touch()
    return root


LAYER_OF = {"base": 0, "store": 1, "screen": 2, "other_store": 1}


def test_an_upward_import_inside_a_function_is_found(tmp_path):
    root = _tree(
        tmp_path,
        {
            "base/models.py": "X = 1\n",
            "store/actions.py": """
                from town.base.models import X

                def act():
                    from town.screen.tiles import refresh
                    refresh()
            """,
            "screen/tiles.py": "def refresh():\n    return None\n",
        },
    )
    violations = check(root, LAYER_OF)
    assert [(v.kind, v.where, v.detail) for v in violations] == [
        ("upward", "town/store/actions.py:5", "store imports town.screen.tiles (a higher layer)")
    ]


def test_an_optional_import_of_our_own_code_is_found(tmp_path):
    root = _tree(
        tmp_path,
        {
            "screen/views.py": """
                try:
                    from town.store import actions
                except ImportError:
                    actions = None
            """,
            "store/actions.py": "",
        },
    )
    assert [v.kind for v in check(root, LAYER_OF)] == ["optional-import"]


def test_cycles_between_modules_and_between_apps_of_one_layer_are_found(tmp_path):
    root = _tree(
        tmp_path,
        {
            "store/models.py": "from town.store.rules import KINDS\n",
            "store/rules.py": "def kinds():\n    from town.store import models\n    return models\nKINDS = ()\n",
            "store/selectors.py": "from town.other_store.selectors import b\n",
            "other_store/selectors.py": "b = 1\ndef a():\n    from town.store.selectors import x\n",
        },
    )
    cycles = sorted(v.where for v in check(root, LAYER_OF) if v.kind == "cycle")
    assert cycles == [
        "other_store ↔ store",
        "town.other_store.selectors ↔ town.store.selectors",
        "town.store.models ↔ town.store.rules",
    ]


def test_imports_down_and_across_an_acyclic_layer_pass(tmp_path):
    root = _tree(
        tmp_path,
        {
            "base/models.py": "X = 1\n",
            "store/actions.py": "from town.base.models import X\nfrom town.other_store import helpers\n",
            "other_store/helpers.py": "from ..base import models\n",
            "screen/views.py": "import town.store.actions\nfrom town.base import models\n",
        },
    )
    assert check(root, LAYER_OF) == []


@pytest.mark.parametrize("layer", [name for name, _ in LAYERS])
def test_layers_are_named_once(layer):
    assert [name for name, _ in LAYERS].count(layer) == 1

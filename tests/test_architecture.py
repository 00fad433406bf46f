"""The package's layering (docs/ARCHITECTURE.md): checked here as well as in .ci/run."""
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import check_architecture  # noqa: E402
import import_graph  # noqa: E402


@pytest.fixture(scope="module")
def allowlist():
    return check_architecture.read_allowlist()


def test_the_import_linter_contract_is_kept():
    result = subprocess.run(["lint-imports"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_no_import_inside_a_function_goes_up(allowlist):
    found, used = check_architecture.upward_function_imports(
        allowed=allowlist.get("upward_imports", {}))
    assert found == []
    assert used == set(allowlist.get("upward_imports", {})), "stale allowlist entries"


def test_no_source_file_passes_600_lines():
    assert check_architecture.long_files() == []


def test_no_era_spelling_outside_compat(allowlist):
    found, used = check_architecture.era_spellings_in_code(
        allowed=allowlist.get("era_spellings", {}))
    assert found == []
    assert used == set(allowlist.get("era_spellings", {})), "stale allowlist entries"


def test_the_largest_import_cycle_stays_inside_one_package():
    modules = import_graph.module_files()
    edges = [(a, b) for a, b, _, _ in import_graph.imports(modules)]
    cycle = import_graph.largest_cycle(modules, edges)
    assert len({".".join(m.split(".")[:2]) for m in cycle}) <= 1, cycle


def _fake_package(tmp_path, body):
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""
        [[tool.importlinter.contracts]]
        name = "layers"
        type = "layers"
        containers = ["cornu"]
        layers = ["top", "bottom"]
    """))
    package = tmp_path / "cornu"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "top.py").write_text("X = 1\n")
    (package / "bottom.py").write_text(textwrap.dedent(body))
    return tmp_path


def test_the_checks_find_an_upward_import_inside_a_function(tmp_path):
    root = _fake_package(tmp_path, """
        def f():
            from cornu.top import X
            return X
    """)
    found, _ = check_architecture.upward_function_imports(root=str(root))
    assert found == ["cornu.bottom -> cornu.top (line 3)"]
    modules = import_graph.module_files(str(root))
    assert import_graph.largest_cycle(modules, [("cornu.top", "cornu.bottom"),
                                                ("cornu.bottom", "cornu.top")]) == \
        ["cornu.bottom", "cornu.top"]


def test_the_checks_find_a_long_file(tmp_path):
    root = _fake_package(tmp_path, "x = 1\n" * 601)
    assert check_architecture.long_files(root=str(root)) == [
        f"cornu{os.sep}bottom.py: 601 lines (limit 600)"]


def test_the_era_check_reads_compat_tables():
    spellings = check_architecture.era_spellings()
    assert {"nb_epoch", "nb_filter", "border_mode", "dim_ordering", "Convolution2D",
            "CuDNNLSTM"} <= spellings
    # Keras 3 arguments of the same names are not era spellings.
    assert not {"output_dim", "input_dim", "epsilon"} & spellings


def test_compat_lazy_names_match_legacy_models():
    import cornu.compat as compat
    from cornu.compat import legacy_models
    assert compat._LAZY == {"layers": set(legacy_models.LAYERS),
                            "models": set(legacy_models.MODELS)}


def test_compat_is_installed_whenever_any_cornu_module_loads():
    # A subprocess, so that this process's imports do not count: importing any cornu module
    # runs cornu/__init__, which installs compat into the seams.
    code = ("import cornu.utils.legacy as legacy\n"
            "print(legacy.translate('fit', {'nb_epoch': 2}, 'x'))")
    out = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.stdout.strip() == "{'epochs': 2}", out.stderr[-2000:]


def test_the_seams_change_nothing_until_compat_fills_them():
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "bare_legacy", os.path.join(ROOT, "cornu", "utils", "legacy.py"))
    bare = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bare)
    assert bare.translate("fit", {"nb_epoch": 2}, "x") == {"nb_epoch": 2}
    assert bare.lookup("layers", "Merge") is None
    with pytest.raises(TypeError, match="No legacy seam"):
        bare.install(translat=None)

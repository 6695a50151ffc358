"""Start-up cost: which modules ``import flatproof``, ``python -m flatproof --version`` and the pytest plugin's
registration load (a subprocess each, with this checkout first on the path). Speed itself is measured in
benchmarks/bench_startup.py, not here."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "scipy", "sympy", "flint", "hypothesis", "matplotlib", "click", "rich")


def _run(args, cwd=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def _heavy(mods):
    return sorted({m.split(".")[0] for m in mods} & set(HEAVY))


def test_import_flatproof_loads_nothing_heavy():
    res = _run(["-c", "import sys, json, flatproof; print(json.dumps(sorted(sys.modules)))"])
    assert res.returncode == 0, res.stderr
    mods = json.loads(res.stdout)
    assert _heavy(mods) == []
    assert sorted(m for m in mods if m.startswith("flatproof")) == ["flatproof", "flatproof._errors", "flatproof._version"]


def test_public_names_load_on_first_use():
    code = textwrap.dedent("""
        import sys, json, flatproof
        net = flatproof.UnivariateNet
        before = "sympy" in sys.modules
        names = [n for n in flatproof.__all__ if getattr(flatproof, n) is None]
        print(json.dumps([before, names, "numpy" in sys.modules, "flatproof.measures.spectral" in sys.modules]))
    """)
    res = _run(["-c", code])
    assert res.returncode == 0, res.stderr
    sympy_for_net, missing, numpy_loaded, spectral_loaded = json.loads(res.stdout)
    assert not sympy_for_net                 # the network class does not pull in sympy
    assert missing == []                     # every exported name resolves
    assert numpy_loaded and spectral_loaded  # ...by importing its module then


def test_version_without_click_or_rich():
    code = ("import sys, runpy, json\nsys.argv = ['flatproof', '--version']\n"
            "try:\n    runpy.run_module('flatproof', run_name='__main__')\nexcept SystemExit as e:\n"
            "    print(json.dumps([e.code, sorted(sys.modules)]))")
    res = _run(["-c", code])
    assert res.returncode == 0, res.stderr
    first, last = res.stdout.strip().splitlines()
    assert first == "flatproof, version 0.1.0"
    code_, mods = json.loads(last)
    assert code_ == 0 and _heavy(mods) == []


def test_pytest_plugin_registration_loads_nothing_heavy(tmp_path):
    (tmp_path / "test_mods.py").write_text(textwrap.dedent("""
        import json, sys
        def test_record():
            open("mods.json", "w").write(json.dumps(sorted(sys.modules)))
    """))
    res = _run(["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_mods.py"], cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    mods = json.loads((tmp_path / "mods.json").read_text())
    assert "flatproof.pytest_plugin" in mods          # the plugin was registered from this checkout
    assert _heavy(mods) == []
    assert not any(m.startswith(("flatproof.testing", "flatproof.check", "flatproof.claims")) for m in mods)

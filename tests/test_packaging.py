"""flatproof is installable and citable: one version, the wheel carries the math pages and the cases."""

import re
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

import flatproof

ROOT = Path(__file__).resolve().parent.parent


def test_the_version_is_written_once():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in meta["project"] and "version" in meta["project"]["dynamic"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "flatproof._version.__version__"}
    cff = (ROOT / "CITATION.cff").read_text()
    assert re.search(r"^version: (\S+)$", cff, re.MULTILINE).group(1) == flatproof.__version__
    top = re.search(r"^## \[?([0-9][^\] ]*)", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE).group(1)
    assert top == flatproof.__version__


def test_license_and_citation_name_the_two_papers():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["license"] == "MIT" and "MIT License" in (ROOT / "LICENSE").read_text()
    cff = (ROOT / "CITATION.cff").read_text()
    assert "arXiv:2512.01473" in cff and "arXiv:2606.04429" in cff
    assert (ROOT / "flatproof" / "py.typed").exists()


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_verifies_a_shipped_case(tmp_path):
    dist = tmp_path / "dist"
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                          "-w", str(dist), "-q"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    (wheel,) = dist.glob("flatproof-*.whl")
    assert wheel.name.startswith(f"flatproof-{flatproof.__version__}-")
    names = set(zipfile.ZipFile(wheel).namelist())
    for must in ("flatproof/math/univariate.md", "flatproof/math/homogeneous.md", "flatproof/py.typed",
                 "flatproof/cases/logistic-weighted-tv.toml", "flatproof/cases/homogeneous-interpolator.npz"):
        assert must in names, must
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE") for n in names)

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)   # dependencies from the host
    py = env_dir / "bin" / "python"
    res = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    work = tmp_path / "work"
    work.mkdir()

    def run(*args):
        return subprocess.run([str(env_dir / "bin" / "flatproof"), *args], cwd=work, capture_output=True, text=True,
                              timeout=600)

    where = subprocess.run([str(py), "-c", "import flatproof; print(flatproof.__file__)"], cwd=work,
                           capture_output=True, text=True)
    assert where.stdout.startswith(str(env_dir)), where.stdout      # the wheel, not this checkout
    assert run("cases", "--copy", "examples").returncode == 0
    res = run("verify", "examples/logistic-weighted-tv.toml")
    assert res.returncode == 0 and "verdict: holds" in res.stdout, res.stdout[-2000:] + res.stderr[-2000:]
    res = run("list", "U.4")
    assert res.returncode == 0 and res.stdout.startswith("## U.4 ")

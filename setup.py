"""Build hook (everything else is in pyproject.toml): the example cases in ``cases/`` ship inside the
wheel as ``flatproof/cases/``, where ``flatproof cases --copy DIR`` finds them."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED_SUFFIXES = (".toml", ".npz")


class BuildPyWithCases(build_py):
    def run(self):
        super().run()
        source = Path(__file__).resolve().parent / "cases"
        target = Path(self.build_lib) / "flatproof" / "cases"
        self.mkpath(str(target))
        for path in sorted(source.iterdir()):
            if path.suffix in SHIPPED_SUFFIXES:
                self.copy_file(str(path), str(target / path.name))


setup(cmdclass={"build_py": BuildPyWithCases})

"""The version of flatproof: the one place it is written (pyproject.toml reads it, so does ``--version``)."""

__version__ = "0.1.0"

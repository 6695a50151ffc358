"""``python -m flatproof.cli`` (the same as ``python -m flatproof``)."""

from . import main

main()

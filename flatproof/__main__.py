"""``python -m flatproof``. ``--version`` is answered before click and rich are imported (start-up ≤ 0.2 s)."""

import sys

if sys.argv[1:] == ["--version"]:
    from . import __version__
    sys.stdout.write(f"flatproof, version {__version__}\n")
    sys.exit(0)

from .cli import main  # noqa: E402

main()

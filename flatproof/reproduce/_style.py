"""Figure styles of ``flatproof reproduce`` (``--style paper|talk``) and the helpers every figure uses:
one legend for an axis and its twin, and the PNG + vector PDF pair."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:                    # matplotlib is imported only when a figure is drawn
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.legend import Legend

STYLES: dict[str, dict[str, Any]] = {
    # a journal column: small type, thin lines, figures that fit 3.4 in (one column) or 7 in (two)
    "paper": {"rc": {"font.size": 8, "axes.titlesize": 8, "axes.labelsize": 8, "legend.fontsize": 7,
                     "xtick.labelsize": 7, "ytick.labelsize": 7, "lines.linewidth": 1.2, "lines.markersize": 4,
                     "axes.grid": True, "grid.alpha": 0.3, "savefig.dpi": 200, "pdf.fonttype": 42,
                     "mathtext.fontset": "dejavuserif", "font.family": "serif"},
              "single": (3.6, 2.6), "double": (7.2, 2.8)},
    # slides: large type and thick lines
    "talk": {"rc": {"font.size": 14, "axes.titlesize": 14, "axes.labelsize": 14, "legend.fontsize": 11,
                    "xtick.labelsize": 12, "ytick.labelsize": 12, "lines.linewidth": 2.5, "lines.markersize": 8,
                    "axes.grid": True, "grid.alpha": 0.3, "savefig.dpi": 120, "pdf.fonttype": 42,
                    "mathtext.fontset": "dejavusans"},
             "single": (7.0, 4.8), "double": (13.0, 5.0)},
}


@contextmanager
def style(name: str) -> Iterator[dict[str, Any]]:
    """Matplotlib settings of style ``name`` for the figures made inside the block."""
    import matplotlib.pyplot as plt
    with plt.rc_context(STYLES[name]["rc"]):
        yield STYLES[name]


FigureMaker = Callable[[dict, Path, dict[str, Any]], list[str]]   # (numbers, folder, style) ↦ the files it wrote


def draw(figures: Sequence[FigureMaker], res: dict, out: Path, style_name: str) -> list[str]:
    """Draw ``figures`` from a study's numbers ``res`` into ``out`` in style ``style_name`` (matplotlib without a
    display); the files written."""
    import matplotlib
    matplotlib.use("Agg")
    paths: list[str] = []
    with style(style_name) as st:
        for figure in figures:
            paths += figure(res, out, st)
    return paths


def legend(ax: Axes, *twins: Axes, **kw: Any) -> Legend:
    """One legend for ``ax`` and its twin axes, below the axes (so that it hides no data and no curve of
    a twin is drawn across it); constrained layout makes room for it."""
    handles, labels = ax.get_legend_handles_labels()
    for t in twins:
        h, lab = t.get_legend_handles_labels()
        handles += h
        labels += lab
    kw = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.22), "ncols": 2, **kw}
    return ax.legend(handles, labels, **kw)


def data_ticks(axis: Axis, values: Iterable[float]) -> None:
    """Major ticks at the sampled values, labelled plainly (1, 2, 50, 100), and no minor labels: a log axis
    over less than a decade otherwise crowds its minor tick labels into each other."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter
    axis.set_major_locator(FixedLocator(sorted(set(float(v) for v in values))))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())

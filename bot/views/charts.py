"""The reports' charts as PNG images (matplotlib's Agg renderer, no display needed), labelled in the
reader's language. Chinese needs a font with its glyphs: Noto Sans CJK SC, shipped by the `mplfonts`
package (it covers Latin too, so every chart uses it), never a font of the operating system."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot is ever imported anywhere: no display on a server

import mplfonts
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import FuncFormatter

FONT_FILE = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
SIZE = (8.0, 4.5)  # inches; 800 × 450 pixels at DPI
DPI = 100
COLOURS = ("#2E7D6B", "#E0A030", "#C0504D", "#4F81BD", "#8064A2", "#9BBB59", "#7F7F7F")


@dataclass(frozen=True)
class Chart:
    """A chart drawn: the image, and what it shows in one line (its alt text too)."""

    png: bytes
    title: str
    alt: str


@lru_cache(maxsize=1)
def _font() -> font_manager.FontProperties:
    font_manager.fontManager.addfont(str(FONT_FILE))
    return font_manager.FontProperties(fname=str(FONT_FILE))


@lru_cache(maxsize=1)
def _glyphs() -> FT2Font:
    return FT2Font(str(FONT_FILE))


def missing_glyphs(text: str) -> set[str]:
    """The characters of `text` the chart font cannot draw (a test holds every label to none)."""
    font = _glyphs()
    return {char for char in text if not char.isspace() and font.get_char_index(ord(char)) == 0}


def _figure(title: str) -> tuple[Figure, Axes]:
    figure = Figure(figsize=SIZE, dpi=DPI)
    # Fixed margins, room for turned labels: a "tight" layout would draw every chart twice to measure it.
    figure.subplots_adjust(left=0.1, right=0.97, top=0.83, bottom=0.17)
    axes = figure.subplots()
    axes.set_title(title, fontproperties=_font(), fontsize=13, pad=26)
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _position: f"{value:,.0f}")
    )  # 1,200,000, not 1.2e6
    return figure, axes


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _label(axes: Axes, labels: Sequence[str], *, rotate: bool = False) -> None:
    for text in axes.get_xticklabels():
        text.set_fontproperties(_font())
        if rotate:
            text.set_rotation(30)
            text.set_horizontalalignment("right")
    del labels


def bars(
    title: str,
    alt: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    target: float | None = None,
    target_label: str = "",
) -> Chart:
    """One bar per label (visits per rep against the target, complaints per category)."""
    figure, axes = _figure(title)
    axes.bar(list(labels), list(values), color=COLOURS[0])
    if target:
        axes.axhline(target, color="#888888", linestyle="--", linewidth=1)
        axes.annotate(
            target_label,
            (len(labels) - 0.5, target),
            fontproperties=_font(),
            color="#666666",
            ha="right",
            va="bottom",
        )
    _label(axes, labels, rotate=len(labels) > 6)
    return Chart(_png(figure), title, alt)


def stacked(title: str, alt: str, labels: Sequence[str], series: Mapping[str, Sequence[float]]) -> Chart:
    """Bars per period, each split in its series (pool flow per week, revenue per week by level)."""
    figure, axes = _figure(title)
    bottom = [0.0] * len(labels)
    for (name, values), colour in zip(series.items(), COLOURS, strict=False):
        axes.bar(list(labels), list(values), bottom=bottom, color=colour, label=name)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    _legend(axes, len(series))
    _label(axes, labels, rotate=len(labels) > 8)
    return Chart(_png(figure), title, alt)


def _legend(axes: Axes, count: int) -> None:
    """The series' names in one row under the title: never over the bars (and no search for a place)."""
    axes.legend(prop=_font(), frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=count)


def side_by_side(title: str, alt: str, labels: Sequence[str], series: Mapping[str, Sequence[float]]) -> Chart:
    """Groups of bars (churn bands now and a month ago)."""
    figure, axes = _figure(title)
    width = 0.8 / max(1, len(series))
    for n, ((name, values), colour) in enumerate(zip(series.items(), COLOURS, strict=False)):
        positions = [i + n * width for i in range(len(labels))]
        axes.bar(positions, list(values), width=width, color=colour, label=name)
    axes.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(labels))], list(labels))
    _legend(axes, len(series))
    _label(axes, labels)
    return Chart(_png(figure), title, alt)

"""Figures: pure functions from arrays to plotly figures, tested without a browser.

Images are drawn as MNIST stores them (white ink on black). Every grid of images goes
through `image_rows`. Digits are categories, so labels get a discrete colour-blind-safe
palette (Paul Tol's, as in plotly's "Safe") with a legend, never a continuous colormap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ae_core.constants import FINAL_STAGE, PAGE_FONTS, PALETTE, SIDE, SIGNED_HIGH, SIGNED_LOW
from ae_core.drawings import IMAGE_GAP as GAP
from ae_core.drawings import side_by_side, text_width
from ae_core.i18n import N_, _, shown
from ae_core.loss_plan import LossRecord, plan_losses

GREYS = [[0.0, "black"], [1.0, "white"]]
MODEL_COLOURS = ("#332288", "#CC6677", "#117733", "#AA4499")  # models side by side
SIGNED = [[0.0, SIGNED_LOW], [0.5, "black"], [1.0, SIGNED_HIGH]]
FONT = {"family": PAGE_FONTS}
# How every chart is shown: without plotly's toolbar, which distracts in a classroom.
CHART_CONFIG = {"displayModeBar": False}


@dataclass(frozen=True)
class ImageRow:
    """One labelled row of a grid: images, optional captions, and how to colour them."""

    title: str
    images: np.ndarray  # (n, 28, 28)
    captions: Sequence[str] | None = None
    signed: bool = False  # differences: blue below 0, red above, black at 0


def label_colour(label: int) -> str:
    return PALETTE[int(label) % len(PALETTE)]


def image_rows(
    rows: Sequence[ImageRow],
    columns: int | None = None,
    title: str | None = None,
    cell_px: int = 64,
) -> go.Figure:
    """A grid of images: each `ImageRow` is one labelled line, wrapped every `columns`.

    With several rows and wrapping, lines interleave (originals 1-8, reconstructions 1-8,
    originals 9-16, ...) so each image stays right above its counterparts.
    """
    count = max(len(r.images) for r in rows)
    columns = max(1, min(columns or count, count))
    has_captions = any(r.captions for r in rows)
    band_height = SIDE + (9 if has_captions else 4)
    chunk_gap = SIDE / 2  # extra space between wrapped groups of rows
    fig = go.Figure()
    annotations = []
    top = 0.0
    for start in range(0, count, columns):
        if start:
            top += chunk_gap
        for row in rows:
            images = np.asarray(row.images[start : start + columns], np.float32)
            if len(images) == 0:
                continue
            fig.add_trace(_montage_trace(images, top, row.signed, row.title))
            # Anchored to the axis domain: plotly hides data-anchored notes outside the range.
            annotations.append(
                dict(
                    x=0,
                    xref="x domain",
                    xshift=-6,
                    y=top + SIDE / 2,
                    text=f"<b>{_t(row.title)}</b>",
                    xanchor="right",
                    showarrow=False,
                    font=dict(size=12),
                )
            )
            for i, caption in enumerate((row.captions or [])[start : start + columns]):
                annotations.append(
                    dict(
                        x=i * (SIDE + GAP) + SIDE / 2,
                        y=top + SIDE + 0.5,
                        text=caption,
                        yanchor="top",
                        showarrow=False,
                        font=dict(size=10),
                    )
                )
            top += band_height
    width_units = columns * (SIDE + GAP) - GAP
    scale = cell_px / SIDE
    # Room on the left for the longest row title (about 7 px per bold Latin character).
    left = 16 + int(max(text_width(_t(r.title), 14) for r in rows))
    fig.update_layout(
        title=dict(text=_t(title)) if title else None,
        annotations=annotations,
        height=int(top * scale) + (60 if title else 10),
        width=int(width_units * scale) + left + 10,
        margin=dict(l=left, r=10, t=50 if title else 5, b=5),
        xaxis=dict(visible=False, range=[-0.5, width_units - 0.5], constrain="domain"),
        # An explicit range (top down) keeps the last row's captions inside the plot.
        yaxis=dict(visible=False, range=[top, -0.5], scaleanchor="x", constrain="domain"),
        plot_bgcolor="white",
        font=FONT,
    )
    return fig


def _montage_trace(images: np.ndarray, top: float, signed: bool, name: str) -> go.Heatmap:
    z = side_by_side(images, fill=np.nan)
    # Which image a pixel belongs to (1-based), -1 in the gaps: the hover names it.
    numbers = np.arange(1, len(images) + 1, dtype=np.int32)[:, None, None]
    index = side_by_side(np.broadcast_to(numbers, images.shape[:3]), fill=-1)
    scale = (
        dict(colorscale=SIGNED, zmin=-1, zmax=1, zmid=0)
        if signed
        else dict(colorscale=GREYS, zmin=0, zmax=1)
    )
    return go.Heatmap(
        z=z,
        x0=0,
        dx=1,
        y0=top,
        dy=1,
        showscale=False,
        customdata=index,
        hovertemplate=_t(name) + " %{customdata}<br>" + _("pixel") + " %{z:.2f}<extra></extra>",
        name=_t(name),
        **scale,
    )


def image_steps(steps: Sequence[tuple[str, np.ndarray]], height: int = 190) -> go.Figure:
    """Images of different sizes side by side (e.g. the steps from a photo to a 28x28 digit)."""
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=1, cols=len(steps), subplot_titles=[t for t, _ in steps], horizontal_spacing=0.02
    )
    for i, (title, image) in enumerate(steps, start=1):
        signed = float(np.min(image)) < 0
        scale = (
            dict(colorscale=SIGNED, zmin=-1, zmax=1)
            if signed
            else dict(colorscale=GREYS, zmin=0, zmax=1)
        )
        fig.add_trace(
            go.Heatmap(
                z=image,
                showscale=False,
                name=_t(title),
                hovertemplate=_t(title) + "<br>" + _("pixel") + " %{z:.2f}<extra></extra>",
                **scale,
            ),
            row=1,
            col=i,
        )
        fig.update_xaxes(visible=False, row=1, col=i)
        fig.update_yaxes(
            visible=False, autorange="reversed", scaleanchor=f"x{i if i > 1 else ''}", row=1, col=i
        )
    fig.update_annotations(font_size=11)
    fig.update_layout(
        height=height, margin=dict(l=0, r=0, t=28, b=0), plot_bgcolor="white", font=FONT
    )
    return fig


def loss_curves(
    records: Sequence[LossRecord],
    live: tuple[float, float] | None = None,
    title: str = N_("Loss per epoch"),
) -> go.Figure:
    """Training (solid) and validation (dashed) losses per epoch, with each loss term
    (`ae_core.loss_plan`); pretraining stages of a stacked model are shaded. `live` adds the
    running loss of the epoch in progress at its fractional position."""
    plan = plan_losses(records)
    fig = go.Figure()
    for band in plan.bands:
        fig.add_vrect(
            x0=band.first - 0.5,
            x1=band.last + 0.5,
            fillcolor=band.colour,
            opacity=0.12,
            line_width=0,
            annotation_text=band.label,
            annotation_position="top left",
        )
    for line in plan.lines:
        fig.add_trace(
            go.Scatter(
                x=np.asarray(line.xs),
                y=list(line.ys),
                mode="lines+markers",
                line=dict(
                    color=line.colour, dash="dash" if line.dashed else "solid", width=line.width
                ),
                marker=dict(size=5),
                name=line.name,
                showlegend=line.in_legend,
                legendgroup=line.name,
                hovertemplate=f"{line.term} ({line.part})<br>"
                + _("epoch")
                + " %{x}: %{y:.5f}<extra></extra>",
            )
        )
    if live is not None:
        fig.add_trace(
            go.Scatter(
                x=[live[0]],
                y=[live[1]],
                mode="markers",
                name=_("now"),
                marker=dict(size=11, color="#CC6677", symbol="diamond"),
            )
        )
    notes = plan.notes
    fig.update_layout(
        title=dict(text=_t(title)),
        xaxis=dict(title=dict(text=_("epoch")), dtick=1 if plan.epochs <= 20 else None),
        yaxis=dict(title=dict(text=_("loss")), type="log" if plan.log_scale else "linear"),
        legend=dict(orientation="h", y=-0.2),
        height=360 + 16 * len(notes),
        margin=dict(l=60, r=10, t=50, b=10 + 16 * len(notes)),
        font=FONT,
    )
    if notes:
        # Each term's unit, under the legend: the terms are not all errors per pixel.
        fig.add_annotation(
            text="<br>".join(notes),
            xref="paper",
            yref="paper",
            x=0,
            y=-0.42,
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
            font=dict(size=10, color="#555555"),
        )
    return fig


def latent_scatter(
    points: np.ndarray,
    labels: np.ndarray,
    class_names: Sequence[str],
    x_title: str = N_("code 1"),
    y_title: str = N_("code 2"),
    title: str | None = None,
    highlights: Mapping[str, np.ndarray] | None = None,
    equal_axes: bool = True,
    height: int = 560,
    ranges: tuple[tuple[float, float], tuple[float, float]] | None = None,
) -> go.Figure:
    """Codes as points coloured by label (WebGL, one trace per class, index in customdata).

    `highlights` maps names to extra points drawn on top as large outlined stars; `ranges`
    fixes the axes ((x0, x1), (y0, y1)), e.g. so frames of a replay share them.
    """
    points = np.asarray(points, np.float32)
    labels = np.asarray(labels)
    fig = go.Figure()
    for label, name in enumerate(class_names):
        idx = np.flatnonzero(labels == label)
        if len(idx) == 0:
            continue
        fig.add_trace(
            go.Scattergl(
                x=points[idx, 0],
                y=points[idx, 1],
                mode="markers",
                name=_t(name),
                customdata=idx,
                marker=dict(size=4, color=label_colour(label), opacity=0.75),
                hovertemplate=_("label {name}").format(name=name)
                + "<br>"
                + _("test image")
                + " #%{customdata}<extra></extra>",
            )
        )
    for name, point in (highlights or {}).items():
        point = np.asarray(point, np.float32).reshape(-1, 2)
        fig.add_trace(
            go.Scatter(
                x=point[:, 0],
                y=point[:, 1],
                mode="markers+text",
                name=_t(name),
                text=[name] * len(point),
                textposition="top center",
                textfont=dict(size=15, color="black", weight="bold"),
                marker=dict(
                    size=24, symbol="star", color="#FFD23F", line=dict(width=2, color="black")
                ),
                hovertemplate=f"{name}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
            )
        )
    fig.update_layout(
        title=dict(text=_t(title)) if title else None,
        xaxis=dict(
            title=dict(text=_t(x_title)), zeroline=False, range=ranges[0] if ranges else None
        ),
        yaxis=dict(
            title=dict(text=_t(y_title)),
            zeroline=False,
            range=ranges[1] if ranges else None,
            **(dict(scaleanchor="x", scaleratio=1) if equal_axes else {}),
        ),
        legend=dict(title=dict(text=_("label")), itemsizing="constant"),
        height=height,
        margin=dict(l=60, r=10, t=50 if title else 10, b=50),
        plot_bgcolor="#F7F7F7",
        font=FONT,
    )
    return fig


def manifold(images: np.ndarray, xs: np.ndarray, ys: np.ndarray, cell_px: int = 44) -> go.Figure:
    """Images decoded on a grid across the 2-D code plane, axes in code units.

    `images` are in `latent.grid_codes` order: rows from the largest y down.
    """
    n_x, n_y = len(xs), len(ys)
    cells = np.asarray(images, np.float32).reshape(n_y, n_x, SIDE, SIDE)
    z = cells.transpose(0, 2, 1, 3).reshape(n_y * SIDE, n_x * SIDE)
    centres_x = np.arange(n_x) * SIDE + SIDE / 2
    centres_y = np.arange(n_y) * SIDE + SIDE / 2
    fig = go.Figure(
        go.Heatmap(z=z, colorscale=GREYS, zmin=0, zmax=1, showscale=False, hoverinfo="skip")
    )
    fig.update_layout(
        xaxis=dict(
            title=dict(text=_("code 1")),
            tickvals=centres_x,
            ticktext=[f"{v:.2g}" for v in xs],
            constrain="domain",
        ),
        yaxis=dict(
            title=dict(text=_("code 2")),
            tickvals=centres_y,
            ticktext=[f"{v:.2g}" for v in ys[::-1]],
            autorange="reversed",
            scaleanchor="x",
            constrain="domain",
        ),
        height=n_y * cell_px + 90,
        width=n_x * cell_px + 110,
        margin=dict(l=70, r=10, t=10, b=60),
        font=FONT,
    )
    return fig


def error_histogram(
    errors: np.ndarray,
    baseline: np.ndarray | None = None,
    baseline_name: str = "PCA",
    threshold: float | None = None,
    marks: Mapping[str, float] | None = None,
    title: str = N_("Reconstruction error of every test image"),
    name: str = N_("this model"),
    x_title: str = N_("mean squared error per pixel"),
    y_title: str = N_("test images"),
    upper_percentile: float = 99.5,
) -> go.Figure:
    """Histogram of per-image errors, optionally beside a baseline's, a threshold and marks.

    The axis ends at `upper_percentile` of the errors: among 10,000 test images a handful of
    extreme ones would squash the rest; a table's few rows are all shown (100).
    """
    upper = float(
        np.percentile(
            np.concatenate([errors, baseline if baseline is not None else []]), upper_percentile
        )
    )
    bins = dict(start=0.0, end=upper * 1.05, size=upper * 1.05 / 60)
    fig = go.Figure(
        go.Histogram(x=errors, xbins=bins, name=_t(name), marker_color="#332288", opacity=0.75)
    )
    if baseline is not None:
        fig.add_trace(
            go.Histogram(
                x=baseline, xbins=bins, name=_t(baseline_name), marker_color="#DDCC77", opacity=0.6
            )
        )
    if threshold is not None:
        fig.add_vline(
            x=threshold,
            line=dict(color="#CC6677", width=2, dash="dash"),
            annotation_text=_("threshold"),
            annotation_position="top right",
        )
    for name, value in (marks or {}).items():
        fig.add_vline(
            x=value,
            line=dict(color="#117733", width=2),
            annotation_text=name,
            annotation_position="top left",
        )
    _titled_layout(fig, title, x_title, y_title, 320, legend_y=-0.25)
    fig.update_layout(barmode="overlay")
    return fig


MAX_CATEGORIES = len(PALETTE)


def table_codes_scatter(
    points: np.ndarray,
    ids: Sequence[str],
    colour_by: Sequence[str] | None = None,
    colour_name: str = "",
    x_title: str = N_("code 1"),
    y_title: str = N_("code 2"),
    title: str = N_("Codes of every row"),
) -> go.Figure:
    """Rows of a table as points at two of their code values, coloured by one column.

    A column of numbers gets a continuous scale with a colour bar; any other column gets one
    colour per value (the most common values, the rest as "other"), like digit labels.
    """
    points = np.asarray(points, np.float32)
    row_ids = np.asarray(ids, dtype=str)
    fig = go.Figure()
    hover = "%{customdata}<br>" + f"{_t(x_title)}: %{{x:.3f}}<br>{_t(y_title)}: %{{y:.3f}}"
    numbers = _as_numbers(colour_by) if colour_by is not None else None
    if colour_by is None:
        groups = {_("rows"): np.arange(len(points))}
    elif numbers is not None:
        fig.add_trace(
            go.Scattergl(
                x=points[:, 0],
                y=points[:, 1],
                mode="markers",
                name=colour_name,
                customdata=row_ids,
                marker=dict(
                    size=6,
                    color=numbers,
                    colorscale="Viridis",
                    colorbar=dict(title=dict(text=colour_name)),
                    opacity=0.8,
                ),
                hovertemplate=hover + f"<br>{colour_name}: %{{marker.color}}<extra></extra>",
            )
        )
        groups = {}
    else:
        values = np.asarray(colour_by, dtype=str)
        kinds, counts = np.unique(values, return_counts=True)
        common = [str(k) for k in kinds[np.argsort(-counts, kind="stable")]]
        if len(common) > MAX_CATEGORIES:
            common = common[: MAX_CATEGORIES - 1]
        groups = {k: np.flatnonzero(values == k) for k in sorted(common)}
        rest = np.flatnonzero(~np.isin(values, common))
        if len(rest):
            groups[_("other")] = rest
    for i, (name, idx) in enumerate(groups.items()):
        fig.add_trace(
            go.Scattergl(
                x=points[idx, 0],
                y=points[idx, 1],
                mode="markers",
                name=_t(name),
                customdata=row_ids[idx],
                marker=dict(size=6, color=PALETTE[i % len(PALETTE)], opacity=0.8),
                hovertemplate=hover + f"<br>{colour_name} {name}<extra></extra>",
            )
        )
    categories = colour_by is not None and numbers is None
    _titled_layout(fig, title, x_title, y_title, 520)
    fig.update_layout(
        legend=dict(title=dict(text=colour_name if categories else None)), showlegend=categories
    )
    return fig


def _as_numbers(values: Sequence[str]) -> np.ndarray | None:
    """The values as floats if every one is a number and there are many distinct ones."""
    try:
        numbers = np.asarray(values, dtype=float)
    except ValueError:
        return None
    if not np.isfinite(numbers).all() or len(np.unique(numbers)) <= MAX_CATEGORIES:
        return None
    return numbers


def _t(text: str | None) -> str:
    """A text for a figure in the reader's language: plotly writes a `str` subclass out as
    its plain value, so a lazy message is put into words here, and an English default
    (marked with N_) is translated."""
    return _(shown(text)) if text else ""


def _titled_layout(
    fig: go.Figure,
    title: str,
    x_title: str,
    y_title: str,
    height: int,
    legend_y: float | None = None,
    xaxis: dict | None = None,
    yaxis: dict | None = None,
) -> None:
    """The layout most charts share: a title, two titled axes, a legend under the plot."""
    title, x_title, y_title = _t(title), _t(x_title), _t(y_title)
    fig.update_layout(
        title=dict(text=title),
        xaxis=dict(title=dict(text=x_title), **(xaxis or {})),
        yaxis=dict(title=dict(text=y_title), **(yaxis or {})),
        height=height,
        margin=dict(l=60, r=10, t=50, b=10),
        font=FONT,
    )
    if legend_y is not None:
        fig.update_layout(legend=dict(orientation="h", y=legend_y))


def roc_curves(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray, float]],
    point: tuple[float, float] | None = None,
    title: str = N_("ROC: every threshold at once"),
) -> go.Figure:
    """ROC curves (false positive rate, true positive rate, AUC by name), the chance diagonal,
    and the operating point of the chosen threshold."""
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name=_("chance (AUC 0.5)"),
            line=dict(color="#BBBBBB", dash="dot"),
        )
    )
    colours = ("#332288", "#DDCC77", "#117733", "#CC6677")
    for i, (label, (fpr, tpr, auc)) in enumerate(curves.items()):
        fig.add_trace(
            go.Scatter(
                x=fpr,
                y=tpr,
                mode="lines",
                name=_("{label} (AUC {auc:.3f})").format(label=label, auc=auc),
                line=dict(color=colours[i % len(colours)], width=3 if i == 0 else 2),
            )
        )
    if point is not None:
        fig.add_trace(
            go.Scatter(
                x=[point[0]],
                y=[point[1]],
                mode="markers",
                name=_("the threshold"),
                marker=dict(size=12, color="#CC6677", symbol="diamond"),
            )
        )
    _titled_layout(
        fig,
        title,
        N_("normal images flagged (false positive rate)"),
        N_("anomalies caught (recall)"),
        380,
        legend_y=-0.3,
        xaxis=dict(range=[0, 1]),
        yaxis=dict(range=[0, 1.02]),
    )
    return fig


def compare_losses(histories: Mapping[str, Sequence[LossRecord]]) -> go.Figure:
    """The final training's loss per epoch of several models: training solid, validation
    dashed, one colour per model (pretraining stages left out: they are not comparable)."""
    fig = go.Figure()
    for i, (name, records) in enumerate(histories.items()):
        finals = [r for r in records if r.stage == FINAL_STAGE]
        epochs = np.arange(1, len(finals) + 1)
        colour = MODEL_COLOURS[i % len(MODEL_COLOURS)]
        for part, dash in (("train", "solid"), ("validation", "dash")):
            fig.add_trace(
                go.Scatter(
                    x=epochs,
                    y=[getattr(r, part).get("loss") for r in finals],
                    mode="lines+markers",
                    name=f"{name} ({_('training') if part == 'train' else _('validation')})",
                    line=dict(color=colour, dash=dash, width=3 if part == "train" else 2),
                    legendgroup=name,
                )
            )
    _titled_layout(
        fig,
        N_("Loss per epoch (training solid, validation dashed)"),
        N_("epoch"),
        N_("loss"),
        360,
        legend_y=-0.25,
        xaxis=dict(dtick=1),
    )
    return fig


def robustness_curves(
    levels: np.ndarray,
    panels: Mapping[str, Mapping[str, tuple[np.ndarray, np.ndarray]]],
) -> go.Figure:
    """Error (top) and PSNR (bottom) against noise level, one column per noise type.

    `panels` maps a noise type's label to lines: name -> (mean MSE, mean PSNR) per level.
    A line named "noisy input" is drawn dashed grey: the damage before any model.
    """
    from plotly.subplots import make_subplots

    titles = list(panels)
    fig = make_subplots(
        rows=2,
        cols=max(1, len(titles)),
        shared_xaxes=True,
        subplot_titles=titles,
        vertical_spacing=0.08,
        horizontal_spacing=0.06,
    )
    colours: dict[str, str] = {}
    for column, lines in enumerate(panels.values(), start=1):
        for name, (mse, psnr_db) in lines.items():
            if name == _("noisy input"):
                style = dict(color="#999999", dash="dash", width=2)
            else:
                colour = colours.setdefault(name, MODEL_COLOURS[len(colours) % len(MODEL_COLOURS)])
                style = dict(color=colour, width=3)
            for row, values in ((1, mse), (2, psnr_db)):
                fig.add_trace(
                    go.Scatter(
                        x=levels,
                        y=values,
                        mode="lines+markers",
                        name=_t(name),
                        line=style,
                        legendgroup=name,
                        showlegend=column == 1 and row == 1,
                    ),
                    row=row,
                    col=column,
                )
    for column in range(1, len(titles) + 1):
        fig.update_xaxes(title_text=_("noise level"), row=2, col=column)
    fig.update_yaxes(title_text=_("MSE (lower is better)"), row=1, col=1)
    fig.update_yaxes(title_text=_("PSNR, dB (higher)"), row=2, col=1)
    fig.update_layout(
        height=520,
        legend=dict(orientation="h", y=-0.15),
        margin=dict(l=60, r=10, t=40, b=10),
        font=FONT,
    )
    return fig


def kl_per_dimension(kl: np.ndarray, collapsed_below: float) -> go.Figure:
    """A VAE's KL per code dimension as bars; dimensions below the line carry ~nothing."""
    kl = np.asarray(kl, np.float64)
    colours = ["#BBBBBB" if v < collapsed_below else "#332288" for v in kl]
    fig = go.Figure(
        go.Bar(
            x=[f"z{j + 1}" for j in range(len(kl))],
            y=kl,
            marker_color=colours,
            hovertemplate="%{x}: KL %{y:.3f} " + _("nats") + "<extra></extra>",
        )
    )
    fig.add_hline(
        y=collapsed_below,
        line=dict(color="#CC6677", dash="dash"),
        annotation_text=_("collapsed below"),
        annotation_position="top right",
    )
    _titled_layout(
        fig,
        N_("KL divergence per code dimension (what each one carries)"),
        N_("code dimension"),
        N_("KL, nats"),
        300,
    )
    return fig


def enlarged(fig: go.Figure, scale: float = 1.4) -> go.Figure:
    """A copy for a classroom projector: text, and the figure itself, `scale` times larger."""
    big = go.Figure(fig)
    layout = big.layout
    layout.font.size = (layout.font.size or 12) * scale
    if layout.title.font.size:
        layout.title.font.size *= scale
    for annotation in layout.annotations:
        annotation.font.size = (annotation.font.size or layout.font.size / scale) * scale
    if layout.height:
        layout.height = int(layout.height * scale)
    if layout.width:
        layout.width = int(layout.width * scale)
    # Margins hold titles and row labels: they grow with the text in them.
    for side in ("l", "r", "t", "b"):
        value = getattr(layout.margin, side)
        if value:
            setattr(layout.margin, side, int(value * scale))
    return big

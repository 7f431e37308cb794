"""Figures are pure functions: checked on their traces, shapes and labels, no browser."""

import numpy as np
import pytest

from ae_core.figures import (
    PALETTE,
    ImageRow,
    error_histogram,
    image_rows,
    latent_scatter,
    loss_curves,
    manifold,
)
from ae_core.training import EpochRecord

RNG = np.random.default_rng(0)


def images(n):
    return RNG.random((n, 28, 28), dtype=np.float32)


@pytest.mark.data_free
def test_image_rows_wraps_rows_in_step_and_labels_them():
    fig = image_rows(
        [
            ImageRow("original", images(10), [f"#{i}" for i in range(10)]),
            ImageRow("diff", images(10) - 0.5, signed=True),
        ],
        columns=4,
    )
    assert [t.name for t in fig.data] == ["original", "diff"] * 3  # 4 + 4 + 2 columns
    assert fig.data[0].z.shape == (28, 4 * 30 - 2)
    assert fig.data[-1].z.shape == (28, 2 * 30 - 2)
    assert fig.data[1].zmid == 0 and fig.data[0].zmin == 0 and fig.data[0].zmax == 1
    titles = [a.text for a in fig.layout.annotations if a.text.startswith("<b>")]
    assert titles == ["<b>original</b>", "<b>diff</b>"] * 3
    captions = [a.text for a in fig.layout.annotations if a.text.startswith("#")]
    assert captions == [f"#{i}" for i in range(10)]
    # The y range covers the last captions, so nothing is cut off.
    lowest_caption = max(a.y for a in fig.layout.annotations if a.text.startswith("#"))
    assert fig.layout.yaxis.range[0] > lowest_caption


@pytest.mark.data_free
def test_loss_curves_show_train_and_validation_and_penalty_terms():
    records = [
        EpochRecord(
            "Training",
            e,
            {"loss": 1 / e, "reconstruction_loss": 0.9 / e, "kl_loss": 0.1 / e},
            {"loss": 1.1 / e, "reconstruction_loss": 1 / e, "kl_loss": 0.1 / e},
            e,
        )
        for e in (1, 2, 3)
    ]
    fig = loss_curves(records, live=(3.5, 0.3))
    names = [t.name for t in fig.data]
    assert "total loss (training)" in names and "total loss (validation)" in names
    assert "KL (training)" in names and "reconstruction (validation)" in names
    assert names[-1] == "now" and fig.data[-1].x == (3.5,)
    plain = [
        EpochRecord(
            "Training",
            1,
            {"loss": 1.0, "reconstruction_loss": 1.0},
            {"loss": 1.0, "reconstruction_loss": 1.0},
            1,
        )
    ]
    assert [t.name for t in loss_curves(plain).data] == [
        "total loss (training)",
        "total loss (validation)",
    ]


@pytest.mark.data_free
def test_loss_curves_shade_pretraining_stages():
    pre = [
        EpochRecord(f"Pretraining layer {i} of 2 (a -> b)", 1, {"loss": 2.0}, {"loss": 2.0}, i)
        for i in (1, 2)
    ]
    main = [
        EpochRecord(
            "Training",
            1,
            {"loss": 0.1, "reconstruction_loss": 0.1},
            {"loss": 0.1, "reconstruction_loss": 0.1},
            3,
        )
    ]
    fig = loss_curves(pre + main)
    assert len(fig.layout.shapes) == 2
    assert fig.layout.yaxis.type == "linear"  # 2.0 / 0.1 is no reason for a log axis


@pytest.mark.data_free
def test_latent_scatter_gives_each_class_a_discrete_colour_and_keeps_indices():
    points = RNG.normal(size=(300, 2)).astype(np.float32)
    labels = np.arange(300) % 10
    fig = latent_scatter(
        points, labels, [str(d) for d in range(10)], highlights={"yours": np.array([0.0, 1.0])}
    )
    digits = fig.data[:10]
    assert [t.name for t in digits] == [str(d) for d in range(10)]
    assert [t.marker.color for t in digits] == list(PALETTE)
    assert all(t.type == "scattergl" for t in digits)
    assert list(digits[3].customdata) == list(np.flatnonzero(labels == 3))
    assert fig.data[-1].name == "yours" and fig.data[-1].marker.symbol == "star"
    assert fig.layout.yaxis.scaleanchor == "x"


@pytest.mark.data_free
def test_manifold_tiles_the_plane_with_code_values_on_the_axes():
    xs, ys = np.linspace(-2, 2, 5), np.linspace(-1, 1, 4)
    fig = manifold(images(20), xs, ys)
    assert fig.data[0].z.shape == (4 * 28, 5 * 28)
    assert list(fig.layout.xaxis.ticktext) == [f"{v:.2g}" for v in xs]
    assert list(fig.layout.yaxis.ticktext) == [f"{v:.2g}" for v in ys[::-1]]


@pytest.mark.data_free
def test_error_histogram_overlays_the_baseline_and_marks_a_threshold():
    fig = error_histogram(RNG.random(100), RNG.random(100), threshold=0.5, marks={"yours": 0.2})
    assert [t.name for t in fig.data] == ["this model", "PCA"]
    assert len(fig.layout.shapes) == 2


@pytest.mark.data_free
@pytest.mark.parametrize("k", [1, 2, 5])
def test_latent_views_are_honest_about_projection(k):
    from ae_core.latent import to_plane

    codes = RNG.normal(size=(200, k))
    view = to_plane(codes)
    assert view.points.shape == (200, 2)
    assert view.is_raw == (k == 2)
    if k == 2:
        np.testing.assert_allclose(view.points, codes, rtol=1e-6)
    if k == 5:
        assert "projected to 2-D with PCA" in view.description
    if k == 1:
        assert "no meaning" in view.y_title


@pytest.mark.data_free
def test_grid_and_path_helpers():
    from ae_core.latent import grid_axes, grid_codes, interpolate

    xs, ys = grid_axes(RNG.normal(size=(1000, 2)), 4)
    codes = grid_codes(xs, ys)
    assert codes.shape == (16, 2) and codes[0, 1] == ys[-1] and codes[-1, 1] == ys[0]
    path = interpolate(np.zeros(3), np.ones(3), 5)
    assert path.shape == (5, 3) and path[2].tolist() == [0.5] * 3


@pytest.mark.data_free
def test_loss_curves_say_what_each_term_is_measured_in():
    records = [
        EpochRecord(
            "Training",
            1,
            {"loss": 0.3, "reconstruction_loss": 0.2, "sparsity_loss": 0.05, "weight_decay": 0.05},
            {"loss": 0.3, "reconstruction_loss": 0.2, "sparsity_loss": 0.05, "weight_decay": 0.05},
            1,
        )
    ]
    fig = loss_curves(records)
    assert fig.layout.yaxis.title.text == "loss"  # not "per pixel": not every term is
    note = fig.layout.annotations[-1].text
    assert "reconstruction: mean per pixel" in note
    assert "sparsity: penalty on the code units, per image (not per pixel)" in note
    assert "weight decay: penalty on the weights (not per pixel)" in note
    pre = [
        EpochRecord(f"Pretraining layer {i} of 2 (a -> b)", 1, {"loss": 2.0}, {"loss": 2.0}, i)
        for i in (1, 2)
    ]
    shaded = [a.text for a in loss_curves(pre + records).layout.annotations]
    assert "layer 1: pixels" in shaded and "layer 2: hidden units" in shaded


@pytest.mark.data_free
def test_an_enlarged_figure_is_larger_and_the_original_untouched():
    from ae_core.figures import enlarged, error_histogram

    original = error_histogram(np.linspace(0, 0.1, 50), threshold=0.05)
    big = enlarged(original, 1.5)
    assert big.layout.height == int(original.layout.height * 1.5)
    assert big.layout.font.size == pytest.approx(1.5 * (original.layout.font.size or 12))
    assert all(a.font.size for a in big.layout.annotations)
    assert original.layout.font.size is None or original.layout.font.size < big.layout.font.size


@pytest.mark.data_free
def test_roc_figure_shows_each_curve_with_its_auc_and_the_chosen_point():
    from ae_core.figures import roc_curves

    fig = roc_curves({"model": ([0, 0.5, 1], [0, 0.9, 1], 0.7)}, point=(0.5, 0.9))
    assert [t.name for t in fig.data] == ["chance (AUC 0.5)", "model (AUC 0.700)", "the threshold"]
    assert list(fig.data[2].x) == [0.5] and list(fig.data[2].y) == [0.9]


def test_table_codes_scatter_colours_text_by_category_and_numbers_by_a_scale():
    from ae_core.figures import MAX_CATEGORIES, table_codes_scatter

    points = np.arange(40, dtype=float).reshape(20, 2)
    ids = [f"row{i}" for i in range(20)]
    groups = ["b" if i % 2 else "a" for i in range(20)]
    fig = table_codes_scatter(points, ids, groups, "group", "code 2", "code 5")
    assert [t.name for t in fig.data] == ["a", "b"]
    assert list(fig.data[1].customdata) == ids[1::2] and list(fig.data[1].x) == [
        2,
        6,
        10,
        14,
        18,
        22,
        26,
        30,
        34,
        38,
    ]
    assert fig.layout.xaxis.title.text == "code 2" and fig.layout.legend.title.text == "group"
    numbers = [str(i * 0.5) for i in range(20)]
    fig = table_codes_scatter(points, ids, numbers, "score")
    assert len(fig.data) == 1 and list(fig.data[0].marker.color) == [i * 0.5 for i in range(20)]
    assert fig.data[0].marker.colorbar.title.text == "score"
    many = [f"g{i}" for i in range(20)]  # more values than colours: the rest is "other"
    fig = table_codes_scatter(points, ids, many, "name")
    assert len(fig.data) == MAX_CATEGORIES and fig.data[-1].name == "other"
    assert sum(len(t.x) for t in fig.data) == 20
    fig = table_codes_scatter(points, ids)
    assert len(fig.data) == 1 and not fig.layout.showlegend

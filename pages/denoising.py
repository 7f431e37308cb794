"""Denoising: add noise to test images and see what a model makes of it."""

import time

import numpy as np
import streamlit as st

from ae_core.config import NOISE_TYPES
from ae_core.figures import ImageRow, image_rows, robustness_curves
from ae_core.i18n import _
from ae_core.noise import NOISE_LABELS, NOISE_NAMES
from pages.ui.alt_text import as_table
from pages.ui.charts import show_chart
from pages.ui.common import model_page
from pages.ui.language import worded

SCORED = 300  # test images each score is averaged over
SHOWN = 8
ROBUST_LEVELS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
ROBUST_SCORED = 200

session, model = model_page(
    _("Denoising"),
    _("Corrupt test {items} with noise, then let a model reconstruct them."),
)
item, items = _(model.dataset.info.item), _(model.dataset.info.items)

noise = model.autoencoder.training_noise
if noise is not None:
    st.success(
        _(
            "**{name}** is a denoising autoencoder: it was trained to turn {items} "
            "with {noise} noise (level {level:g}) back into clean ones, so it "
            "should clean noise up rather than copy it."
        ).format(
            name=model.name,
            items=items,
            noise=_(NOISE_NAMES[noise[0]]),
            level=noise[1],
        ),
        icon=":material/auto_fix_high:",
    )
else:
    st.info(
        _(
            "**{name}** was only trained to copy clean {items}. A **denoising** "
            "autoencoder is trained on corrupted inputs with the clean {items} as "
            "targets, so it learns to remove noise; train one (the *Denoising conv* "
            "preset) and compare them below."
        ).format(name=model.name, items=items),
        icon=":material/info:",
    )

kind_col, level_col = st.columns([1, 2])
kind = kind_col.selectbox(
    _("Noise"),
    NOISE_TYPES,
    index=NOISE_TYPES.index(noise[0]) if noise else 0,
    format_func=worded(lambda k: _(NOISE_LABELS[k])),
    key="denoise.kind",
)
level = level_col.slider(
    _("Level"),
    0.0,
    1.0,
    float(noise[1]) if noise else 0.5,
    step=0.05,
    help=_("Sigma of the Gaussian noise, or the fraction of pixels that are hit."),
    key="denoise.level",
)

others = [key for key in session.models if key != model.id]
# Suggest the most telling comparison: a plain model beside a denoising one, or vice versa.
counterparts = [
    k for k in others if (session.models[k].autoencoder.training_noise is None) != (noise is None)
]
NOTHING = ""
compare_id = st.selectbox(
    _("Compare with"),
    [NOTHING, *others],
    index=others.index(counterparts[-1]) + 1 if counterparts else 0,
    format_func=worded(lambda key: session.models[key].name if key else _("(nothing)")),
    help=_("Another model from this session, shown on the same noisy {items}.").format(items=items),
    key="denoise.compare",
)
compare = session.models.get(compare_id)

with st.spinner(_("Adding noise and reconstructing...")):
    result = model.denoising(kind, level, SCORED)
    other = compare.denoising(kind, level, SCORED) if compare is not None else None

scores = st.columns(4 if other else 3)
# With no noise the "noisy" images are the clean ones: their PSNR is infinite, and the
# model's score has nothing to be compared with.
noiseless = level == 0
scores[0].metric(
    _("PSNR of the noisy {items}").format(items=items),
    _("no noise") if noiseless else _("{psnr:.1f} dB").format(psnr=result.noisy_psnr.mean()),
)
scores[1].metric(
    _("PSNR after this model"),
    _("{psnr:.1f} dB").format(psnr=result.denoised_psnr.mean()),
    delta=None
    if noiseless
    else _("{change:+.1f} dB").format(
        change=result.denoised_psnr.mean() - result.noisy_psnr.mean()
    ),
)
scores[2].metric(
    _("SSIM noisy → model"),
    f"{result.noisy_ssim.mean():.2f} → {result.denoised_ssim.mean():.2f}",
    help=_("Structural similarity with the clean {item}: 1 is identical.").format(item=item),
)
if compare is not None and other is not None:
    scores[3].metric(
        _("PSNR after {short_name}").format(short_name=compare.short_name),
        _("{psnr:.1f} dB").format(psnr=other.denoised_psnr.mean()),
        delta=_("{change:+.1f} dB vs this model").format(
            change=other.denoised_psnr.mean() - result.denoised_psnr.mean()
        ),
    )
st.caption(
    _(
        "Averages over {scored} test {items}. PSNR compares each image with the "
        "clean {item} (higher is better); SSIM compares local structure."
    ).format(scored=SCORED, items=items, item=item)
)

rows = [
    ImageRow(_("clean"), result.clean[:SHOWN]),
    ImageRow(
        _("noisy"),
        result.noisy[:SHOWN],
        [_("no noise") if noiseless else f"{v:.1f} dB" for v in result.noisy_psnr[:SHOWN]],
    ),
    ImageRow(
        _("after {model}").format(model=model.short_name),
        result.denoised[:SHOWN],
        [f"{v:.1f} dB" for v in result.denoised_psnr[:SHOWN]],
    ),
]
if compare is not None and other is not None:
    rows.append(
        ImageRow(
            _("after {model}").format(model=compare.short_name),
            other.denoised[:SHOWN],
            [f"{v:.1f} dB" for v in other.denoised_psnr[:SHOWN]],
        )
    )
show_chart(image_rows(rows, cell_px=72), key="denoise.grid")
as_table(rows, _("These images"))

# --- robustness across noise levels ---------------------------------------------------------
st.subheader(_("How robust is it?"))
st.caption(
    (
        _(
            "The same {scored} test {items} at every noise level, for each kind of noise, "
            "with the same noise for {other}."
        ).format(scored=ROBUST_SCORED, items=items, other=compare.name)
        if compare is not None
        else _(
            "The same {scored} test {items} at every noise level, for each kind of noise."
        ).format(scored=ROBUST_SCORED, items=items)
    )
    + " "
    + _(
        "The dashed grey line is the noisy input itself: a model helps where it is below "
        "it on the error and above it on PSNR."
    )
)
curves = st.empty()
scoring = st.empty()
scoring_started = time.perf_counter()
panels: dict[str, dict[str, tuple]] = {}
for done, noise_kind in enumerate(NOISE_TYPES, start=1):
    mine = model.robustness(noise_kind, ROBUST_LEVELS, ROBUST_SCORED)
    lines = {
        _("noisy input"): (mine.noisy_mse, mine.noisy_psnr),
        model.short_name: (mine.model_mse, mine.model_psnr),
    }
    if compare is not None:
        theirs = compare.robustness(noise_kind, ROBUST_LEVELS, ROBUST_SCORED)
        lines[compare.short_name] = (theirs.model_mse, theirs.model_psnr)
    panels[_(NOISE_LABELS[noise_kind])] = lines
    if done == len(NOISE_TYPES):
        figure = robustness_curves(np.array(ROBUST_LEVELS), panels)
        show_chart(figure, where=curves, key="denoise.robustness")
    elif time.perf_counter() - scoring_started > 0.3:
        # Being scored (not read from the model's results): the chart fills in as it goes.
        show_chart(robustness_curves(np.array(ROBUST_LEVELS), panels), where=curves)
        scoring.progress(
            done / len(NOISE_TYPES),
            text=_("Scored {done} of {total}").format(done=done, total=len(NOISE_TYPES)),
        )
scoring.empty()

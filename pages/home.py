"""Home: what an autoencoder is, what each page does, and one-click presets."""

import re
from pathlib import Path

import numpy as np
import streamlit as st

from ae_core.drawings import autoencoder_sketch
from ae_core.i18n import _
from ae_core.images import to_mnist
from pages.ui.charts import drawing_scale, show_drawing
from pages.ui.common import page_start, user_errors
from pages.ui.lesson_file import lesson_plan
from pages.ui.service import existing_service
from pages.ui.session import is_training, remember_settings, start_training

SKETCH_DIGIT = "assets/examples/marker_7.png"

session = page_start(
    _("Autoencoder Lab"), _("Train autoencoders on handwritten digits and see what they learn.")
)
plan = lesson_plan()
if plan.title or plan.intro:
    with st.container(border=True):
        if plan.title:
            st.subheader(plan.title)
        if plan.intro:
            st.markdown(plan.intro)

left, right = st.columns([3, 2], gap="large")
with left:
    st.markdown(
        _(
            """
An **autoencoder** is a neural network trained to copy its input to its output through a
narrow middle layer, the **code**. The **encoder** squeezes a 28×28 image (784 numbers)
into a few numbers; the **decoder** rebuilds the image from them. Because the code is small,
the network cannot just memorise pixels: it has to find the few things that matter, such as
which digit it is and how it is written. Those codes are the *latent space*.
"""
        )
    )
with right:
    # A drawn example digit, not MNIST: the Home page needs neither the dataset nor TensorFlow.
    digit = to_mnist((Path(__file__).resolve().parents[1] / SKETCH_DIGIT).read_bytes())
    model = session.current_model
    if model is not None:  # a real reconstruction, by the model this session has
        output = model.autoencoder.reconstruct(digit[None])[0]
        sketch = autoencoder_sketch(
            digit,
            output,
            model.latent_dim,
            _("output of\n{model}").format(model=re.split("[:：]", str(model.name))[0]),
            scale=drawing_scale(),
        )
        note = _("The right-hand digit is what {model} makes of the left-hand one.").format(
            model=model.name
        )
    else:
        blurred = sum(
            np.roll(np.roll(digit, dx, 0), dy, 1) for dx in (-1, 0, 1) for dy in (-1, 0, 1)
        )
        sketch = autoencoder_sketch(
            digit,
            np.clip(blurred / 6.0, 0, 1),
            2,
            _("illustration\n(a blurred copy)"),
            scale=drawing_scale(),
        )
        note = _(
            "The right-hand digit is only an illustration, a blurred copy: no model has been "
            "trained yet. Once one has, it shows that model's real reconstruction."
        )
    show_drawing(sketch)
    st.caption(note)


def preset_timing(preset) -> str:
    """How long a preset takes: measured on an idle server, plus the queue when busy."""
    idle = _("About {seconds} s when the server is idle.").format(seconds=preset.idle_seconds)
    service = existing_service()
    if service is None:
        return idle
    if service.is_trained(preset.config()):
        return _("Already trained on this server: it opens at once.")
    wait = service.expected_wait()
    if wait < 1:
        return idle
    busy = _("The server is busy: it would start in about {seconds:.0f} s.").format(seconds=wait)
    return f"{idle} {busy}"


st.subheader(_("Start with a preset"))
busy = is_training(session)
if busy:
    st.info(_("A model is training now; open the Train page to watch it or stop it."))
columns = st.columns(max(len(plan.presets), 3))
for column, preset in zip(columns, plan.presets, strict=False):
    with column, st.container(border=True):
        st.markdown(f"**{_(preset.title)}**")
        st.caption(_(preset.summary))
        st.caption(preset_timing(preset))
        if st.button(_("Train this"), key=f"preset.{preset.key}", disabled=busy, type="primary"):
            with user_errors():
                config = preset.config()
                remember_settings(session, config)
                start_training(session, config)
                st.switch_page("pages/train.py")

st.subheader(_("What each page does"))
st.markdown(
    _(
        """
- **Learn**: the maths of every model, its loss written out, and what to try to see it.
- **Train**: choose an architecture and its settings, see the network, and watch the loss,
  the reconstructions and the latent space change while it learns.
- **Reconstructions**: originals beside reconstructions and their differences, the best and
  worst digits, and PCA with the same code size for comparison.
- **Latent space**: every test digit as a point in code space; for 2-D codes, the images the
  decoder draws across the plane and paths between two digits.
- **Denoising**: add noise and see what a model makes of it, with PSNR and SSIM scores.
- **Features**: what the hidden units respond to, and what each code unit draws.
- **Compare runs**: two to four models side by side: scores, losses, the same digits
  reconstructed by each, and their latent spaces.
- **Anomaly detection**: a model's error as a detector of digits it never saw (or of
  clothes), scored with precision, recall and the ROC curve against PCA.
- **My digits**: upload photos of your own handwriting or draw a digit, see how it is
  prepared like an MNIST digit, how the model reconstructs it and where it lands.
"""
    )
)

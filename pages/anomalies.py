"""Anomaly detection: reconstruction error as a detector, scored against known anomalies."""

import numpy as np
import streamlit as st

from ae_core.anomaly import confusion_at, roc
from ae_core.data import DATASETS, load_dataset
from ae_core.explorer import LEFT_OUT
from ae_core.figures import ImageRow, error_histogram, image_rows, roc_curves
from ae_core.i18n import _
from ae_core.presets import ANOMALY_PRESET
from pages.ui.alt_text import as_table
from pages.ui.charts import show_chart
from pages.ui.common import model_page, user_errors
from pages.ui.language import worded
from pages.ui.session import is_training, remember_settings, start_training

SHOWN = 12

session, model = model_page(
    _("Anomaly detection"),
    _(
        "A model trained on normal {items} only reconstructs them well; anything "
        "new comes out worse. Here its error is used as a detector and scored "
        "against anomalies we know."
    ),
)
items = _(model.dataset.info.items)
left_out = model.config.data.exclude_classes
other_name = next(name for name in DATASETS if name != model.dataset.name)
other_title = _(DATASETS[other_name].title)

if not left_out:
    with st.container(border=True):
        st.markdown(
            _(
                "**{name}** trained on every class, so only {other_title} images can be "
                "its anomalies. For the classic lesson, train a model that never sees "
                "one class: **{title}** (about {idle_seconds} s on an idle server)."
            ).format(
                name=model.name,
                other_title=other_title,
                title=_(ANOMALY_PRESET.title),
                idle_seconds=ANOMALY_PRESET.idle_seconds,
            )
        )
        if st.button(
            _("Train it"), key="anomaly.preset", type="primary", disabled=is_training(session)
        ):
            with user_errors():
                config = ANOMALY_PRESET.config()
                remember_settings(session, config)
                start_training(session, config)
                st.switch_page("pages/train.py")

sources = ([LEFT_OUT] if left_out else []) + [other_name]
names = model.dataset.class_names
source = st.radio(
    _("The anomalies are"),
    sources,
    format_func=worded(
        lambda s: (
            _("the classes it never saw ({classes})").format(
                classes=", ".join(_(names[c]) for c in left_out)
            )
            if s == LEFT_OUT
            else _("{dataset} test images").format(dataset=_(DATASETS[s].title))
        )
    ),
    horizontal=True,
    key="anomaly.source",
)

test = None
with user_errors(), st.spinner(_("Scoring every test image...")):
    other = load_dataset(other_name) if source != LEFT_OUT else None
    test = model.anomaly_test(source, other)
if test is None:
    st.stop()

model_roc = roc(test.normal_errors, test.anomalous_errors)
pca_roc = roc(test.normal_pca_errors, test.anomalous_pca_errors)
k = model.latent_dim
all_errors = np.concatenate([test.normal_errors, test.anomalous_errors])
top = float(np.percentile(all_errors, 99.5))
default = float(np.percentile(test.normal_errors, 95))
threshold = st.slider(
    _("Flag an image when its error is at least"),
    0.0,
    top,
    min(default, top),
    step=top / 200,
    format="%.4f",
    help=_("Start: the error that 95 percent of normal test images stay below."),
    key=f"anomaly.threshold.{model.id}.{source}",
)
result = confusion_at(threshold, test.normal_errors, test.anomalous_errors)

st.caption(
    _(
        "Normal: the {n_normal_errors:,} test {items} of the classes it trained "
        "on. Anomalies: {n_anomalous_errors:,} {description}."
    ).format(
        n_normal_errors=len(test.normal_errors),
        items=items,
        n_anomalous_errors=len(test.anomalous_errors),
        description=test.description,
    )
)
scores = st.columns(4)
scores[0].metric(
    _("Precision"), f"{result.precision:.2f}", help=_("Of the flagged, how many are anomalies.")
)
scores[1].metric(
    _("Recall"), f"{result.recall:.2f}", help=_("Of the anomalies, how many are flagged.")
)
scores[2].metric("F1", f"{result.f1:.2f}", help=_("The balance of the two (harmonic mean)."))
scores[3].metric(
    _("AUC"),
    f"{model_roc.auc:.3f}",
    delta=_("{difference:+.3f} vs PCA-{k}").format(difference=model_roc.auc - pca_roc.auc, k=k),
    help=_(
        "Over every threshold: the chance an anomaly scores above a normal "
        "image. 0.5 is a coin toss, 1 is perfect."
    ),
)
st.dataframe(
    {
        "": [_("is an anomaly"), _("is normal")],
        _("flagged"): [result.true_positives, result.false_positives],
        _("passed"): [result.false_negatives, result.true_negatives],
    },
    hide_index=True,
)

left, right = st.columns(2)
show_chart(
    where=left,
    fig=error_histogram(
        test.normal_errors,
        test.anomalous_errors,
        baseline_name=_("anomalies"),
        threshold=threshold,
        title=_("Reconstruction error: normal images and anomalies"),
        name=_("normal"),
    ),
    key="anomaly.histogram",
)
fpr = result.false_positives / len(test.normal_errors)
show_chart(
    where=right,
    fig=roc_curves(
        {
            _("this model"): (
                model_roc.false_positive_rate,
                model_roc.true_positive_rate,
                model_roc.auc,
            ),
            f"PCA-{k}": (pca_roc.false_positive_rate, pca_roc.true_positive_rate, pca_roc.auc),
        },
        point=(fpr, result.recall),
    ),
    key="anomaly.roc",
)
st.caption(
    _(
        "PCA with {k} components, fitted on the same training images, is the "
        "baseline: an autoencoder earns its place as a detector by beating it."
    ).format(k=k)
)


def gallery(title: str, images, labels, errors, order, class_names) -> ImageRow:
    captions = [f"{_(class_names[labels[i]])}: {errors[i]:.3f}" for i in order]
    return ImageRow(title, images[order], captions)


st.subheader(_("Which images it flags, and which fool it"))
most = np.argsort(-test.anomalous_errors)[:SHOWN]
missed = np.argsort(test.anomalous_errors)[:SHOWN]
fooled = np.argsort(-test.normal_errors)[:SHOWN]
anomalies = (test.anomalous_images, test.anomalous_labels, test.anomalous_errors)
normals = (test.normal_images, test.normal_labels, test.normal_errors)
rows = [
    gallery(_("most anomalous"), *anomalies, most, test.anomalous_class_names),
    gallery(_("anomalies it missed"), *anomalies, missed, test.anomalous_class_names),
    gallery(_("normal, but flagged first"), *normals, fooled, names),
]
show_chart(image_rows(rows, columns=SHOWN, cell_px=64), key="anomaly.grid")
flagged_normal = int((test.normal_errors[fooled] >= threshold).sum())
st.caption(
    _(
        "Captions: label and error. The anomalies it reconstructs best pass as "
        "normal; the normal {items} with the largest errors are the false alarms "
        "({flagged_normal} of these {n_fooled} are above the threshold)."
    ).format(items=items, flagged_normal=flagged_normal, n_fooled=len(fooled))
)
as_table(rows, _("These images"))

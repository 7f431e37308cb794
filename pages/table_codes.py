"""Your table -> codes: upload a table of numbers, train an autoencoder on its rows, take
every row's code home as CSV (and the encoder that made it)."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ae_core.errors import AELabError, ConfigError
from ae_core.figures import error_histogram, loss_curves, table_codes_scatter
from ae_core.i18n import N_, _, ngettext
from ae_core.table_training import (
    TABLE_ARCHITECTURES,
    TableModelConfig,
    TableSnapshot,
    TableTrainingJob,
)
from ae_core.tables import (
    MISSING_POLICIES,
    ROW_NUMBER_ID,
    SCALINGS,
    Table,
    TableSetup,
    codes_csv,
    prepare_table,
    read_table,
)
from pages.ui.charts import show_chart
from pages.ui.common import page_start
from pages.ui.language import worded
from pages.ui.table_work import (
    TableWork,
    TrainedTable,
    collect_table_run,
    start_table_run,
)
from pages.ui.uploads import give_memory_back, read_once

EXAMPLE = Path(__file__).resolve().parent.parent / "assets" / "tables" / "gene_terms.csv"
ROW_NUMBERS = N_("(row numbers)")
NO_COLOUR = "\x00"  # the option for one colour: no column of a text table has this name


@functools.cache
def example_table() -> Table:
    return read_table(EXAMPLE.read_bytes(), EXAMPLE.name)


def epoch_records(snapshot_losses: tuple[tuple[float, ...], tuple[float, ...]]):
    """Per-epoch losses as the records the shared loss chart draws."""
    from types import SimpleNamespace

    train, validation = snapshot_losses
    return [
        SimpleNamespace(stage="Training", train={"loss": t}, validation={"loss": v})
        for t, v in zip(train, validation, strict=True)
    ]


session = page_start(
    _("Your table → codes"),
    _(
        "A table of numbers (one row per gene, customer, sample...) squeezed by "
        "an autoencoder into a few numbers per row: codes you can use elsewhere, "
        "and a measure of which rows are unusual."
    ),
)
if session.table is None:
    session.table = TableWork()
work: TableWork = session.table
session_id = ctx.session_id if (ctx := get_script_run_ctx()) is not None else session.id
if collect_table_run(session_id, work):
    st.rerun()  # the whole page shows the new model once

# --- the table ----------------------------------------------------------------------------
limit_mb = st.get_option("server.maxUploadSize")
upload_col, example_col = st.columns([3, 1])
upload = upload_col.file_uploader(
    _("A table: CSV or TSV with a header line, UTF-8 or GBK, up to {limit_mb} MB").format(
        limit_mb=limit_mb
    ),
    type=None,  # every file reaches the page, which says what is wrong with it
    key="table.upload",
    help=_(
        "Excel: File > Save As > CSV UTF-8. One row per item, one column per "
        "feature; a column of names (IDs) is optional."
    ),
)
if upload is None:
    work.upload_id, work.problem = None, None
elif upload.file_id != work.upload_id:
    work.upload_id = upload.file_id
    data = read_once(upload)
    try:
        work.table, work.problem, work.prepared = read_table(data, upload.name), None, {}
    except AELabError as exc:
        work.problem = str(exc)  # the table already open stays open
    del data
    give_memory_back()
example_col.write("")  # aligns the button with the uploader's box
if example_col.button(
    _("Use the example table"),
    icon=":material/science:",
    key="table.example",
    help=_(
        "240 made-up genes × 48 gene-ontology terms (1 = the gene has the term), "
        "with four planted groups of genes that share terms."
    ),
):
    work.table, work.problem, work.prepared = example_table(), None, {}
if work.problem:
    st.error(work.problem, icon=":material/error:")
table = work.table
if table is None:
    st.info(_("Upload a table, or press **Use the example table**."))
    st.stop()

separator = {",": _("commas"), "\t": _("tabs"), ";": _("semicolons")}[table.delimiter]
encoding = {"utf-8-sig": "UTF-8", "gbk": "GBK"}[table.encoding]
st.caption(
    _(
        "**{name}**: {rows:,} rows × {n_columns:,} columns, {encoding} text "
        "separated by {separator}."
    ).format(
        name=table.name,
        rows=table.rows,
        n_columns=len(table.columns),
        encoding=encoding,
        separator=separator,
    )
)
with st.expander(_("The first rows, and what each column holds")):
    preview = {name: table.column(name)[:20].tolist() for name in table.columns[:60]}
    st.dataframe(preview, hide_index=True, height=250)
    if len(table.columns) > 60:
        st.caption(_("The first 60 of {n_columns:,} columns.").format(n_columns=len(table.columns)))
    columns = table.describe()
    st.dataframe(
        {
            _("column"): [i.name for i in columns],
            _("holds"): [_("numbers") if i.numeric else _("text") for i in columns],
            _("missing"): [i.missing for i in columns],
            _("distinct values"): [i.distinct for i in columns],
        },
        hide_index=True,
        height=200,
    )

# --- which columns, how to scale them ---------------------------------------------------------
numeric = table.numeric_columns()
suggested = table.suggested_id_column()
id_col, scale_col, missing_col = st.columns(3)
id_options = [ROW_NUMBER_ID, *table.columns]
id_column = id_col.selectbox(
    _("ID column"),
    id_options,
    index=id_options.index(suggested),
    format_func=worded(lambda c: c or _(ROW_NUMBERS)),
    key=f"table.id.{table.name}",
    help=_("The column that names each row; it goes first in the codes file."),
)
scaling = scale_col.radio(
    _("Scaling (fitted on the training rows only)"),
    list(SCALINGS),
    format_func=worded(lambda k: _(SCALINGS[k])),
    key="table.scaling",
)
missing = missing_col.radio(
    _("Missing values"),
    list(MISSING_POLICIES),
    format_func=worded(lambda k: _(MISSING_POLICIES[k])),
    key="table.missing",
)
candidates = [c for c in table.columns if c != id_column]
every_numeric = st.checkbox(
    _("Learn from every numeric column ({n_items})").format(
        n_items=len([c for c in numeric if c != id_column])
    ),
    value=True,
    key=f"table.all_numeric.{table.name}",
)
features: tuple[str, ...] = ()
if not every_numeric:
    features = tuple(
        st.multiselect(
            _("Feature columns"),
            candidates,
            default=[c for c in numeric if c != id_column],
            key=f"table.features.{table.name}",
        )
    )

with st.expander(_("Model and training"), expanded=work.trained is None):
    arch_col, code_col, epoch_col = st.columns(3)
    architecture = arch_col.selectbox(
        _("Autoencoder"),
        list(TABLE_ARCHITECTURES),
        index=list(TABLE_ARCHITECTURES).index(TableModelConfig().architecture),
        format_func=worded(lambda k: _(TABLE_ARCHITECTURES[k])),
        key="table.arch",
    )
    latent_dim = code_col.number_input(
        _("Code size (numbers per row)"), value=TableModelConfig().latent_dim, key="table.code"
    )
    epochs = epoch_col.slider(_("Epochs"), 1, 300, TableModelConfig().epochs, key="table.epochs")
    split_col, batch_col, rate_col, seed_col = st.columns(4)
    validation = split_col.slider(
        _("Validation rows (%)"), 5, 50, 20, key="table.validation", help=_("Held out of training.")
    )
    batch_size = batch_col.number_input(_("Batch size"), value=32, key="table.batch")
    learning_rate = rate_col.number_input(
        _("Learning rate"), value=1e-3, format="%g", key="table.rate"
    )
    seed = seed_col.number_input(_("Seed"), value=0, key="table.seed")
    beta = TableModelConfig().beta
    if architecture == "variational":
        beta = st.number_input(
            _("KL weight (beta)"),
            value=beta,
            format="%g",
            key="table.beta",
            help=_(
                "How strongly each row's code is pulled towards N(0, 1): larger values "
                "give a smoother code space and blurrier reconstructions."
            ),
        )

prepared = config = None
try:
    setup = TableSetup(
        id_column=id_column,
        feature_columns=features,
        missing=missing,
        scaling=scaling,
        validation_fraction=validation / 100,
        seed=int(seed),
    )
    config = TableModelConfig(
        architecture=architecture,
        latent_dim=int(latent_dim),
        epochs=int(epochs),
        batch_size=int(batch_size),
        learning_rate=float(learning_rate),
        beta=float(beta),
        seed=int(seed),
    )
    key = (table.name, setup)
    if key not in work.prepared:
        work.prepared = {key: prepare_table(table, setup)}  # one setup kept: they are big
    prepared = work.prepared[key]
except (AELabError, ConfigError) as exc:
    st.error(str(exc), icon=":material/error:")
if prepared is not None:
    st.caption(
        ngettext(
            "{n_features} feature column; {n_train_rows} rows to train on and "
            "{n_validation_rows} to validate on.",
            "{n_features} feature columns; {n_train_rows} rows to train on and "
            "{n_validation_rows} to validate on.",
            len(prepared.features),
        ).format(
            n_features=len(prepared.features),
            n_train_rows=len(prepared.train_rows),
            n_validation_rows=len(prepared.validation_rows),
        )
    )
    for note in prepared.notes:
        st.info(note, icon=":material/info:")

# --- train ---------------------------------------------------------------------------------
running = work.job is not None
start_col, stop_col, _spacer = st.columns([1, 1, 4])
if (
    start_col.button(
        _("Start training"),
        type="primary",
        icon=":material/play_arrow:",
        disabled=running or prepared is None or config is None,
        key="table.start",
    )
    and prepared is not None
    and config is not None
):
    start_table_run(session_id, work, table, TableTrainingJob(prepared, config))
    st.rerun()
stop_pressed = stop_col.button(
    _("Stop"), icon=":material/stop:", disabled=not running, key="table.stop"
)
if stop_pressed and work.job is not None:
    work.job.stop()


def show_progress(snapshot: TableSnapshot) -> None:
    st.progress(min(1.0, snapshot.fraction), text=snapshot.message)
    if snapshot.train_loss:
        records = epoch_records((snapshot.train_loss, snapshot.validation_loss))
        show_chart(loss_curves(records, title=_("Loss per epoch (mean squared error per feature)")))


@st.fragment(run_every=1.0 if running else None)
def live_progress() -> None:
    job = work.job
    if job is None:
        return
    snapshot = job.snapshot()
    if snapshot.finished:
        st.rerun()  # collected at the top of the page
    show_progress(snapshot)


live_progress()
if work.last_message is not None:
    state, message = work.last_message
    show = {"completed": st.success, "stopped": st.warning}.get(state, st.error)
    show(message)

# --- what the model learned ---------------------------------------------------------------
trained: TrainedTable | None = work.trained
if trained is None:
    st.stop()
result = trained.result
rows = result.table
st.subheader(_("What the model learned"))
if trained.table is not table:
    st.caption(_("The model below was trained on **{name}**.").format(name=trained.table.name))
m1, m2, m3, m4 = st.columns(4)
m1.metric(_("Rows"), f"{len(rows.ids):,}")
m2.metric(_("Features"), f"{len(rows.features):,}")
m3.metric(_("Code size"), result.config.latent_dim)
m4.metric(
    _("Validation loss"), f"{result.validation_loss[-1]:.4f}" if result.validation_loss else "-"
)
if result.train_loss and not running:
    show_chart(
        loss_curves(
            epoch_records((result.train_loss, result.validation_loss)),
            title=_("Loss per epoch (mean squared error per feature)"),
        )
    )

codes_tab, unusual_tab, download_tab = st.tabs(
    [_("Codes in 2-D"), _("Most unusual rows"), _("Download codes and encoder")]
)
with codes_tab:
    code_names = [_("code {number}").format(number=i + 1) for i in range(result.config.latent_dim)]
    error_axis = _("reconstruction error")
    spread = np.argsort(-result.codes.std(axis=0), kind="stable")
    x_col, y_col, colour_col = st.columns(3)
    x_name = x_col.selectbox(_("Across"), code_names, index=int(spread[0]), key="table.x")
    y_options = [*code_names, error_axis]
    y_default = int(spread[1]) if len(spread) > 1 else len(code_names)
    y_name = y_col.selectbox(_("Up"), y_options, index=y_default, key="table.y")
    texts = [i.name for i in trained.table.describe() if not i.numeric and i.name != rows.id_column]
    colour_options = [NO_COLOUR, *trained.table.columns]
    colour = colour_col.selectbox(
        _("Colour by"),
        colour_options,
        format_func=worded(lambda c: _("(one colour)") if c == NO_COLOUR else c),
        index=colour_options.index(texts[0]) if texts else 0,
        key="table.colour",
    )
    xs = result.codes[:, code_names.index(x_name)]
    ys = result.errors if y_name == error_axis else result.codes[:, code_names.index(y_name)]
    colour_values = (
        None if colour == NO_COLOUR else trained.table.column(colour)[rows.kept_rows].tolist()
    )
    show_chart(
        table_codes_scatter(
            np.column_stack([xs, ys]),
            rows.ids.tolist(),
            colour_values,
            colour_name="" if colour == NO_COLOUR else colour,
            x_title=x_name,
            y_title=y_name,
        )
    )
    st.caption(
        _(
            "Each point is one row at two of its code values (raw, not "
            "re-projected). Rows the model finds alike sit together."
        )
    )
with unusual_tab:
    show_chart(
        error_histogram(
            result.errors,
            title=_("Reconstruction error of every row"),
            name=_("rows"),
            x_title=_("mean squared error per feature (scaled)"),
            y_title=_("rows"),
            upper_percentile=100,  # the most unusual rows are the point here
        )
    )
    worst = result.most_unusual(10)
    st.markdown(_("**The rows the model reconstructs worst**: the most unusual ones."))
    st.dataframe(
        {
            rows.id_column or _("row"): [w[0] for w in worst],
            _("reconstruction error"): [round(w[1], 5) for w in worst],
            _("used for"): [_("validation") if w[2] else _("training") for w in worst],
        },
        hide_index=True,
    )
with download_tab:
    stem = Path(trained.table.name).stem
    st.download_button(
        _("Download the codes (CSV)"),
        data=codes_csv(rows.ids, result.codes, rows.id_column),
        file_name=f"{stem}_codes.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="table.download_codes",
    )
    st.download_button(
        _("Download the encoder (.zip: Keras model + scaling)"),
        data=result.encoder_archive,
        file_name=f"{stem}_encoder.zip",
        mime="application/zip",
        icon=":material/download:",
        on_click="ignore",
        key="table.download_encoder",
    )
    st.caption(
        _(
            "The codes file has the ID column first, then one column per code "
            "number. The encoder's zip holds the Keras model, the scaling it expects "
            "and how to use both."
        )
    )

"""The "Your table" page in AppTest: what it shows for good tables, bad ones, and a run."""

from __future__ import annotations

import numpy as np
import pytest

from ae_core.table_training import TableModelConfig, TableTrainingJob
from ae_core.tables import TableSetup, prepare_table, read_table
from pages.ui import table_work
from tests.conftest import ROOT
from tests.page_support import SESSION_KEY, assert_clean, charts, new_app, texts, values

pytestmark = pytest.mark.data_free
PAGE = "pages/table_codes.py"
EXAMPLE = ROOT / "assets" / "tables" / "gene_terms.csv"


def open_page():
    at = new_app().run()
    at.switch_page(PAGE).run()
    assert_clean(at)
    return at


def upload(at, name: str, data: bytes):
    at.file_uploader(key="table.upload").set_value((name, data, "text/csv")).run()
    assert_clean(at)
    return at


def train(at, epochs: int = 3):
    at.slider(key="table.epochs").set_value(epochs).run()
    at.button(key="table.start").click().run()
    work = at.session_state[SESSION_KEY].table
    assert work.job.join(120), "the table run did not finish"
    at.run()
    assert_clean(at)
    return work


def test_the_page_invites_a_table_before_one_is_given():
    at = open_page()
    assert "Upload a table, or press **Use the example table**." in texts(at)
    assert not at.get("plotly_chart")


def test_the_example_table_trains_and_shows_codes_unusual_rows_and_downloads():
    at = open_page()
    at.button(key="table.example").click().run()
    assert "**gene_terms.csv**: 240 rows × 50 columns" in texts(at)
    assert "48 feature columns; 192 rows to train on and 48 to validate on." in texts(at)
    assert at.selectbox(key="table.id.gene_terms.csv").value == "gene"
    work = train(at, epochs=3)
    assert work.trained is not None and work.trained.result.epochs_trained == 3
    assert "Trained for 3 epochs" in at.success[0].value
    assert {m.label: m.value for m in at.metric} == {
        "Rows": "240",
        "Features": "48",
        "Code size": "8",
        "Validation loss": f"{work.trained.result.validation_loss[-1]:.4f}",
    }
    shown = list(charts(at).values())
    titles = [c["layout"]["title"]["text"] for c in shown]
    assert titles == [
        "Loss per epoch (mean squared error per feature)",
        "Codes of every row",
        "Reconstruction error of every row",
    ]
    scatter = shown[1]
    # Coloured by the text column "pathway" (picked for the user): one trace per pathway.
    assert at.selectbox(key="table.colour").value == "pathway"
    assert [t["name"] for t in scatter["data"]] == [
        "apoptosis",
        "cell cycle",
        "immune response",
        "lipid metabolism",
    ]
    assert sum(len(values(t["customdata"])) for t in scatter["data"]) == 240
    # The axes are two code units, raw: the points are the codes themselves.
    x_unit = int(at.selectbox(key="table.x").value.split()[-1]) - 1
    first = scatter["data"][0]
    row = list(work.trained.result.table.ids).index(values(first["customdata"])[0])
    assert np.isclose(values(first["x"])[0], work.trained.result.codes[row, x_unit])
    table_shown = at.dataframe[-1].value
    worst = work.trained.result.most_unusual(10)
    assert list(table_shown["gene"]) == [w[0] for w in worst]
    downloads = {d.proto.label for d in at.get("download_button")}
    assert downloads == {
        "Download the codes (CSV)",
        "Download the encoder (.zip: Keras model + scaling)",
    }


def test_colouring_by_a_numeric_column_uses_a_colour_scale():
    at = open_page()
    at.button(key="table.example").click().run()
    train(at, epochs=1)
    at.selectbox(key="table.colour").set_value("GO:0006000").run()
    scatter = list(charts(at).values())[1]
    # 0/1 values are two categories, not a scale.
    assert [t["name"] for t in scatter["data"]] == ["0", "1"]
    at.selectbox(key="table.y").set_value("reconstruction error").run()
    scatter = list(charts(at).values())[1]
    assert scatter["layout"]["yaxis"]["title"]["text"] == "reconstruction error"


def test_a_gbk_table_with_chinese_names_reads_right():
    rows = "".join(f"样本{i},{'甲' if i % 2 else '乙'},{i % 4},{(i * 5) % 7}\n" for i in range(20))
    at = upload(open_page(), "样本.csv", ("名称,组,x,y\n" + rows).encode("gbk"))
    assert "**样本.csv**: 20 rows × 4 columns, GBK text separated by commas." in texts(at)
    assert at.selectbox(key="table.id.样本.csv").value == "名称"
    assert "2 feature columns; 16 rows to train on and 4 to validate on." in texts(at)


def test_a_bad_upload_is_reported_and_the_table_and_model_stay():
    at = open_page()
    at = upload(at, "gene_terms.csv", EXAMPLE.read_bytes())
    train(at, epochs=1)
    upload(at, "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(64))
    assert "photo.csv is not a text table" in at.error[0].value
    assert "**gene_terms.csv**: 240 rows" in texts(at)
    assert "What the model learned" in [h.value for h in at.subheader]
    assert at.button(key="table.start").disabled is False


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("name,colour\n" + "x,red\n" * 9, "has no numeric column"),
        ("id,a\n" + "".join(f"r{i % 5},{i}\n" for i in range(10)), "has duplicates"),
        ("id,a\nr1,1\n", "at least 8 rows"),
    ],
)
def test_a_table_that_cannot_be_used_says_why_and_start_is_off(table, message):
    at = upload(open_page(), "t.csv", table.encode())
    if table.startswith("id,"):
        at.selectbox(key="table.id.t.csv").set_value("id").run()
    assert message in " ".join(e.value for e in at.error)
    assert at.button(key="table.start").disabled


def test_text_in_a_chosen_column_names_the_rows_and_missing_values_can_be_filled():
    rows = "".join(f"r{i},{'' if i == 3 else i},{'high' if i == 5 else i % 3}\n" for i in range(12))
    at = upload(open_page(), "t.csv", ("id,a,b\n" + rows).encode())
    assert "1 feature column;" in texts(at)  # "b" holds text: not preselected
    assert "Dropped 1 row(s) with a missing value (first: row 4)." in texts(at)
    at.checkbox(key="table.all_numeric.t.csv").set_value(False).run()
    at.multiselect(key="table.features.t.csv").set_value(["a", "b"]).run()
    assert "Column 'b' is to be a feature but holds text: row 6 ('high')" in at.error[0].value
    assert at.button(key="table.start").disabled
    at.multiselect(key="table.features.t.csv").set_value(["a"]).run()
    at.radio(key="table.missing").set_value("fill").run()
    assert "Dropped" not in texts(at)
    assert "1 feature column; 10 rows to train on and 2 to validate on." in texts(at)


def test_a_run_whose_session_has_gone_is_stopped_after_the_grace_time():
    table = read_table(EXAMPLE.read_bytes(), EXAMPLE.name)
    job = TableTrainingJob(
        prepare_table(table, TableSetup(id_column="gene")), TableModelConfig(epochs=500)
    )
    work = table_work.TableWork()
    table_work.start_table_run("tab-1", work, table, job)
    try:
        connected = {"tab-1": True}
        assert table_work.stop_abandoned_table_runs(connected.get, 5, now=0.0) == []
        connected["tab-1"] = False  # the tab closed: Streamlit may still reconnect it
        assert table_work.stop_abandoned_table_runs(connected.get, 5, now=1.0) == []
        assert table_work.running_table_runs() == 1
        assert table_work.stop_abandoned_table_runs(connected.get, 5, now=7.0) == ["tab-1"]
        assert job.join(30) and job.snapshot().state == "stopped"
        assert table_work.running_table_runs() == 0
    finally:
        job.stop()

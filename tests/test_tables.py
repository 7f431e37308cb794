"""Reading and preparing a user's own table: encodings, separators, and every bad table."""

from __future__ import annotations

import numpy as np
import pytest

from ae_core.errors import ConfigError, TableError
from ae_core.tables import (
    MAX_COLUMNS,
    ROW_NUMBER_ID,
    TableSetup,
    codes_csv,
    prepare_table,
    read_table,
)

pytestmark = pytest.mark.data_free

# Chinese column names and IDs: the encodings must carry them through unchanged.
TEXT = "基因,通路,术语A,术语B,术语C\n" + "".join(
    f"G{i},{'凋亡' if i % 2 else '免疫'},{i % 3},{(i * 7) % 5},{i / 10}\n" for i in range(12)
)


def table_text(rows: int = 12, extra: str = "") -> str:
    body = "".join(f"r{i},{i},{(i * 3) % 7},{i % 2}{extra}\n" for i in range(rows))
    return "id,a,b,c\n" + body


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_utf8_utf8_with_bom_and_gbk_all_read_the_same(encoding):
    table = read_table(TEXT.encode(encoding), "genes.csv")
    assert table.columns == ("基因", "通路", "术语A", "术语B", "术语C")
    assert table.column("通路")[:2].tolist() == ["免疫", "凋亡"]
    assert table.encoding == ("gbk" if encoding == "gbk" else "utf-8-sig")
    assert table.numeric_columns() == ("术语A", "术语B", "术语C")
    assert table.suggested_id_column() == "基因"


@pytest.mark.parametrize(("separator", "name"), [("\t", "x.tsv"), (";", "x.csv")])
def test_tab_and_semicolon_separated_tables_read(separator, name):
    table = read_table(table_text().replace(",", separator).encode(), name)
    assert table.columns == ("id", "a", "b", "c")
    assert table.delimiter == separator and table.rows == 12


def test_rows_become_scaled_numbers_split_into_training_and_validation():
    table = read_table(table_text(40).encode(), "t.csv")
    prepared = prepare_table(table, TableSetup(id_column="id", validation_fraction=0.25, seed=3))
    assert prepared.features == ("a", "b", "c")
    assert len(prepared.train_rows) == 30 and len(prepared.validation_rows) == 10
    assert not set(prepared.train_rows) & set(prepared.validation_rows)
    assert prepared.ids[0] == "r0"
    # The same seed gives the same split; another seed another.
    again = prepare_table(table, TableSetup(id_column="id", validation_fraction=0.25, seed=3))
    other = prepare_table(table, TableSetup(id_column="id", validation_fraction=0.25, seed=4))
    assert np.array_equal(again.validation_rows, prepared.validation_rows)
    assert not np.array_equal(other.validation_rows, prepared.validation_rows)


@pytest.mark.parametrize("scaling", ["minmax", "standardise"])
def test_scaling_is_fitted_on_the_training_rows_only(scaling):
    table = read_table(table_text(50).encode(), "t.csv")
    prepared = prepare_table(table, TableSetup(id_column="id", scaling=scaling, seed=1))
    train, validation = prepared.train, prepared.validation
    if scaling == "minmax":
        assert np.allclose(train.min(axis=0), 0) and np.allclose(train.max(axis=0), 1)
    else:
        assert np.allclose(train.mean(axis=0), 0, atol=1e-6)
        assert np.allclose(train.std(axis=0), 1, atol=1e-5)
    # Column "a" counts 0..49: the held-out rows' values were not used to fit it.
    raw = table.column("a").astype(float)[prepared.kept_rows]
    fitted_on_all = (raw - raw.min()) / np.ptp(raw)
    if scaling == "minmax":
        assert not np.allclose(prepared.values[:, 0], fitted_on_all)
    assert validation.shape == (10, 3)


def test_no_numeric_column_is_named_with_the_columns_found():
    table = read_table(b"name,colour\nx,red\ny,blue\n", "words.csv")
    with pytest.raises(TableError, match=r"no numeric column.*'name', 'colour'"):
        prepare_table(table, TableSetup(id_column="name"))


def test_text_in_a_numeric_column_names_the_rows():
    text = table_text().replace("r3,3,", "r3,three,").replace("r7,7,", "r7,n.a.,")
    table = read_table(text.encode(), "t.csv")
    assert "a" not in table.numeric_columns()  # not preselected
    with pytest.raises(TableError, match=r"Column 'a'.*row 4 \('three'\), row 8 \('n.a.'\)"):
        prepare_table(table, TableSetup(id_column="id", feature_columns=("a", "b")))


def test_missing_values_are_dropped_or_filled_as_the_user_chooses():
    text = table_text(20).replace("r5,5,", "r5,,").replace("r9,9,", "r9,NA,")
    table = read_table(text.encode(), "t.csv")
    assert [i.missing for i in table.describe()] == [0, 2, 0, 0]
    dropped = prepare_table(table, TableSetup(id_column="id", missing="drop"))
    assert len(dropped.ids) == 18 and "r5" not in dropped.ids.tolist()
    assert "Dropped 2 row(s) with a missing value (first: row 6)" in dropped.notes[0]
    filled = prepare_table(table, TableSetup(id_column="id", missing="fill"))
    assert len(filled.ids) == 20 and np.isfinite(filled.values).all()
    row5 = filled.values[filled.ids.tolist().index("r5"), 0]
    # Filled with the training rows' mean of column "a", scaled like the rest.
    assert np.isclose(row5, filled.scaler.apply(np.array([[np.nan, 0, 0]]))[0, 0])


def test_a_constant_column_is_left_out_with_a_note_and_all_constant_is_refused():
    table = read_table(table_text(20, extra=",1").replace("id,a,b,c", "id,a,b,c,d").encode())
    prepared = prepare_table(table, TableSetup(id_column="id"))
    assert prepared.features == ("a", "b", "c")
    assert "Left out 1 constant column" in prepared.notes[0] and "'d'" in prepared.notes[0]
    with pytest.raises(TableError, match="same value in every training row"):
        prepare_table(table, TableSetup(id_column="id", feature_columns=("d",)))


def test_duplicated_ids_are_named():
    text = table_text(12).replace("r4,", "r1,").replace("r9,", "r1,")
    table = read_table(text.encode(), "t.csv")
    assert table.suggested_id_column() == ROW_NUMBER_ID  # "id" no longer names rows once
    with pytest.raises(TableError, match=r"duplicates: 'r1' \(rows 2 and 5\)"):
        prepare_table(table, TableSetup(id_column="id"))
    # Row numbers work instead.
    assert prepare_table(table, TableSetup()).ids[:3].tolist() == ["1", "2", "3"]


def test_one_row_is_too_few_to_learn_from():
    table = read_table(table_text(1).encode(), "one.csv")
    with pytest.raises(TableError, match=r"at least 8 rows.*one.csv has 1"):
        prepare_table(table, TableSetup(id_column="id"))


def test_a_header_without_rows_and_an_empty_file_are_refused():
    with pytest.raises(TableError, match="no rows of data"):
        read_table(b"a,b,c\n", "head.csv")
    with pytest.raises(TableError, match="is empty"):
        read_table(b"  \n", "empty.csv")


def test_ten_thousand_columns_are_refused_with_the_limit():
    header = ",".join(f"c{i}" for i in range(10_000))
    with pytest.raises(TableError, match=f"10,000 columns; the lab takes up to {MAX_COLUMNS:,}"):
        read_table((header + "\n" + ",".join("1" * 10_000) + "\n").encode(), "wide.csv")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),  # an image
        b"PK\x03\x04\x14\x00\x00\x00" + bytes(100),  # a zip (an .xlsx is one)
    ],
)
def test_a_file_that_is_not_a_table_is_refused(data):
    with pytest.raises(TableError, match="not a text table"):
        read_table(data, "upload.csv")


def test_text_in_neither_utf8_nor_gbk_is_refused():
    with pytest.raises(TableError, match="neither UTF-8 nor GBK"):
        read_table(b"a,b\n\xff\xfe\xfa,1\n", "latin.csv")


def test_a_ragged_row_names_its_line():
    with pytest.raises(TableError, match="line 3: 2 cells where the header has 3"):
        read_table(b"a,b,c\n1,2,3\n4,5\n", "ragged.csv")


def test_two_columns_with_one_name_are_refused():
    with pytest.raises(TableError, match="two columns named 'a'"):
        read_table(b"a,b,a\n1,2,3\n", "twice.csv")


def test_settings_are_checked_in_one_place():
    with pytest.raises(ConfigError, match="between 5 and 50 percent"):
        TableSetup(validation_fraction=0.9)
    with pytest.raises(ConfigError, match="cannot also be a feature"):
        TableSetup(id_column="a", feature_columns=("a", "b"))


def test_codes_csv_has_the_id_column_first_and_one_column_per_code():
    data = codes_csv(np.array(["基因1", "g2"]), np.array([[0.5, -1.0], [2.0, 3.25]]), "gene")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines == ["gene,code_1,code_2", "基因1,0.5,-1", "g2,2,3.25"]
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM

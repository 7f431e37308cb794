"""Your own table of numbers, read and prepared for an autoencoder.

One of the source tutorials encodes a table of numeric features (gene-ontology terms per
gene) into a few hidden features. This module turns the bytes of a CSV or TSV file into a
`Table` of text cells, reports what each column holds, and prepares the chosen columns as a
scaled float matrix: scaling and fill values are fitted on the training rows only, so the
validation rows are really unseen. Every problem a user's file can have is one `TableError`
whose message names the column, the rows and what to do.
"""

from __future__ import annotations

import csv
import functools
import io
import math
from dataclasses import dataclass, field

import numpy as np

from ae_core.errors import ConfigError, TableError
from ae_core.i18n import N_, _, lazy

# Encodings tried in order: UTF-8 (a BOM from Excel is dropped), then GBK, which Chinese
# Excel writes by default. UTF-8 is strict enough that GBK text never decodes as UTF-8.
ENCODINGS = ("utf-8-sig", "gbk")
DELIMITERS = (",", "\t", ";")
MISSING_MARKERS = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
MAX_COLUMNS = 2000
MAX_ROWS = 200_000
MIN_ROWS = 8  # enough to learn from a few and validate on at least one
ROW_NUMBER_ID = ""  # the id column's name when rows are identified by their number

SCALINGS: dict[str, str] = {
    "minmax": N_("Min-max (each column to 0..1)"),
    "standardise": N_("Standardise (mean 0, standard deviation 1)"),
}
MISSING_POLICIES: dict[str, str] = {
    "drop": N_("Drop rows with a missing value"),
    "fill": N_("Fill with the column's mean (of the training rows)"),
}


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    numeric: bool  # every present cell is a finite number
    missing: int  # cells that are empty or a missing marker such as NA
    text_rows: tuple[int, ...]  # 1-based data rows whose cell is not a number (first few)
    distinct: int


@dataclass(frozen=True)
class Table:
    """A rectangular table of text cells, as read from a file."""

    name: str
    columns: tuple[str, ...]
    cells: np.ndarray  # (rows, columns) of str
    encoding: str
    delimiter: str

    @property
    def rows(self) -> int:
        return int(self.cells.shape[0])

    def column(self, name: str) -> np.ndarray:
        return self.cells[:, self.columns.index(name)]

    def describe(self) -> tuple[ColumnInfo, ...]:
        return self._column_info

    @functools.cached_property
    def _column_info(self) -> tuple[ColumnInfo, ...]:
        # Every cell is looked at once per table: the page asks on every rerun, and a 10 MB
        # table has millions of cells.
        return tuple(_describe(name, self.column(name)) for name in self.columns)

    def numeric_columns(self) -> tuple[str, ...]:
        return tuple(info.name for info in self.describe() if info.numeric)

    def suggested_id_column(self) -> str:
        """The first column of distinct non-numeric values (names of genes, say), if any."""
        for info in self.describe():
            if not info.numeric and info.missing == 0 and info.distinct == self.rows:
                return info.name
        return ROW_NUMBER_ID


@dataclass(frozen=True)
class TableSetup:
    """How a table becomes training data; validated here, once, for the page and the CLI."""

    id_column: str = ROW_NUMBER_ID
    feature_columns: tuple[str, ...] = ()
    missing: str = "drop"  # a key of MISSING_POLICIES
    scaling: str = "minmax"  # a key of SCALINGS
    validation_fraction: float = 0.2
    seed: int = 0

    def __post_init__(self) -> None:
        if self.missing not in MISSING_POLICIES:
            raise ConfigError(
                lazy(
                    "Missing values: choose one of {choices}.", choices=", ".join(MISSING_POLICIES)
                )
            )
        if self.scaling not in SCALINGS:
            raise ConfigError(
                lazy("Scaling: choose one of {choices}.", choices=", ".join(SCALINGS))
            )
        if not 0.05 <= self.validation_fraction <= 0.5:
            raise ConfigError(
                lazy("The validation share must be between 5 and 50 percent of the rows.")
            )
        if self.id_column and self.id_column in self.feature_columns:
            raise ConfigError(
                lazy(
                    "'{id_column}' is the ID column; it cannot also be a feature column.",
                    id_column=self.id_column,
                )
            )


@dataclass(frozen=True)
class Scaler:
    """Per-column shift and scale fitted on the training rows: x' = (x - shift) / scale."""

    kind: str  # a key of SCALINGS
    shift: np.ndarray
    scale: np.ndarray
    fill: np.ndarray  # the value a missing cell gets (the training rows' mean)

    def apply(self, values: np.ndarray) -> np.ndarray:
        filled = np.where(np.isnan(values), self.fill, values)
        return ((filled - self.shift) / self.scale).astype("float32")

    def to_dict(self, columns: tuple[str, ...]) -> dict:
        return {
            "scaling": self.kind,
            "columns": list(columns),
            "shift": self.shift.tolist(),
            "scale": self.scale.tolist(),
            "fill_missing_with": self.fill.tolist(),
        }


@dataclass(frozen=True)
class PreparedTable:
    """The chosen columns as scaled numbers, split into training and validation rows."""

    ids: np.ndarray  # (rows,) of str, one per kept row
    id_column: str
    features: tuple[str, ...]
    values: np.ndarray  # (rows, features) float32, scaled
    train_rows: np.ndarray  # indices into the rows
    validation_rows: np.ndarray
    scaler: Scaler
    kept_rows: np.ndarray  # indices into the original table's rows
    notes: tuple[str, ...] = field(default=())

    @property
    def train(self) -> np.ndarray:
        return self.values[self.train_rows]

    @property
    def validation(self) -> np.ndarray:
        return self.values[self.validation_rows]


def read_table(data: bytes, name: str = "table.csv") -> Table:
    """Bytes of a CSV/TSV file -> `Table`; a file that is not a usable table is a TableError."""
    if not data.strip():
        raise TableError(lazy("{name} is empty.", name=name))
    if b"\x00" in data[:65536]:
        raise TableError(
            lazy(
                "{name} is not a text table. Upload a CSV or TSV file (Excel: File > "
                "Save As > CSV UTF-8).",
                name=name,
            )
        )
    text, encoding = _decode(data, name)
    delimiter = _delimiter(text, name)
    try:
        rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(row)]
    except csv.Error as exc:
        raise TableError(
            lazy("{name} cannot be read as a table: {exc}.", name=name, exc=exc)
        ) from None
    header = [cell.strip() for cell in rows[0]]
    body = rows[1:]
    _check_header(header, name)
    if not body:
        raise TableError(lazy("{name} has a header line but no rows of data.", name=name))
    if len(body) > MAX_ROWS:
        raise TableError(
            lazy(
                "{name} has {n_body:,} rows; the lab takes up to {MAX_ROWS:,}.",
                name=name,
                n_body=len(body),
                MAX_ROWS=MAX_ROWS,
            )
        )
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise TableError(
                lazy(
                    "{name}, line {number}: {n_row} cells where the header has {n_header}. "
                    "Every row needs one cell per column.",
                    name=name,
                    number=number,
                    n_row=len(row),
                    n_header=len(header),
                )
            )
    cells = np.array([[cell.strip() for cell in row] for row in body], dtype=str)
    return Table(name, tuple(header), cells, encoding, delimiter)


def prepare_table(table: Table, setup: TableSetup) -> PreparedTable:
    """The setup's columns of `table` as scaled numbers split into training and validation."""
    features = setup.feature_columns or tuple(
        c for c in table.numeric_columns() if c != setup.id_column
    )
    if not features:
        raise TableError(
            lazy(
                "{name} has no numeric column to learn from. Columns found: {columns}. An "
                "autoencoder needs numbers.",
                name=table.name,
                columns=_names(table.columns),
            )
        )
    for name in (setup.id_column, *features):
        if name and name not in table.columns:
            raise TableError(lazy("{name} has no column '{name2}'.", name=table.name, name2=name))
    values = np.column_stack([_numbers(table, name) for name in features])
    ids = (
        table.column(setup.id_column)
        if setup.id_column
        else np.array([str(i) for i in range(1, table.rows + 1)])
    )
    kept = np.arange(table.rows)
    notes: list[str] = []
    missing_rows = np.isnan(values).any(axis=1)
    if missing_rows.any() and setup.missing == "drop":
        kept = kept[~missing_rows]
        notes.append(
            lazy(
                "Dropped {count} row(s) with a missing value (first: row {first}).",
                count=int(missing_rows.sum()),
                first=int(np.flatnonzero(missing_rows)[0]) + 1,
            )
        )
    _check_ids(ids[kept], setup.id_column)
    if len(kept) < MIN_ROWS:
        template = (
            N_(
                "An autoencoder needs at least {least} rows to learn from and check on; "
                "{name} has {rows} after dropping rows with missing values."
            )
            if len(kept) < table.rows
            else N_(
                "An autoencoder needs at least {least} rows to learn from and check on; "
                "{name} has {rows}."
            )
        )
        raise TableError(lazy(template, least=MIN_ROWS, name=table.name, rows=len(kept)))
    rng = np.random.default_rng(setup.seed)
    order = rng.permutation(len(kept))
    n_val = max(1, round(len(kept) * setup.validation_fraction))
    validation_rows, train_rows = np.sort(order[:n_val]), np.sort(order[n_val:])
    values = values[kept]
    scaler, constant = _fit_scaler(values[train_rows], setup.scaling)
    if constant.all():
        raise TableError(
            lazy(
                "Every chosen column has the same value in every training row: there is "
                "nothing to learn. Choose columns that vary."
            )
        )
    if constant.any():
        dropped = [f for f, c in zip(features, constant, strict=True) if c]
        notes.append(
            lazy(
                "Left out {count} constant column(s) (one value in every training row, "
                "nothing to learn): {columns}.",
                count=len(dropped),
                columns=_names(dropped),
            )
        )
        keep = ~constant
        features = tuple(f for f, c in zip(features, constant, strict=True) if not c)
        values = values[:, keep]
        scaler = Scaler(scaler.kind, scaler.shift[keep], scaler.scale[keep], scaler.fill[keep])
    return PreparedTable(
        ids=ids[kept],
        id_column=setup.id_column,
        features=features,
        values=scaler.apply(values),
        train_rows=train_rows,
        validation_rows=validation_rows,
        scaler=scaler,
        kept_rows=kept,
        notes=tuple(notes),
    )


def codes_csv(ids: np.ndarray, codes: np.ndarray, id_column: str) -> bytes:
    """A CSV with the ID column first and one column per code unit (UTF-8 with BOM for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([id_column or "row", *(f"code_{i + 1}" for i in range(codes.shape[1]))])
    for row_id, code in zip(ids, codes, strict=True):
        writer.writerow([row_id, *(f"{v:.6g}" for v in code)])
    return out.getvalue().encode("utf-8-sig")


def _decode(data: bytes, name: str) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise TableError(
        lazy(
            "{name} is neither UTF-8 nor GBK text. Save it as CSV UTF-8 and upload it again.",
            name=name,
        )
    )


def _delimiter(text: str, name: str) -> str:
    """The separator of the header line: the one of comma, tab, semicolon it holds most of."""
    first = text.lstrip().split("\n", 1)[0]
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0 and len(first) > 1000:
        raise TableError(
            lazy("{name} does not look like a table: its first line has no separators.", name=name)
        )
    return best if counts[best] else ","


def _check_header(header: list[str], name: str) -> None:
    if len(header) > MAX_COLUMNS:
        raise TableError(
            lazy(
                "{name} has {n_header:,} columns; the lab takes up to {MAX_COLUMNS:,}. "
                "Choose the columns you need before uploading.",
                name=name,
                n_header=len(header),
                MAX_COLUMNS=MAX_COLUMNS,
            )
        )
    for i, column in enumerate(header):
        if not column:
            header[i] = f"column {i + 1}"
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise TableError(
                lazy(
                    "{name} has two columns named '{column}'. Give each a new name.",
                    name=name,
                    column=column,
                )
            )
        seen.add(column)


def _is_missing(cell: str) -> bool:
    return cell.lower() in MISSING_MARKERS


def _as_number(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _describe(name: str, cells: np.ndarray) -> ColumnInfo:
    missing = 0
    text_rows: list[int] = []
    for row, cell in enumerate(cells, start=1):
        if _is_missing(cell):
            missing += 1
        elif _as_number(cell) is None:
            text_rows.append(row)
    present = len(cells) - missing
    return ColumnInfo(
        name=name,
        numeric=present > 0 and not text_rows,
        missing=missing,
        text_rows=tuple(text_rows[:5]),
        distinct=len(set(cells.tolist())),
    )


def _numbers(table: Table, name: str) -> np.ndarray:
    """A column as float64 with NaN for missing cells; text in it is a TableError."""
    cells = table.column(name)
    out = np.empty(len(cells))
    bad: list[tuple[int, str]] = []
    for row, cell in enumerate(cells):
        if _is_missing(cell):
            out[row] = np.nan
            continue
        value = _as_number(cell)
        if value is None:
            bad.append((row + 1, cell))
            continue
        out[row] = value
    if bad:
        shown = ", ".join(_("row {row} ('{cell}')").format(row=r, cell=c[:20]) for r, c in bad[:5])
        more = lazy(" and {count} more", count=len(bad) - 5) if len(bad) > 5 else ""
        raise TableError(
            lazy(
                "Column '{name}' is to be a feature but holds text: {shown}{more}. Fix "
                "those cells, or leave the column out.",
                name=name,
                shown=shown,
                more=more,
            )
        )
    return out


def _check_ids(ids: np.ndarray, id_column: str) -> None:
    if not id_column:
        return
    seen: dict[str, int] = {}
    duplicates: list[str] = []
    for row, value in enumerate(ids, start=1):
        if value in seen:
            duplicates.append(
                _("'{value}' (rows {first} and {row})").format(
                    value=value, first=seen[value], row=row
                )
            )
        else:
            seen[value] = row
    if duplicates:
        more = lazy(" and {count} more", count=len(duplicates) - 3) if len(duplicates) > 3 else ""
        raise TableError(
            lazy(
                "The ID column '{id_column}' must name each row once, but has "
                "duplicates: {names}{more}. Choose another ID column, or none (row "
                "numbers).",
                id_column=id_column,
                names=", ".join(duplicates[:3]),
                more=more,
            )
        )


def _fit_scaler(train: np.ndarray, kind: str) -> tuple[Scaler, np.ndarray]:
    """The scaler fitted on training rows, and which columns are constant on them."""
    fill = np.nanmean(train, axis=0)
    fill = np.where(np.isnan(fill), 0.0, fill)  # a column missing in every training row
    filled = np.where(np.isnan(train), fill, train)
    if kind == "minmax":
        shift, spread = filled.min(axis=0), np.ptp(filled, axis=0)
    else:
        shift, spread = filled.mean(axis=0), filled.std(axis=0)
    constant = spread <= 1e-12 * np.maximum(1.0, np.abs(shift))
    scale = np.where(constant, 1.0, spread)
    return Scaler(kind, shift, scale, fill), constant


def _names(names, limit: int = 6) -> str:
    names = list(names)
    shown = ", ".join(f"'{n}'" for n in names[:limit])
    return shown + (
        _(" and {count} more").format(count=len(names) - limit) if len(names) > limit else ""
    )

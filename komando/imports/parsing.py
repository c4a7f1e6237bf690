"""Reading an uploaded CSV or XLSX file into rows of cells. Pure: bytes in, table out, no database."""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

ACCEPTED_EXTENSIONS = (".csv", ".xlsx")
DELIMITERS = (";", ",", "\t")


class FileRejected(Exception):
    """The file as a whole cannot be read (type, size, encoding, headers); no row is looked at."""


class FormulaWithoutValue:
    """An XLSX cell holding a formula whose result was never saved (e.g. a file written by a script)."""

    def __init__(self, formula: str):
        self.formula = formula

    def __repr__(self):
        return f"FormulaWithoutValue({self.formula!r})"


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (row number as in the file, {header: value})


def normalise_header(value) -> str:
    return " ".join(str(value or "").split()).lower().replace(" ", "_").replace("-", "_")


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def file_kind(file_name: str) -> str:
    name = (file_name or "").lower()
    for extension in ACCEPTED_EXTENSIONS:
        if name.endswith(extension):
            return extension[1:]
    raise FileRejected(_("Only CSV (.csv) and Excel (.xlsx) files can be imported; “%(name)s” is neither.") % {"name": file_name})


def read_table(file_name: str, data: bytes, *, max_rows: int) -> Table:
    """The header row (the first non-empty row) and every non-empty data row after it."""
    kind = file_kind(file_name)
    if not data:
        raise FileRejected(_("The file is empty."))
    raw_rows = _csv_rows(data) if kind == "csv" else _xlsx_rows(data)
    headers = None
    table = None
    for number, cells in raw_rows:
        if all(_is_blank(cell) for cell in cells):
            continue  # empty rows (or rows of empty cells) anywhere are skipped
        if headers is None:
            headers = [normalise_header(cell) for cell in cells]
            while headers and not headers[-1]:
                headers.pop()
            duplicates = sorted({h for h in headers if h and headers.count(h) > 1})
            if duplicates:
                raise FileRejected(
                    _("The header row names these columns more than once: %(columns)s.") % {"columns": ", ".join(duplicates)}
                )
            table = Table(headers=headers)
            continue
        if len(table.rows) >= max_rows:
            raise FileRejected(
                _("The file has more than %(limit)s data rows; split it into smaller files.") % {"limit": max_rows}
            )
        values = {header: _clean(cells[index]) if index < len(cells) else None for index, header in enumerate(headers) if header}
        table.rows.append((number, values))
    if table is None:
        raise FileRejected(_("The file is empty."))
    if not table.rows:
        raise FileRejected(_("The file has a header row but no data rows."))
    return table


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise FileRejected(_("The file is not a text CSV file (it contains binary data)."))
    try:
        return data.decode("utf-8-sig")  # a UTF-8 byte-order mark (Excel's "CSV UTF-8") is dropped
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel's plain "CSV" on Windows


def _csv_rows(data: bytes):
    text = _decode(data)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as error:
        raise FileRejected(_("The CSV file cannot be read: %(error)s.") % {"error": error}) from error


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet holds a formula; only then is the workbook read a second time."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as sheet:
                    if re.search(rb"<(?:\w+:)?f[ >/]", sheet.read()):
                        return True
    return False


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook

    if not data.startswith(b"PK"):
        raise FileRejected(_("The file is not a valid Excel (.xlsx) workbook."))
    try:
        values_book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas_book = load_workbook(io.BytesIO(data), read_only=True, data_only=False) if _has_formulas(data) else None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise FileRejected(_("The file is not a valid Excel (.xlsx) workbook.")) from error
    try:
        values = values_book.worksheets[0].iter_rows(min_row=1, values_only=True)
        if formulas_book is None:
            yield from enumerate((list(row) for row in values), start=1)
            return
        formulas = formulas_book.worksheets[0].iter_rows(min_row=1, values_only=True)
        for number, (row_values, row_formulas) in enumerate(zip(values, formulas, strict=False), start=1):
            cells = []
            for value, formula in zip(row_values, row_formulas, strict=False):
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    value = FormulaWithoutValue(formula)
                cells.append(value)
            yield number, cells
    finally:
        values_book.close()
        if formulas_book is not None:
            formulas_book.close()

"""Building revenue files in memory, as Bapenda's staff would export them."""

import csv
import io
import re
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from komando.imports.formats.revenue import revenue_types

HEADERS = ["tahun", "bulan", "kode_jenis", "jenis_pendapatan", "target_tahunan", "realisasi_bulan_ini", "realisasi_kumulatif"]


def revenue_rows(count: int, first_year: int = 2020) -> list[list]:
    """``count`` distinct rows: every type for every month, year after year."""
    types = sorted(revenue_types().items())
    rows = []
    year = first_year
    while len(rows) < count:
        for month in range(1, 13):
            for index, (code, name) in enumerate(types):
                monthly = 1_000_000 * (index + 1) + month * 1000 + (year - 2000)
                rows.append([year, month, code, name, monthly * 14, monthly, monthly * month])
                if len(rows) == count:
                    return rows
        year += 1
    return rows


def csv_bytes(rows, *, headers=HEADERS, delimiter=",", bom=False, encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode(encoding)


def xlsx_bytes(rows, *, headers=HEADERS, blank_rows_after=()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for index, row in enumerate(rows):
        sheet.append(row)
        if index in blank_rows_after:
            sheet.append([None] * len(headers))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str = "pendapatan.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def with_saved_formula_results(data: bytes) -> bytes:
    """What a spreadsheet program does on saving: store each formula's result beside it. Here the
    formulas are of the form ``=E<row>*<factor>`` and the results are computed from the sheet."""
    source = zipfile.ZipFile(io.BytesIO(data))
    sheet = source.read("xl/worksheets/sheet1.xml").decode()

    def cell_value(ref):
        match = re.search(rf'<c r="{ref}"[^>]*><v>([^<]*)</v>', sheet)
        return int(match.group(1))

    def fill(match):
        column, row, factor = match.group(1), match.group(2), int(match.group(3))
        return f"<f>{column}{row}*{factor}</f><v>{cell_value(column + row) * factor}</v>"

    sheet = re.sub(r"<f>([A-Z]+)(\d+)\*(\d+)</f><v></v>", fill, sheet)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            target.writestr(item, content)
    return output.getvalue()

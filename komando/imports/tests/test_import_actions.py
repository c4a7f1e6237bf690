import pytest

from komando.audit.models import AuditRecord
from komando.imports.actions import do_import_file
from komando.imports.models import BatchStatus, ImportBatch, RevenueRealisation
from komando.imports.tests.factories import (
    HEADERS,
    csv_bytes,
    revenue_rows,
    upload,
    with_saved_formula_results,
    xlsx_bytes,
)
from komando.sources.models import Source

TEMPLATE = "pendapatan-bulanan"
SOURCE = "pendapatan"

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(personas):
    return personas["administrator"]


def run_import(data, user, name="pendapatan.csv"):
    return do_import_file(SOURCE, TEMPLATE, upload(data, name), acting_user=user)


def stored_state():
    return sorted(
        RevenueRealisation.objects.values_list(
            "year", "month", "type_code", "annual_target", "realised_this_month", "realised_cumulative", "updated_at"
        )
    )


def problems_by_row(result):
    return {(error.row, error.column): error.problem for error in result.errors}


def thousand_rows_with_three_bad():
    rows = revenue_rows(1000)
    rows[10][5] = "-2500000"  # negative amount; file row 12 (header is row 1)
    rows[499][2] = "PAJAK-ANGIN"  # unknown type code; file row 501
    rows[899][6] = rows[899][5] - 1  # cumulative < this month; file row 901
    return rows


def test_thousand_rows_with_three_bad_rows_imports_nothing_and_names_each(administrator):
    result = run_import(csv_bytes(thousand_rows_with_three_bad()), administrator)

    assert result.status == BatchStatus.REJECTED
    assert RevenueRealisation.objects.count() == 0
    problems = problems_by_row(result)
    assert set(problems) == {(12, "realisasi_bulan_ini"), (501, "kode_jenis"), (901, "realisasi_kumulatif")}
    assert "negative" in problems[(12, "realisasi_bulan_ini")]
    assert "PAJAK-ANGIN" in problems[(501, "kode_jenis")]
    assert "less than this month" in problems[(901, "realisasi_kumulatif")]
    assert "3 of 1000 rows" in result.message
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows, batch.error_count) == (BatchStatus.REJECTED, 1000, 3)
    assert [error["row"] for error in batch.errors] == [12, 501, 901]


def test_corrected_file_imports_all_rows_and_the_same_file_again_changes_nothing(administrator):
    data = csv_bytes(revenue_rows(1000))
    first = run_import(data, administrator)
    assert (first.status, first.created, first.updated, first.unchanged) == (BatchStatus.IMPORTED, 1000, 0, 0)
    assert RevenueRealisation.objects.count() == 1000
    before = stored_state()
    row = RevenueRealisation.objects.get(year=2020, month=3, type_code="BPHTB")
    assert row.type_name.startswith("Bea Perolehan") and row.realised_cumulative == 3 * row.realised_this_month

    again = run_import(data, administrator, name="pendapatan-copy.csv")

    assert again.status == BatchStatus.DUPLICATE
    assert "already imported" in again.message and "nothing changed" in again.message
    assert stored_state() == before
    assert list(ImportBatch.objects.order_by("id").values_list("status", flat=True)) == [
        BatchStatus.IMPORTED,
        BatchStatus.DUPLICATE,
    ]


def test_other_file_with_equal_rows_changes_nothing_and_differing_rows_update(administrator):
    rows = revenue_rows(300)
    run_import(csv_bytes(rows), administrator)
    before = stored_state()

    same_rows = run_import(xlsx_bytes(rows), administrator, name="pendapatan.xlsx")
    assert (same_rows.status, same_rows.created, same_rows.updated, same_rows.unchanged) == (BatchStatus.IMPORTED, 0, 0, 300)
    assert stored_state() == before

    rows[5][5] += 1000
    rows[5][6] += 1000
    rows.append([2026, 1, "PBB-P2", "PBB-P2", 100, 10, 10])
    changed = run_import(csv_bytes(rows, delimiter=";"), administrator)
    assert (changed.created, changed.updated, changed.unchanged) == (1, 1, 299)
    assert RevenueRealisation.objects.count() == 301
    year, month, code = rows[5][:3]
    assert RevenueRealisation.objects.get(year=year, month=month, type_code=code).realised_this_month == rows[5][5]


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("bom", [False, True])
def test_csv_with_bom_and_either_delimiter_is_accepted(administrator, delimiter, bom):
    result = run_import(csv_bytes(revenue_rows(20), delimiter=delimiter, bom=bom), administrator)
    assert result.status == BatchStatus.IMPORTED, result.errors
    assert RevenueRealisation.objects.count() == 20


def test_grouped_amounts_and_month_names_are_read(administrator):
    rows = [[2026, "Oktober", "pbb-p2", "PBB-P2", "150.000.000.000", "Rp 9.500.000", "98,250,000"]]
    result = run_import(csv_bytes(rows, delimiter=";"), administrator)
    assert result.status == BatchStatus.IMPORTED, result.errors
    row = RevenueRealisation.objects.get()
    assert (row.month, row.type_code, row.annual_target, row.realised_this_month, row.realised_cumulative) == (
        10,
        "PBB-P2",
        150_000_000_000,
        9_500_000,
        98_250_000,
    )


def test_xlsx_with_empty_rows_reports_row_numbers_as_in_the_file(administrator):
    rows = revenue_rows(10)
    rows[6][1] = "Smarch"
    data = xlsx_bytes(rows, blank_rows_after={2})  # one empty row after the third data row (file row 4)
    result = run_import(data, administrator, name="pendapatan.xlsx")
    assert result.status == BatchStatus.REJECTED
    assert list(problems_by_row(result)) == [(9, "bulan")]
    assert "unknown month" in problems_by_row(result)[(9, "bulan")]

    rows[6][1] = 7
    assert run_import(xlsx_bytes(rows, blank_rows_after={2}), administrator, name="ok.xlsx").created == 10


def test_xlsx_formula_without_saved_result_is_a_row_problem(administrator):
    rows = revenue_rows(3)
    rows[1][6] = "=E3*2"  # written by a script: no cached result
    result = run_import(xlsx_bytes(rows), administrator, name="pendapatan.xlsx")
    assert result.status == BatchStatus.REJECTED
    assert list(problems_by_row(result)) == [(3, "realisasi_kumulatif")]
    assert "formula" in result.errors[0].problem


def test_xlsx_formula_with_saved_result_is_read_as_its_result(administrator):
    rows = revenue_rows(3)
    rows[1][1] = 2
    rows[1][6] = "=F3*2"  # cumulative of February = twice the month
    result = run_import(with_saved_formula_results(xlsx_bytes(rows)), administrator, name="pendapatan.xlsx")
    assert result.status == BatchStatus.IMPORTED, result.errors
    stored = RevenueRealisation.objects.get(year=rows[1][0], month=2, type_code=rows[1][2])
    assert stored.realised_cumulative == 2 * rows[1][5]


def test_each_kind_of_row_problem_is_named(administrator):
    rows = revenue_rows(6)
    rows[0][4] = ""  # missing value
    rows[1][5] = "sembilan juta"  # not a number
    rows[2][1] = 13  # unknown month
    rows[3][5] = "1234.5"  # not a whole number
    rows[5][:3] = rows[4][:3]  # duplicate key of the row before
    result = run_import(csv_bytes(rows), administrator)
    problems = problems_by_row(result)
    assert problems[(2, "target_tahunan")] == "missing value"
    assert "not a number" in problems[(3, "realisasi_bulan_ini")]
    assert "unknown month" in problems[(4, "bulan")]
    assert "not a number" in problems[(5, "realisasi_bulan_ini")]
    assert "duplicate key in file: same as row 6" in problems[(7, "tahun, bulan, kode_jenis")]
    assert RevenueRealisation.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("laporan.pdf", b"%PDF-1.4", "Only CSV"),
        ("pendapatan.xlsx", b"tahun,bulan\n2026,1\n", "not a valid Excel"),
        ("pendapatan.csv", b"PK\x03\x04\x00\x00binary", "binary"),
        ("pendapatan.csv", b"", "empty"),
        ("pendapatan.csv", b"\n\n  \n", "empty"),
        ("pendapatan.csv", csv_bytes([]), "no data rows"),
        ("pendapatan.csv", csv_bytes(revenue_rows(2), headers=["year", "month", *HEADERS[2:]]), "lacks the columns tahun, bulan"),
        (
            "pendapatan.csv",
            csv_bytes([[1, "x", *row[1:]] for row in revenue_rows(2)], headers=["nik", *HEADERS]),
            "personal data (nik)",
        ),
    ],
)
def test_unusable_file_is_refused_as_a_whole(administrator, name, data, expected):
    result = run_import(data, administrator, name=name)
    assert result.status == BatchStatus.REJECTED
    assert expected in result.message
    assert [error.row for error in result.errors] == [None]
    assert RevenueRealisation.objects.count() == 0


def test_oversized_file_and_too_many_rows_are_refused(administrator, settings):
    settings.KOMANDO_IMPORT_MAX_BYTES = 2000
    big = run_import(csv_bytes(revenue_rows(100)), administrator)
    assert big.status == BatchStatus.REJECTED and "limit" in big.message

    settings.KOMANDO_IMPORT_MAX_BYTES = 10 * 1024 * 1024
    settings.KOMANDO_IMPORT_MAX_ROWS = 50
    many = run_import(csv_bytes(revenue_rows(51)), administrator)
    assert many.status == BatchStatus.REJECTED and "more than 50 data rows" in many.message
    assert RevenueRealisation.objects.count() == 0


def test_import_is_audited_and_marks_the_source_health(administrator):
    bad = run_import(csv_bytes(thousand_rows_with_three_bad()[:600]), administrator)
    source = Source.objects.get(slug=SOURCE)
    assert source.consecutive_failures == 1 and source.last_error_kind == "invalid"
    assert "2 of 600 rows" in source.last_error

    good = run_import(csv_bytes(revenue_rows(600)), administrator)
    source.refresh_from_db()
    assert source.consecutive_failures == 0 and source.records_last_run == 600
    assert source.last_success_at is not None
    assert source.data_as_of.year == 2022 and source.data_as_of.month == 12

    records = list(AuditRecord.objects.filter(action="import").order_by("id"))
    assert [record.object_id for record in records] == [str(bad.batch.pk), str(good.batch.pk)]
    assert all(record.channel == "ui" and record.actor == administrator for record in records)
    assert records[1].after["created"] == 600 and records[1].after["sha256"] == good.batch.sha256
    assert records[0].after["status"] == "rejected" and records[0].after["error_count"] == 2


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1.234.567,00", 1_234_567),
        ("1,234,567.00", 1_234_567),
        ("1234567,00", 1_234_567),
        ("1 234 567", 1_234_567),
        (1234567.0, 1_234_567),
        ("Rp1.234.567", 1_234_567),
        ("1.000", 1000),
        ("5,000", 5000),
        ("12,0", 12),
    ],
)
def test_whole_amounts_in_common_spreadsheet_spellings_are_read(written, expected):
    from komando.imports.formats.base import read_whole_number

    assert read_whole_number(written) == expected


@pytest.mark.parametrize("written", ["1.234,5", "1,5", "12.34", "1.23.456", "abc", True])
def test_amounts_with_fractions_or_odd_grouping_are_not_numbers(written):
    from komando.imports.formats.base import CellProblem, read_whole_number

    with pytest.raises(CellProblem, match="not a"):
        read_whole_number(written)


def test_absurdly_large_amount_is_a_row_problem(administrator):
    rows = revenue_rows(2)
    rows[1][4] = "9" * 20
    result = run_import(csv_bytes(rows), administrator)
    assert list(problems_by_row(result)) == [(3, "target_tahunan")]
    assert "above the highest allowed value" in result.errors[0].problem

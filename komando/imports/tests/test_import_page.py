import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from komando.imports.models import RevenueRealisation
from komando.imports.parsing import FileRejected, read_table
from komando.imports.tests.factories import HEADERS, csv_bytes, revenue_rows, upload

pytestmark = pytest.mark.django_db
PAGE = "/sumber/impor/"


def client_for(client, personas, name):
    if name:
        client.force_login(personas[name])
    return client


def test_anonymous_visitor_is_sent_to_log_in(client, personas):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login")) and "next=/sumber/impor/" in response["Location"]
    assert client.get(reverse("imports:blank", args=["pendapatan-bulanan", "csv"])).status_code == 302


@pytest.mark.parametrize("name", ["operator", "opd_officer", "executive", "outsider"])
def test_users_other_than_administrators_are_refused(client, personas, name):
    client_for(client, personas, name)
    assert client.get(PAGE).status_code == 403
    posted = client.post(PAGE, {"template": "pendapatan-bulanan", "file": upload(csv_bytes(revenue_rows(3)))})
    assert posted.status_code == 403
    assert client.get(reverse("imports:blank", args=["pendapatan-bulanan", "xlsx"])).status_code == 403
    assert RevenueRealisation.objects.count() == 0


def test_administrator_sees_the_templates_and_their_columns(client, personas):
    client_for(client, personas, "administrator")
    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    for column in HEADERS:
        assert f"<code>{column}</code>" in html
    assert "PBJT-LISTRIK" in html
    assert reverse("imports:blank", args=["pendapatan-bulanan", "xlsx"]) in html


def test_administrator_upload_of_a_bad_file_shows_every_bad_row(client, personas):
    rows = revenue_rows(40)
    rows[3][4] = "-5"
    rows[20][2] = "XYZ"
    client_for(client, personas, "administrator")
    response = client.post(PAGE, {"template": "pendapatan-bulanan", "file": upload(csv_bytes(rows))})
    assert response.status_code == 422
    errors = [(error.row, error.column) for error in response.context["result"].errors]
    assert errors == [(5, "target_tahunan"), (22, "kode_jenis")]
    html = response.content.decode()
    assert "XYZ" in html and "errors-table" in html
    assert RevenueRealisation.objects.count() == 0


def test_administrator_upload_of_a_good_file_imports_it_and_shows_a_summary(client, personas):
    client_for(client, personas, "administrator")
    response = client.post(PAGE, {"template": "pendapatan-bulanan", "file": upload(csv_bytes(revenue_rows(40)))})
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.status, result.created) == ("imported", 40)
    assert RevenueRealisation.objects.count() == 40
    assert "result-imported" in response.content.decode()


def test_upload_without_a_file_asks_for_one(client, personas):
    client_for(client, personas, "administrator")
    response = client.post(PAGE, {"template": "pendapatan-bulanan"})
    assert response.status_code == 200 and response.context["result"] is None
    assert response.context["form"].errors


def test_blank_templates_download_with_the_template_headers(client, personas):
    client_for(client, personas, "administrator")
    blank_csv = client.get(reverse("imports:blank", args=["pendapatan-bulanan", "csv"]))
    assert blank_csv.status_code == 200 and blank_csv["Content-Type"].startswith("text/csv")
    assert blank_csv.content.startswith(b"\xef\xbb\xbf")
    with translation.override("en"), pytest.raises(FileRejected, match="no data rows"):
        read_table("blank.csv", blank_csv.content, max_rows=10)
    assert read_table("blank.csv", blank_csv.content + b"2026;1;PBB-P2;;1;1;1\r\n", max_rows=10).headers == HEADERS

    blank_xlsx = client.get(reverse("imports:blank", args=["pendapatan-bulanan", "xlsx"]))
    assert blank_xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(blank_xlsx.content)).active
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert client.get("/sumber/impor/templat/tidak-ada.csv").status_code == 404

"""A real HTTP client over a live server, talking as FixMyStreet's Open311 client does
(``perllib/Open311.pm``): XML everywhere, ``jurisdiction_id`` as a query on GETs and with
``api_key`` in the form-encoded POST body, ``service_request_id`` else ``token`` then ``tokens/``."""

from __future__ import annotations

from datetime import timedelta

import httpx
from defusedxml import ElementTree
from django.utils import timezone

from komando.incidents.models import IncidentReport
from komando.incidents.open311.tests.conftest import API_KEY, BASE, SUKARASA

JURISDICTION = "tangerangkota.go.id"


def w3(at) -> str:
    return at.astimezone(timezone.get_fixed_timezone(420)).isoformat(timespec="seconds")


def test_fixmystreet_style_client_reports_and_follows_a_request(live_server, incident_data, api_key):
    with httpx.Client(base_url=f"{live_server.url}{BASE}", timeout=10) as http:
        services = ElementTree.fromstring(http.get("/services.xml", params={"jurisdiction_id": JURISDICTION}).content)
        genangan = next(s for s in services.iter("service") if s.findtext("service_code") == "GENANGAN")
        assert genangan.findtext("metadata") == "true"
        definition = ElementTree.fromstring(http.get("/services/GENANGAN.xml", params={"jurisdiction_id": JURISDICTION}).content)
        required = [a.findtext("code") for a in definition.iter("attribute") if a.findtext("required") == "true"]
        first_key = next(definition.iter("attribute")).find("values/value/key").text
        assert required == ["TINGGI_AIR"]

        form = {
            "api_key": API_KEY,
            "jurisdiction_id": JURISDICTION,
            "service_code": "GENANGAN",
            "lat": str(SUKARASA[0]),
            "long": str(SUKARASA[1]),
            "address_string": "Jl. Daan Mogot, Sukarasa",
            "description": "Genangan setinggi betis & air < 30 cm",
            "email": "warga@example.com",
            "first_name": "Siti",
            "last_name": "Aminah",
            "phone": "081234567890",
            "attribute[TINGGI_AIR]": first_key,
            "media_url": "https://fms.example.org/photo/1.jpeg",
        }
        answer = http.post("/requests.xml", data=form)
        assert answer.status_code == 201
        assert answer.headers["content-type"] == "text/xml; charset=utf-8"
        assert answer.request.headers["content-type"] == "application/x-www-form-urlencoded"
        request = ElementTree.fromstring(answer.content).find("request")
        ticket = request.findtext("service_request_id")
        if not ticket:  # as FixMyStreet does: a token is exchanged for the id
            token = http.get(f"/tokens/{request.findtext('token')}.xml", params={"jurisdiction_id": JURISDICTION})
            ticket = ElementTree.fromstring(token.content).findtext("request/service_request_id")
        assert ticket and IncidentReport.objects.get().incident.ticket == ticket

        now = timezone.now()
        listed = http.get(
            "/requests.xml",
            params={
                "jurisdiction_id": JURISDICTION,
                "start_date": w3(now - timedelta(hours=1)),
                "end_date": w3(now + timedelta(minutes=1)),
            },
        )
        assert listed.status_code == 200
        rows = ElementTree.fromstring(listed.content).findall("request")
        assert [row.findtext("service_request_id") for row in rows] == [ticket]
        assert rows[0].findtext("status") == "open"
        assert rows[0].findtext("description") == "Genangan setinggi betis & air < 30 cm"
        assert "&amp; air &lt; 30 cm" in listed.text and "warga@example.com" not in listed.text

        refused = http.post("/requests.xml", data={**form, "api_key": "wrong-key-000"})
        error = ElementTree.fromstring(refused.content).find("error")
        assert refused.status_code == 403 and error.findtext("code") == "403"
    assert IncidentReport.objects.count() == 1

"""Our public warnings as CAP 1.2: every document the feed produces validates against the OASIS XSD."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from komando.alerts.actions import do_evaluate_rules
from komando.alerts.models import Alert

CAP = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
ATOM = {"atom": "http://www.w3.org/2005/Atom"}
pytestmark = pytest.mark.needs_shared


@pytest.fixture
def schema(shared_data):
    return etree.XMLSchema(etree.parse(str(shared_data / "samples" / "cap" / "CAP-v1.2.xsd")))


@pytest.fixture
def public_and_internal(make_rule, make_gauge, reference_data):
    """A water-level alert and a BMKG weather warning (public), and a source outage (internal)."""
    from komando.hazards.models import Earthquake, WeatherWarning
    from komando.sources.models import Source

    make_rule("sensor_threshold", {"level": "siaga_2"}, public=True, severity="critical", name="Tinggi muka air Siaga 2")
    make_rule(
        "bmkg_warning",
        {"weather": True, "earthquake_min_magnitude": 5.0},
        public=True,
        severity="critical",
        name="Peringatan BMKG",
    )
    make_rule("source_down", {"failures": 1}, name="Sumber mati")
    make_gauge(level_m=3.1)
    now = timezone.now()
    bmkg = Source.objects.get(slug="bmkg")
    WeatherWarning.objects.create(
        source=bmkg,
        identifier="2.49.0.1.360.0.2026.11.29.1",
        sent=now,
        effective=now - timedelta(minutes=1),
        expires=now + timedelta(hours=3),
        event="Hujan Lebat dan Petir",
        headline="Hujan lebat disertai petir",
        description="Waspada di Kec. Periuk, Kec. Batuceper",
        severity="Moderate",
        urgency="Immediate",
        certainty="Observed",
        area_desc="Banten",
        affects_city=True,
        polygons={
            "type": "MultiPolygon",
            "coordinates": [[[[106.60, -6.15], [106.70, -6.15], [106.70, -6.22], [106.60, -6.22]]]],
        },
    )
    Earthquake.objects.create(
        source=bmkg,
        source_ref="q1",
        occurred_at=now - timedelta(minutes=3),
        magnitude=Decimal("5.4"),
        depth_km=Decimal("12"),
        lat=-7.1,
        lon=106.2,
        region="Barat Daya Sukabumi",
        distance_km=110.0,
        tsunami_potential="Tidak berpotensi tsunami",
    )
    Source.objects.filter(slug="siak").update(consecutive_failures=2, connector="siak")
    do_evaluate_rules()
    assert Alert.objects.filter(rule__public=False).exists()


def _validate(schema, content: bytes):
    document = etree.fromstring(content)
    assert schema.validate(document), schema.error_log
    return document


def test_feed_and_every_alert_validate(client, schema, public_and_internal):
    index = client.get(reverse("alerts:cap_index"))
    assert index.status_code == 200 and index["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(index.content)
    links = feed.xpath("//atom:entry/atom:link/@href", namespaces=ATOM)
    public = Alert.objects.filter(rule__public=True)
    assert len(links) == public.count() == 3
    for link in links:
        response = client.get(urlsplit(link).path)
        assert response.status_code == 200 and response["Content-Type"].startswith("application/cap+xml")
        document = _validate(schema, response.content)
        sent = document.findtext("cap:sent", namespaces=CAP)
        assert sent.endswith("+07:00") and "." not in sent
        assert document.findtext("cap:status", namespaces=CAP) == "Actual"
        assert document.findtext("cap:msgType", namespaces=CAP) == "Alert"
        assert document.findtext("cap:scope", namespaces=CAP) == "Public"
        assert document.findtext("cap:info/cap:language", namespaces=CAP) == "id-ID"
        assert document.findtext("cap:info/cap:area/cap:areaDesc", namespaces=CAP)
    # The internal alert is neither listed nor served.
    internal = Alert.objects.get(rule__public=False)
    assert client.get(reverse("alerts:cap_alert", args=[internal.pk])).status_code == 404
    assert "Sumber" not in index.content.decode()


def test_details_of_the_water_level_and_weather_messages(client, schema, public_and_internal):
    gauge_alert = Alert.objects.get(rule__kind="sensor_threshold")
    document = _validate(schema, client.get(reverse("alerts:cap_alert", args=[gauge_alert.pk])).content)
    info = document.find("cap:info", namespaces=CAP)
    assert info.findtext("cap:category", namespaces=CAP) == "Met"
    assert info.findtext("cap:severity", namespaces=CAP) == "Severe"
    assert info.findtext("cap:urgency", namespaces=CAP) == "Immediate"
    assert info.findtext("cap:certainty", namespaces=CAP) == "Observed"
    assert info.findtext("cap:event", namespaces=CAP) == "Tinggi muka air Siaga 2"
    assert "Pintu Air Sepuluh" in info.findtext("cap:headline", namespaces=CAP)
    assert info.findtext("cap:area/cap:circle", namespaces=CAP) == "-6.17450,106.63220 2.0"

    warning = Alert.objects.get(subject_key__startswith="warning:")
    document = _validate(schema, client.get(reverse("alerts:cap_alert", args=[warning.pk])).content)
    polygon = document.findtext("cap:info/cap:area/cap:polygon", namespaces=CAP)
    points = polygon.split()
    assert points[0] == points[-1] == "-6.1500,106.6000" and len(points) == 5
    assert document.find("cap:info/cap:expires", namespaces=CAP) is not None

    quake = Alert.objects.get(subject_key__startswith="quake:")
    document = _validate(schema, client.get(reverse("alerts:cap_alert", args=[quake.pk])).content)
    assert document.findtext("cap:info/cap:category", namespaces=CAP) == "Geo"


def test_a_cleared_alert_is_a_cancel_referencing_the_original(client, schema, public_and_internal):
    gauge_alert = Alert.objects.get(rule__kind="sensor_threshold")
    original = etree.fromstring(client.get(reverse("alerts:cap_alert", args=[gauge_alert.pk])).content)
    from komando.devices.models import DeviceState

    DeviceState.objects.update(level_m=1.2)
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        do_evaluate_rules()
        cancel = _validate(schema, client.get(reverse("alerts:cap_alert", args=[gauge_alert.pk])).content)
        index = etree.fromstring(client.get(reverse("alerts:cap_index")).content)
    assert cancel.findtext("cap:msgType", namespaces=CAP) == "Cancel"
    identifier = original.findtext("cap:identifier", namespaces=CAP)
    assert cancel.findtext("cap:identifier", namespaces=CAP) == identifier + ".cancel"
    sender = original.findtext("cap:sender", namespaces=CAP)
    assert cancel.findtext("cap:references", namespaces=CAP) == (
        f"{sender},{identifier},{original.findtext('cap:sent', namespaces=CAP)}"
    )
    assert identifier + ".cancel" in index.xpath("//atom:entry/atom:id/text()", namespaces=ATOM)

"""SP4N-LAPOR! behind one small interface, ``LaporGateway``. No Django here.

LAPOR!'s current integration API ("API Integrasi Laporan") is documented only inside the LAPOR!
admin panel for accounts with the developer role; no public schema exists (see shared/STANDARDS.md
§g). ``HttpLaporGateway`` is therefore shaped after the public facts: JSON over HTTPS, the
``KEYTOKEN`` header of the legacy public API (``POST /api/services/f01/gettopics`` → ``[{"id",
"parent", "topic_name"}]``), numeric Tracking IDs, no reporter identity for confidential or
anonymous reports. **The whole HTTP mapping (paths, field names, statuses) lives in this module**:
when the city gets developer access, adapt ``HttpLaporGateway`` and the ``_Wire*`` models here;
the coordinator, the actions and the rest of Komando only see ``LaporReport`` and ``LaporGateway``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Protocol

import httpx
from pydantic import AwareDatetime, Field, StringConstraints

from komando.sources.framework import SourceAuthFailed, SourceDataInvalid
from komando.sources.http import KelurahanCode, Lat, Lon, NonEmpty, StrictModel, check_status, parse_json, send

APPLICATION = "SP4N-LAPOR!"

# LAPOR! status → komando.complaints.models.ComplaintStatus value (reports disposed to the city only).
LAPOR_STATUSES = {"didisposisikan": "waiting", "ditindaklanjuti": "in_progress", "selesai": "resolved"}
FOLLOW_UP_STATUSES = ("ditindaklanjuti", "selesai")
MAX_PAGES = 100


class LaporLocation(StrictModel):
    lat: Lat | None = None
    lon: Lon | None = None
    kode_kelurahan: KelurahanCode | None = None
    alamat: str | None = None


class LaporReport(StrictModel):
    """A report disposed to the city, as Komando needs it. ``pelapor`` (the reporter) is not read:
    extra fields are ignored, so a reporter's identity never leaves this module."""

    tracking_id: Annotated[str, StringConstraints(pattern=r"^\d{1,12}$")]
    judul: NonEmpty
    isi: str
    topik_id: NonEmpty
    topik: NonEmpty
    status: Literal["didisposisikan", "ditindaklanjuti", "selesai"]
    tanggal_laporan: AwareDatetime
    tanggal_disposisi: AwareDatetime
    tanggal_update: AwareDatetime
    lokasi: LaporLocation | None = None
    rahasia: bool = False
    anonim: bool = False
    tindak_lanjut_terakhir: str | None = None


class Topic(StrictModel):
    id: NonEmpty
    parent: str | None = None
    topic_name: NonEmpty


class _WirePage(StrictModel):
    status: Literal["ok"]
    halaman: Annotated[int, Field(ge=1)]
    jumlah_halaman: Annotated[int, Field(ge=0)]
    data: list[LaporReport]


class _WireAck(StrictModel):
    status: Literal["ok"]
    tracking_id: str


class LaporGateway(Protocol):
    """What Komando needs from SP4N-LAPOR!."""

    def fetch_disposed(self, since: datetime | None) -> list[LaporReport]:
        """Reports disposed to the city that changed at or after ``since`` (None: all open ones)."""
        ...

    def send_follow_up(self, tracking_id: str, status: str, text: str) -> None:
        """Send the city's follow-up (tindak lanjut) and the report's new status to LAPOR!."""
        ...


class HttpLaporGateway:
    """The HTTP mapping (see the module docstring: the one place to adapt)."""

    def __init__(self, base_url: str, keytoken: str, instansi_id: str = "pemkot-tangerang", timeout_seconds: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.keytoken = keytoken
        self.instansi_id = instansi_id
        self.timeout = timeout_seconds

    def _post(self, http: httpx.Client, path: str, body: dict) -> bytes:
        if not self.keytoken:
            raise SourceAuthFailed("SP4N-LAPOR! KEYTOKEN is not set (KOMANDO_LAPOR_KEYTOKEN)")
        url = f"{self.base_url}{path}"
        response = send(
            http,
            "POST",
            url,
            application=APPLICATION,
            timeout=self.timeout,
            json=body,
            headers={"KEYTOKEN": self.keytoken, "Accept": "application/json"},
        )
        return check_status(response, url, application=APPLICATION, refused="the KEYTOKEN", show_body=True)

    def topics(self, http: httpx.Client) -> list[Topic]:
        from pydantic import TypeAdapter

        return parse_json(TypeAdapter(list[Topic]), self._post(http, "/api/services/f01/gettopics", {}), "SP4N-LAPOR! topics")

    def fetch_disposed(self, since: datetime | None) -> list[LaporReport]:
        reports: dict[str, LaporReport] = {}
        with httpx.Client(timeout=self.timeout) as http:
            topics = {topic.id for topic in self.topics(http)}
            page, pages = 1, 1
            while page <= pages:
                if page > MAX_PAGES:
                    raise SourceDataInvalid(f"SP4N-LAPOR! disposed reports: more than {MAX_PAGES} pages")
                body = {"instansi_id": self.instansi_id, "halaman": page}
                if since is not None:
                    body["sejak"] = since.isoformat()
                answer = parse_json(
                    _WirePage, self._post(http, "/api/integrasi/laporan/disposisi", body), "SP4N-LAPOR! disposed reports"
                )
                if answer.halaman != page:
                    raise SourceDataInvalid(f"SP4N-LAPOR! disposed reports: asked page {page}, got {answer.halaman}")
                pages = answer.jumlah_halaman
                for report in answer.data:
                    reports[report.tracking_id] = report
                page += 1
        found = sorted(reports.values(), key=lambda r: (r.tanggal_update, int(r.tracking_id)))
        for report in found:
            if report.topik_id not in topics:
                raise SourceDataInvalid(f"SP4N-LAPOR! report {report.tracking_id}: unknown topic {report.topik_id!r}")
            if report.tanggal_disposisi < report.tanggal_laporan:
                raise SourceDataInvalid(f"SP4N-LAPOR! report {report.tracking_id} was disposed before it was reported")
        return found

    def send_follow_up(self, tracking_id: str, status: str, text: str) -> None:
        if status not in FOLLOW_UP_STATUSES:
            raise ValueError(f"LAPOR! follow-up status must be one of {FOLLOW_UP_STATUSES}, not {status!r}")
        with httpx.Client(timeout=self.timeout) as http:
            body = self._post(
                http,
                f"/api/integrasi/laporan/{tracking_id}/tindaklanjut",
                {"instansi_id": self.instansi_id, "status": status, "isi": text},
            )
        ack = parse_json(_WireAck, body, "SP4N-LAPOR! follow-up answer")
        if ack.tracking_id != tracking_id:
            raise SourceDataInvalid(f"SP4N-LAPOR! acknowledged report {ack.tracking_id}, not {tracking_id}")


def gateway_from_environment() -> LaporGateway:
    """The gateway configured as the connector is (``KOMANDO_LAPOR_*``)."""
    from komando.connectors.lapor.config import LaporConfig
    from komando.sources.registry import manifests

    config = LaporConfig.from_environment(manifests()["lapor"])
    return gateway_from_config(config)


def gateway_from_config(config) -> HttpLaporGateway:
    return HttpLaporGateway(config.base_url, config.keytoken.get_secret_value(), config.instansi_id, config.timeout_seconds)

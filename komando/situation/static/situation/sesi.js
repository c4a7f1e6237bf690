// Situation room session screen: map, decisions, follow-up actions, attendees, timeline. Every
// change goes to the JSON API (POST only: the record is append-only); the page re-reads the whole
// session state when a `situation.changed` event for this session arrives over /ws/live/, and after
// a reconnect. Field units move live with `devices.units` events.
"use strict";

const T = window.KOMANDO_SESI_TEXT;
const config = Komando.dom.readJson("sesi-config");
let state = config.state;
const { byId, el, csrfToken } = Komando.dom;

const clock = Komando.dom.timeFormat(config.locale, { hour: "2-digit", minute: "2-digit" });
const dateTime = Komando.dom.timeFormat(config.locale, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
const zone = Komando.dom.zoneLabel;
const when = (iso) => (iso ? `${dateTime(iso)} ${zone}` : T.none);

function toast(message, ok = false) {
  const node = byId("toast");
  node.textContent = message;
  node.classList.toggle("ok", ok);
  node.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { node.hidden = true; }, ok ? 2500 : 8000);
}

async function post(path, body) {
  const response = await fetch(config.api + path, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(body),
  });
  if (response.status === 401) { toast(T.sessionEnded); return false; }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) { toast(data.error || response.statusText); return false; }
  state = data;
  render();
  return true;
}

let reading = null;
async function reread() {
  if (reading) return reading;
  reading = (async () => {
    try {
      const response = await fetch(config.api, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.status === 401) { toast(T.sessionEnded); return; }
      if (response.ok) { state = await response.json(); render(); }
    } finally { reading = null; }
  })();
  return reading;
}

// --- map -----------------------------------------------------------------------------------------
const view = Komando.map.create("sesi-map", { leaflet: { zoomSnap: 1 }, style: { color: "#5cc8ff", weight: 1.5, opacity: 0.7,
  fillColor: "#15213a", fillOpacity: 0.35 }, interactive: false, tooltip: null });
const map = view.map;
const gaugeLayer = L.layerGroup().addTo(map);
const cameraLayer = L.layerGroup().addTo(map);
const unitLayer = L.layerGroup().addTo(map);
const incidentLayer = L.layerGroup().addTo(map);
let fittedTo = "";
const units = new Map();

function renderMap() {
  gaugeLayer.clearLayers(); cameraLayer.clearLayers(); incidentLayer.clearLayers();
  // The session's regions, our own boundaries (drawn before the markers, which stay on top).
  view.setBoundaries({ type: "FeatureCollection", features: state.map.regions.filter((region) => region.geometry)
    .map((region) => ({ type: "Feature", geometry: region.geometry, properties: { name: region.name } })) });
  for (const feature of state.map.gauges) {
    const [lon, lat] = feature.geometry.coordinates;
    const p = feature.properties;
    L.circleMarker([lat, lon], { radius: 7, color: p.tone === "bad" ? "#ef4444" : p.tone === "warn" ? "#f59e0b" : "#0b1220", weight: 3, fillColor: "#38bdf8", fillOpacity: 1 })
      .bindTooltip(`${T.gauge}: ${p.name}${p.level_m != null ? ` · ${p.level_m} m` : ""}${p.observed_at ? ` · ${T.asOf} ${clock(p.observed_at)}` : ""}`).addTo(gaugeLayer);
  }
  for (const feature of state.map.cameras) {
    const [lon, lat] = feature.geometry.coordinates;
    L.circleMarker([lat, lon], { radius: 6, color: "#0b1220", weight: 2, fillColor: "#a78bfa", fillOpacity: 1 })
      .bindTooltip(`${T.camera}: ${feature.properties.name}`).addTo(cameraLayer);
  }
  state.incidents.forEach((incident, index) => {
    L.marker([incident.lat, incident.lon], { icon: L.divIcon({ className: "incident-marker", html: String(index + 1), iconSize: [24, 24] }) })
      .bindTooltip(`${incident.ticket} · ${incident.category_name} · ${incident.status_label}`).addTo(incidentLayer);
  });
  units.clear();
  for (const feature of state.map.units) units.set(feature.properties.id, { ...feature.properties, lon: feature.geometry.coordinates[0], lat: feature.geometry.coordinates[1] });
  renderUnits();
  const bbox = state.map.bbox;
  const key = JSON.stringify(bbox);
  if (bbox && key !== fittedTo) {
    fittedTo = key;
    map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]], { padding: [30, 30], maxZoom: 15 });
  }
}

function renderUnits() {
  unitLayer.clearLayers();
  for (const unit of units.values()) {
    if (unit.lat == null || unit.lon == null) continue;
    L.circleMarker([unit.lat, unit.lon], { radius: 5, color: "#0b1220", weight: 1.5, fillColor: "#22c55e", fillOpacity: unit.observed_at ? 1 : 0.4 })
      .bindTooltip(`${T.unit}: ${unit.name}${unit.observed_at ? ` · ${T.asOf} ${clock(unit.observed_at)}` : ""}`).addTo(unitLayer);
  }
}

// --- lists ---------------------------------------------------------------------------------------
function assignee(row) { return row.assignee && row.assignee.label ? row.assignee.label : T.none; }

function renderIncidents() {
  byId("incident-count").textContent = state.incidents.length;
  const list = byId("incidents");
  list.replaceChildren(...(state.incidents.length ? state.incidents.map((incident, index) => el("li", { dataset: { ticket: incident.ticket } },
    el("div", { class: "head" }, el("span", { class: "number" }, `${index + 1}.`), el("span", { class: "ticket" }, incident.ticket),
      el("span", { class: `pill p-${incident.priority}` }, incident.priority_label), el("span", { class: "pill" }, incident.status_label)),
    el("div", {}, incident.title),
    el("div", { class: "meta" }, `${incident.place} · ${incident.agency_name}`))) : [el("li", { class: "muted" }, T.noIncidents)]));
  const select = byId("link-open");
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "" }, T.none), ...state.open_incidents.map((row) => el("option", { value: row.id }, row.label)));
  select.value = chosen;
}

function startCorrection(decision) {
  byId("decision-corrects").value = decision.id;
  byId("correcting").textContent = `${T.correcting} ${decision.number}: “${decision.text}”`;
  byId("correcting").hidden = false;
  byId("decision-cancel-correction").hidden = false;
  byId("decision-submit").textContent = T.recordCorrection;
  byId("decision-text").value = decision.text;
  byId("decision-basis").value = decision.basis;
  byId("decision-text").focus();
}

function stopCorrection() {
  byId("decision-corrects").value = "";
  byId("correcting").hidden = true;
  byId("decision-cancel-correction").hidden = true;
  byId("decision-submit").textContent = T.recordDecision;
}

function renderDecisions() {
  byId("decision-count").textContent = state.decisions.filter((d) => !d.corrected_by).length;
  const list = byId("decisions");
  list.replaceChildren(...(state.decisions.length ? state.decisions.map((d) => el("li", {
    id: `decision-${d.id}`, class: [d.corrected_by ? "corrected" : "", d.corrects ? "correction" : ""].join(" "), dataset: { decision: d.id } },
    d.corrects ? el("div", { class: "correction-note" }, `${T.correctionOf} `, el("a", { href: `#decision-${d.corrects}` }, d.corrects_number)) : null,
    el("div", {}, el("span", { class: "number" }, `${d.number}.`), el("span", { class: "text" }, d.text)),
    d.corrected_by ? el("div", { class: "corrected-note" }, `${T.correctedBy} `, el("a", { href: `#decision-${d.corrected_by}`, class: "corrected-link" }, d.corrected_by_number)) : null,
    el("div", { class: "meta" }, [
      `${T.decidedBy} ${d.decided_by}`, d.basis ? `${T.basis}: ${d.basis}` : "", d.assignee.label ? `${T.assigned} ${d.assignee.label}` : "",
      d.deadline ? `${T.deadline} ${when(d.deadline)}` : "", `${T.recorded} ${clock(d.recorded_at)} ${T.by} ${d.recorded_by}`,
    ].filter(Boolean).join(" · ")),
    state.permissions.chair && !d.corrected_by ? el("button", { type: "button", class: "button small", onclick: () => startCorrection(d) }, T.correct) : null,
  )) : [el("li", { class: "muted" }, T.noDecisions)]));
  const select = byId("action-decision");
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "" }, T.none), ...state.decisions.filter((d) => !d.corrected_by)
    .map((d) => el("option", { value: d.id }, `${d.number}. ${d.text.slice(0, 60)}`)));
  select.value = chosen;
}

function renderActions() {
  byId("action-count").textContent = state.action_items.length;
  const list = byId("actions");
  const final = new Set(["done", "cancelled"]);
  list.replaceChildren(...(state.action_items.length ? state.action_items.map((item) => {
    let form = null;
    if (item.may_update && state.session.is_open && !final.has(item.status)) {
      const statusSelect = el("select", { name: "status", "aria-label": T.update },
        ...config.statuses.filter((s) => s.value !== "open" && s.value !== item.status).map((s) => el("option", { value: s.value }, s.label)));
      const note = el("input", { name: "note", placeholder: T.note });
      form = el("form", { class: "action-update", onsubmit: async (event) => {
        event.preventDefault();
        await post(`tindak-lanjut/${item.id}/status/`, { status: statusSelect.value, note: note.value });
      } }, statusSelect, note, el("button", { type: "submit", class: "button small" }, T.update));
    }
    return el("li", { class: `s-${item.status}`, dataset: { action: item.id, status: item.status } },
      el("div", { class: "head" }, el("span", { class: `pill s-${item.status}` }, item.status_label),
        item.overdue ? el("span", { class: "pill overdue" }, T.overdue) : null, el("span", { class: "text" }, item.text)),
      el("div", { class: "meta" }, [`${T.assigned} ${assignee(item)}`, item.deadline ? `${T.deadline} ${when(item.deadline)}` : "",
        item.decision_number ? `${T.fromDecision} ${item.decision_number}` : "",
        `${item.status_label} ${clock(item.status_at)} ${T.by} ${item.status_by}${item.status_note ? `: ${item.status_note}` : ""}`].filter(Boolean).join(" · ")),
      form);
  }) : [el("li", { class: "muted" }, T.noActions)]));
}

function renderAttendees() {
  byId("attendee-count").textContent = state.attendees.length;
  byId("attendees").replaceChildren(...state.attendees.map((a) => el("li", { class: a.chair ? "chair" : a.external ? "external" : "" },
    a.label, a.chair ? ` (${T.chair})` : "")));
}

function renderTimeline() {
  const list = byId("timeline");
  const atBottom = list.parentElement.scrollHeight - list.parentElement.scrollTop - list.parentElement.clientHeight < 40;
  list.replaceChildren(...state.timeline.map((entry) => el("li", { class: `k-${entry.kind}` },
    el("span", { class: "when" }, clock(entry.at)),
    el("div", {}, el("span", { class: "kind" }, entry.kind_label), entry.text ? ` — ${entry.text}` : "", el("div", { class: "who" }, entry.actor)))));
  if (atBottom) list.parentElement.scrollTop = list.parentElement.scrollHeight;
}

function renderHeader() {
  const status = byId("session-status");
  const s = state.session;
  status.textContent = s.is_open ? `${T.open} · ${T.openedAt} ${clock(s.opened_at)} ${zone}` : `${T.closed} ${when(s.closed_at)}`;
  status.title = `${T.chair}: ${s.chair}`;
  status.classList.toggle("closed", !s.is_open);
  for (const form of document.querySelectorAll("[data-chair]")) form.hidden = !state.permissions.chair;
  for (const form of document.querySelectorAll("[data-contribute]")) form.hidden = !state.permissions.contribute;
}

function fillChoices() {
  const options = (rows) => [el("option", { value: "" }, T.none), ...rows.map((row) => el("option", { value: row.id }, row.label))];
  for (const select of document.querySelectorAll("[data-agencies]")) select.replaceChildren(...options(config.choices.agencies));
  for (const select of document.querySelectorAll("[data-people]")) select.replaceChildren(...options(config.choices.people));
  const decidedBy = byId("decision-by");
  decidedBy.replaceChildren(...config.choices.people.map((row) => el("option", { value: row.id }, row.label)));
  decidedBy.value = state.session.chair_id;
}

function render() {
  renderHeader(); renderMap(); renderIncidents(); renderDecisions(); renderActions(); renderAttendees(); renderTimeline();
}

// --- forms ---------------------------------------------------------------------------------------
function onSubmit(id, handler) {
  byId(id).addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.target.querySelector("button[type=submit]");
    button.disabled = true;
    try { if (await handler()) event.target.reset(); } finally { button.disabled = false; }
  });
}

onSubmit("link-form", () => {
  const ticket = byId("link-ticket").value.trim();
  const incident = byId("link-open").value;
  if (!ticket && !incident) { toast(T.chooseOne); return false; }
  return post("insiden/", ticket ? { ticket } : { incident: Number(incident) });
});
onSubmit("decision-form", async () => {
  const ok = await post("keputusan/", {
    text: byId("decision-text").value, basis: byId("decision-basis").value, decided_by: byId("decision-by").value || null,
    agency: byId("decision-agency").value || null, user: byId("decision-user").value || null,
    deadline: byId("decision-deadline").value || null, corrects: byId("decision-corrects").value || null,
  });
  if (ok) { stopCorrection(); setTimeout(() => { byId("decision-by").value = state.session.chair_id; }); }
  return ok;
});
byId("decision-cancel-correction").addEventListener("click", () => { byId("decision-form").reset(); stopCorrection(); });
onSubmit("action-form", () => post("tindak-lanjut/", {
  text: byId("action-text").value, agency: byId("action-agency").value || null, user: byId("action-user").value || null,
  deadline: byId("action-deadline").value || null, decision: byId("action-decision").value || null,
}));
onSubmit("attendee-form", () => post("peserta/", { user: byId("attendee-user").value || null, name: byId("attendee-name").value }));
onSubmit("note-form", () => post("catatan/", { text: byId("note-text").value }));
onSubmit("close-form", () => (window.confirm(T.closeConfirm) ? post("tutup/", { note: byId("close-note").value }) : false));

let searchTimer = null;
byId("link-ticket").addEventListener("input", (event) => {
  clearTimeout(searchTimer);
  const query = event.target.value.trim();
  if (query.length < 3) return;
  searchTimer = setTimeout(async () => {
    const response = await fetch(`/ruang/api/insiden/?q=${encodeURIComponent(query)}`, { credentials: "same-origin" });
    if (!response.ok) return;
    const data = await response.json();
    byId("ticket-suggestions").replaceChildren(...data.incidents.map((row) => el("option", { value: row.ticket }, row.label)));
  }, 250);
});

// --- live ----------------------------------------------------------------------------------------
function applyEvent(event) {
  if (!event || typeof event.type !== "string") return;
  if (event.type === "situation.changed" && event.data && event.data.session === state.session.id) {
    reread();
  } else if (event.type === "devices.units") {
    for (const unit of (event.data.units || [])) units.set(unit.id, unit);
    renderUnits();
  }
}
// The shared live bus (komando/live.js): after a reconnect, re-read what changed while the socket was down.
function startLive() {
  Komando.live.connect({ onEvent: applyEvent, resync: reread, status: Komando.dom.connectionIndicator((kind) => T[kind]) });
}

fillChoices();
render();
startLive();

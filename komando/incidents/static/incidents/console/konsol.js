// Komando operator console: the queue (overdue first), a map of incidents and field units, and the
// incident in hand with every step of its SOP. Live over /ws/live/: an incidents.changed event
// re-reads the queue (and the open incident), a devices.units event moves units. No polling.
"use strict";

const { byId, el, csrfToken: csrf } = Komando.dom;
const config = Komando.dom.readJson("console-config");
const T = window.KOMANDO_CONSOLE_TEXT;
const state = { queue: config.queue, finished: config.finished || [], units: new Map(), selected: null, detail: null, loadedAt: config.now, busy: false };
for (const unit of config.units) state.units.set(unit.id, unit);

// Times in the city's zone, followed by its label (WIB, WITA or WIT) as the server gave them.
const cityDateTime = Komando.dom.timeFormat(config.locale, { hour: "2-digit", minute: "2-digit", day: "numeric", month: "short" });
const cityTime = Komando.dom.timeFormat(config.locale, { hour: "2-digit", minute: "2-digit" });
const cityWhen = (iso, withDate = true) => (iso ? `${(withDate ? cityDateTime : cityTime)(iso)} ${Komando.dom.zoneLabel}` : "—");
function span(ms) {
  const minutes = Math.round(Math.abs(ms) / 60000);
  if (minutes < 60) return `${minutes} ${T.min}`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} ${T.h} ${minutes % 60} ${T.min}`;
  return `${Math.floor(minutes / 1440)} ${T.d} ${Math.floor((minutes % 1440) / 60)} ${T.h}`;
}
const FINISHED = ["selesai", "ditutup", "ditolak", "duplikat"];
function clockText(row) {
  if (FINISHED.includes(row.status)) return "";
  if (row.overdue) return `${T.overdue} ${span(Date.now() - Date.parse(row.overdue_since))}`;
  if (!row.next_deadline) return T.noDeadline;
  return `${span(Date.parse(row.next_deadline) - Date.now())} ${T.left}`;
}
// ---------- map ----------
const map = Komando.map.create("console-map", { leaflet: { preferCanvas: true }, boundaries: config.kecamatan,
  center: config.center }).map;
const PRIORITY_COLORS = { kritis: "#ef4444", tinggi: "#f97316", sedang: "#eab308", rendah: "#60a5fa" };
// Units above incidents (a unit on the spot stays visible), each in its own pane (its own canvas).
map.createPane("incidents").style.zIndex = 410;
map.createPane("units").style.zIndex = 420;
const FRESH_MS = (config.unit_fresh_seconds || 600) * 1000;
const unitIsStale = (unit) => !unit.observed_at || Date.now() - Date.parse(unit.observed_at) > FRESH_MS;
const incidentMarkers = new Map();
const unitMarkers = new Map();

function renderIncidentMarkers() {
  const seen = new Set();
  for (const row of state.queue) {
    seen.add(row.id);
    const style = { radius: row.id === state.selected ? 11 : 8, color: row.overdue ? "#fff" : "#0b1220",
                    weight: row.id === state.selected ? 4 : 2, fillColor: PRIORITY_COLORS[row.priority] || "#94a3b8",
                    fillOpacity: 0.95 };
    let marker = incidentMarkers.get(row.id);
    if (!marker) {
      marker = L.circleMarker([row.lat, row.lon], { ...style, pane: "incidents" }).addTo(map);
      marker.on("click", () => select(row.id));
      incidentMarkers.set(row.id, marker);
    }
    marker.setLatLng([row.lat, row.lon]).setStyle(style);
    marker.bindTooltip(`${row.ticket} · ${row.category_name}`);
  }
  for (const [id, marker] of incidentMarkers) if (!seen.has(id)) { marker.remove(); incidentMarkers.delete(id); }
}
function renderUnitMarkers() {
  let newest = null;
  let stale = 0;
  for (const unit of state.units.values()) {
    if (unit.lat === null || unit.lon === null || unit.lat === undefined) continue;
    const old = unitIsStale(unit);
    stale += old ? 1 : 0;
    if (unit.observed_at && (!newest || unit.observed_at > newest)) newest = unit.observed_at;
    const style = { radius: 6, color: "#0b1220", weight: 2, fillColor: old ? "#64748b" : "#5cc8ff", fillOpacity: 1 };
    let marker = unitMarkers.get(unit.id);
    if (!marker) {
      marker = L.circleMarker([unit.lat, unit.lon], { ...style, pane: "units" }).addTo(map);
      unitMarkers.set(unit.id, marker);
    }
    marker.setLatLng([unit.lat, unit.lon]).setStyle(style)
      .bindTooltip(`${unit.name} · ${old ? `${T.stale} · ` : ""}${cityWhen(unit.observed_at, false)}`);
  }
  const fresh = byId("units-fresh");
  fresh.dataset.units = String(unitMarkers.size);
  fresh.dataset.stale = String(stale);
  fresh.textContent = `${unitMarkers.size}${stale ? ` (${stale} ${T.stale})` : ""}${newest ? ` · ${cityWhen(newest, false)}` : ""}`;
}

// ---------- queue ----------
function markOverdue() {
  const now = Date.now();
  for (const row of state.queue) {
    if (!row.overdue && row.next_deadline && Date.parse(row.next_deadline) <= now) {
      row.overdue = true;
      row.overdue_since = row.next_deadline;
    }
  }
}
function queueRow(row) {
  return el("li", {
    class: `queue-row p-${row.priority}${row.overdue ? " overdue" : ""}${row.id === state.selected ? " selected" : ""}`,
    "data-ticket": row.ticket, "data-id": row.id, "data-status": row.status, "data-overdue": row.overdue ? "1" : "0",
    tabindex: 0, role: "button", onclick: () => select(row.id),
    onkeydown: (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(row.id); } },
  },
  el("div", { class: "row-top" },
    el("span", { class: "ticket", text: row.ticket }),
    el("span", { class: `pill priority p-${row.priority}`, text: row.priority_label }),
    el("span", { class: `pill status s-${row.status}`, text: row.status_label })),
  el("div", { class: "row-title", text: `${row.category_name} — ${row.kelurahan_name}` }),
  el("div", { class: "row-bottom" },
    el("span", { class: `clock${row.overdue ? " late" : ""}`, text: clockText(row) }),
    !FINISHED.includes(row.status) && (row.overdue_since || row.next_deadline)
      ? el("span", { class: "deadline muted", text: `(${cityWhen(row.overdue ? row.overdue_since : row.next_deadline)})` }) : null,
    row.escalation_level ? el("span", { class: "escalated", text: `${T.escalated} ${row.escalation_level}` }) : null,
    row.resolved_at ? el("span", { class: "muted", text: `${T.resolvedAt} ${cityWhen(row.resolved_at)}` }) : null,
    el("span", { class: "agency muted", text: row.agency_name })));
}
function renderQueue() {
  markOverdue();
  byId("queue").replaceChildren(...state.queue.map(queueRow));
  byId("finished").replaceChildren(...state.finished.map(queueRow));
  byId("finished-total").textContent = String(state.finished.length);
  byId("queue-total").textContent = String(state.queue.length);
  const overdue = state.queue.filter((row) => row.overdue).length;
  byId("queue-summary").textContent = overdue ? `${overdue} ${T.overdueCount}` : "";
  byId("queue-empty").hidden = state.queue.length > 0;
  byId("queue-fresh").textContent = `${T.updated} ${cityWhen(state.loadedAt, false)}`;
  renderIncidentMarkers();
}

// ---------- detail ----------
async function api(path, body) {
  const options = body === undefined ? { headers: { Accept: "application/json" } } : {
    method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf() },
    body: JSON.stringify(body),
  };
  const response = await fetch(path, { credentials: "same-origin", ...options });
  let data = {};
  try { data = await response.json(); } catch (error) { data = {}; }
  // Refusals come as {"error": {"code", "message", "fields"}} (komando.core.api).
  let error = response.ok ? "" : (data.error && data.error.message) || `HTTP ${response.status}`;
  if (response.status === 401) error = T.sessionEnded;
  return { ok: response.ok, status: response.status, data, error };
}
function showError(message) {
  const node = byId("detail-error");
  node.textContent = message || "";
  node.hidden = !message;
}
async function select(id) {
  state.selected = id;
  showError("");
  renderQueue();
  const result = await api(`/konsol/api/insiden/${id}/`);
  if (state.selected !== id) return;
  if (!result.ok) { showError(result.error); return; }
  state.detail = result.data;
  renderDetail();
  byId("detail").scrollTop = 0;
  const marker = incidentMarkers.get(id);
  if (marker) map.panTo(marker.getLatLng());
}
async function step(name, body) {
  if (state.busy || !state.detail) return;
  state.busy = true;
  showError("");
  document.body.dataset.busy = "1";
  const result = await api(`/konsol/api/insiden/${state.detail.id}/${name}/`, body);
  state.busy = false;
  delete document.body.dataset.busy;
  if (!result.ok) { showError(result.error); return; }
  if (result.data.gone) { state.detail = null; byId("detail-body").hidden = true; showError(T.gone); return; }
  state.detail = result.data;
  renderDetail();
}
function section(title, ...children) {
  return el("section", { class: "detail-section" }, el("h3", { text: title }), ...children);
}
function textInput(name, placeholder, required = false) {
  return el("input", { type: "text", name, placeholder, maxlength: 4000, required, class: "input" });
}
function formOf(attrs, fields, label, onsubmit) {
  return el("form", { class: "inline-form", ...attrs, onsubmit: (event) => { event.preventDefault(); onsubmit(event.target); } },
    ...fields, el("button", { type: "submit", class: "button", text: label }));
}
function renderDetail() {
  const d = state.detail;
  const body = byId("detail-body");
  byId("detail-hint").hidden = true;
  body.hidden = false;
  body.dataset.ticket = d.ticket;
  body.dataset.status = d.status;
  const parts = [];
  parts.push(el("header", { class: "detail-head" },
    el("div", { class: "row-top" }, el("h2", { class: "ticket", id: "detail-ticket", text: d.ticket }),
      el("span", { class: `pill priority p-${d.priority}`, text: d.priority_label }),
      el("span", { class: `pill status s-${d.status}`, id: "detail-status", "data-status": d.status, text: d.status_label })),
    el("p", { class: "detail-title", text: d.title }),
    el("p", { class: "muted", text: `${d.category_name} · ${d.agency_name} · ${d.kelurahan_name}, ${d.kecamatan_name}` }),
    d.address ? el("p", { class: "muted", text: d.address }) : null,
    d.description ? el("p", { class: "description", text: d.description }) : null,
    el("dl", { class: "facts" },
      el("dt", { text: T.reported }), el("dd", { text: cityWhen(d.reported_at) }),
      el("dt", { text: T.deadlineRespond }), el("dd", { text: cityWhen(d.respond_due_at) }),
      el("dt", { text: T.deadlineResolve }), el("dd", { class: d.overdue && !FINISHED.includes(d.status) ? "late" : "", text: [cityWhen(d.resolve_due_at), clockText(d)].filter(Boolean).join(" · ") }),
      el("dt", { text: T.sop }), el("dd", { text: `v${d.playbook_version} · ${d.regulation}` }))));

  if (d.next_steps.length) {
    const reason = textInput("reason", T.comment);
    parts.push(section(T.nextSteps, el("div", { class: "steps" }, reason, el("div", { class: "buttons" },
      d.next_steps.map((next) => el("button", {
        type: "button", class: `button step s-${next.status}`, "data-action": "transition", "data-status": next.status,
        onclick: () => {
          if (next.reason_required && !reason.value.trim()) { reason.placeholder = T.reason; reason.focus(); showError(T.reason); return; }
          step("transition", { status: next.status, reason: next.reason_required ? reason.value : "", comment: next.reason_required ? "" : reason.value });
        },
      }, next.label))))));
  }

  if (d.duplicate_of && d.may.command) {
    parts.push(section(T.duplicate, el("div", { class: "duplicate" },
      el("span", { text: `${d.duplicate_of.ticket} · ${d.duplicate_of.title}` }),
      el("button", { type: "button", class: "button", "data-action": "merge-proposed",
                     onclick: () => step("merge", { into: d.duplicate_of.ticket }) }, `${T.merge} ${d.duplicate_of.ticket}`))));
  }

  const checklistNote = d.may.work ? el("input", { type: "text", name: "checklist-note", class: "input checklist-note",
                                                   maxlength: 4000, placeholder: T.checklistNote }) : null;
  parts.push(section(T.checklist, checklistNote, el("ol", { class: "checklist" }, d.checklist.map((item) => el("li", {
    class: item.done ? "done" : "", "data-step": item.key },
    el("span", { class: "check", text: item.done ? "✓" : "○" }),
    el("span", { class: "step-title", text: item.title }),
    item.mandatory ? el("span", { class: "pill mandatory", text: T.mandatory }) : null,
    item.done ? el("span", { class: "muted small", text: `${item.done_by || ""} ${cityWhen(item.done_at, false)}` })
      : (d.may.work ? el("button", { type: "button", class: "button small", "data-action": "checklist",
                                     onclick: () => step("checklist", { step: item.key, note: checklistNote.value }) }, T.tick) : null),
    item.done && item.note ? el("span", { class: "comment small", text: item.note }) : null)))));

  const dispatchable = d.may.work && ["diverifikasi", "dibuka_kembali", "ditugaskan", "dalam_penanganan"].includes(d.status);
  if (dispatchable) {
    parts.push(section(T.units, d.recommended_units.length ? el("ol", { class: "units", id: "recommended-units" }, d.recommended_units.map((unit) => el("li", {
      "data-unit": unit.unit_id, "data-stale": unit.stale ? "1" : "0" },
      el("span", { class: "unit-name", text: unit.name }),
      el("span", { class: "muted", text: unit.distance_m >= 1000 ? `${(unit.distance_m / 1000).toFixed(1)} ${T.km}` : `${unit.distance_m} ${T.m}` }),
      unit.stale ? el("span", { class: "pill stale", text: T.stale }) : null,
      el("button", { type: "button", class: "button", "data-action": "dispatch", "data-unit": unit.unit_id,
                     onclick: () => step("dispatch", { units: [unit.unit_id] }) }, T.dispatch))))
      : el("p", { class: "muted", text: T.noUnits })));
  }
  if (d.dispatches.length) {
    parts.push(section(T.dispatches, el("ol", { class: "units" }, d.dispatches.map((dispatch) => el("li", {
      "data-dispatch": dispatch.id, "data-status": dispatch.status },
      el("span", { class: "unit-name", text: dispatch.unit }),
      el("span", { class: `pill unit-status u-${dispatch.status}`, text: dispatch.status_label }),
      el("span", { class: "muted small", text: dispatch.steps.map((s) => `${s.status_label} ${cityWhen(s.at, false)}`).join(" → ") }))))));
  }

  if (d.handoffs.length) {
    parts.push(section(T.handoffs, el("ol", { class: "handoffs" }, d.handoffs.map((handoff) => el("li", { "data-handoff": handoff.id },
      el("span", { text: `${handoff.receiver} — ${handoff.reason}` }),
      el("span", { class: "muted small", text: handoff.acknowledged_at ? `${T.acknowledged} ${cityWhen(handoff.acknowledged_at)}`
        : handoff.withdrawn_at ? T.withdrawn : T.pending }),
      d.may.acknowledge.includes(handoff.id) ? el("button", { type: "button", class: "button", "data-action": "acknowledge",
        onclick: () => step("acknowledge", { handoff: handoff.id }) }, T.acknowledge) : null)))));
  }

  if (d.may.command && !["ditutup", "ditolak", "duplikat"].includes(d.status)) {
    const priority = el("select", { name: "priority", class: "input" },
      config.priorities.map((p) => el("option", { value: p.value, selected: p.value === d.priority }, p.label)));
    const target = el("select", { name: "target", class: "input" }, config.targets.map((t) => el("option", { value: t.value }, t.label)));
    const agency = el("select", { name: "agency", class: "input" }, config.agencies.map((a) => el("option", { value: a.id }, a.label)));
    const kelurahan = el("select", { name: "kelurahan", class: "input", hidden: true }, config.kelurahan.map((k) => el("option", { value: k.id }, k.label)));
    const party = el("select", { name: "party", class: "input", hidden: true }, config.parties.map((p) => el("option", { value: p.value }, p.label)));
    target.addEventListener("change", () => {
      agency.hidden = target.value !== "agency"; kelurahan.hidden = target.value !== "kelurahan"; party.hidden = target.value !== "external";
    });
    parts.push(section(T.priority, formOf({ "data-form": "priority" }, [priority], T.setPriority,
      () => step("priority", { priority: priority.value }))));
    parts.push(section(T.escalate, formOf({ "data-form": "escalate" }, [textInput("comment", T.comment)], T.escalate,
      (form) => step("escalate", { comment: form.comment.value }))));
    if (d.status !== "dialihkan") {
      parts.push(section(T.handOff, formOf({ "data-form": "hand-off" }, [target, agency, kelurahan, party, textInput("reason", T.reason, true)],
        T.handOff, (form) => step("hand-off", { target: target.value, agency: agency.value, kelurahan: kelurahan.value,
                                                party: party.value, reason: form.reason.value }))));
    }
    parts.push(section(T.merge, formOf({ "data-form": "merge" }, [textInput("into", T.mergeTicket, true)], T.merge,
      (form) => step("merge", { into: form.into.value }))));
  }
  if (d.may.work) {
    const isPublic = el("input", { type: "checkbox", name: "public" });
    parts.push(section(T.addComment, formOf({ "data-form": "comment" }, [textInput("text", T.commentText, true),
      el("label", { class: "check-label" }, isPublic, T.publicComment)], T.send,
      (form) => step("comment", { text: form.text.value, public: isPublic.checked }))));
  }

  if (d.photos && d.photos.length) {
    parts.push(section(T.photos, el("ol", { class: "photos", id: "photos" }, d.photos.map((photo) => el("li", {
      "data-photo": photo.id, "data-kind": photo.kind },
      el("a", { href: photo.url, target: "_blank", rel: "noopener" },
        el("img", { src: photo.url, alt: `${photo.kind_label} ${photo.unit}`, loading: "lazy" })),
      el("span", { class: "small", text: `${photo.kind_label}${photo.unit ? ` · ${photo.unit}` : ""} · ${cityWhen(photo.created_at, false)}` }),
      photo.note ? el("span", { class: "muted small", text: photo.note }) : null)))));
  }
  parts.push(section(T.reports, el("ol", { class: "reports" }, d.reports.map((report) => el("li", {},
    el("span", { text: `${report.channel_label} · ${cityWhen(report.reported_at)} · ${T.ticketOf} ${report.ticket}` }),
    report.description ? el("span", { class: "muted", text: report.description }) : null,
    report.contact ? el("span", { class: "contact", text: `${T.contact}: ${[report.contact.name, report.contact.phone, report.contact.email].filter(Boolean).join(" · ") || "—"}` }) : null)))));

  parts.push(section(T.timeline, el("ol", { class: "timeline", id: "timeline" }, d.timeline.slice().reverse().map((entry) => el("li", {
    "data-kind": entry.kind, "data-to": entry.to || "" },
    el("span", { class: "when", text: cityWhen(entry.at) }),
    el("span", { class: "what", text: `${entry.kind_label}${entry.to ? `: ${entry.from_label ? `${entry.from_label} → ` : ""}${entry.to_label}` : ""}` }),
    el("span", { class: "who muted", text: entry.actor }),
    entry.comment ? el("span", { class: "comment", text: entry.comment }) : null)))));
  body.replaceChildren(...parts);
}

// ---------- live ----------
let queueTimer = null;
function refreshQueueSoon() {
  clearTimeout(queueTimer);
  queueTimer = setTimeout(async () => {
    const result = await api("/konsol/api/antrian/");
    if (!result.ok) { if (result.status === 401) showError(T.sessionEnded); return; }
    state.queue = result.data.incidents;
    state.finished = result.data.finished || [];
    state.loadedAt = result.data.now;
    renderQueue();
  }, 250);
}
let detailTimer = null;
function refreshDetailSoon() {
  clearTimeout(detailTimer);
  detailTimer = setTimeout(async () => {
    if (!state.detail || state.busy) return;
    const result = await api(`/konsol/api/insiden/${state.detail.id}/`);
    if (result.ok && state.detail && result.data.id === state.detail.id) { state.detail = result.data; renderDetail(); }
  }, 300);
}
const live = { events: 0, byType: {} };
window.KOMANDO_CONSOLE = {
  state, live, select,
  drawn: () => ({ incidents: incidentMarkers.size, units: unitMarkers.size }),
  unitAt: (id) => { const marker = unitMarkers.get(id); return marker ? marker.getLatLng() : null; },
};
function applyEvent(event) {
  if (!event || typeof event.type !== "string") return;
  live.byType[event.type] = (live.byType[event.type] || 0) + 1;
  if (event.type === "incidents.changed") {
    live.events += 1;
    refreshQueueSoon();
    const incident = event.data && event.data.incident;
    if (incident && state.detail && (incident.id === state.detail.id || incident.merged_into === state.detail.ticket)) refreshDetailSoon();
  } else if (event.type === "devices.units") {
    for (const unit of (event.data.units || [])) state.units.set(unit.id, unit);
    renderUnitMarkers();
  }
}
// The shared live bus (komando/live.js): after a reconnect, read what changed while the socket was down.
function startLive() {
  Komando.live.connect({
    onEvent: applyEvent,
    resync: () => { refreshQueueSoon(); refreshDetailSoon(); },
    status: Komando.dom.connectionIndicator((kind) => T[kind]),
  });
}

renderQueue();
renderUnitMarkers();
setInterval(() => { renderQueue(); }, 30000); // the clocks ("overdue by", "left") move on
startLive();

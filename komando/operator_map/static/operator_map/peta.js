// Komando operator map: units move and gauges change live over the WebSocket; other layers are
// re-read when their source reports a successful run. No polling, no reload, no external tiles.
/* global L */

const config = window.KOMANDO || {};
const { byId, el, readJson } = Komando.dom;
const state = readJson("map-state");
const labels = readJson("map-labels");
const numberFormat = new Intl.NumberFormat(config.numberLocale || "id-ID", { maximumFractionDigits: 2 });
const timeText = Komando.dom.timeFormat(config.numberLocale || "id-ID", { hour: "2-digit", minute: "2-digit", second: "2-digit",
  timeZone: config.timeZone || Komando.dom.timeZone });
const now = Komando.dom.serverClock(state.server_time);
const SILENT_MS = 2 * 60 * 1000;
const KIND_COLOURS = {
  truck: "#22c55e", officer: "#38bdf8", patrol: "#a78bfa", camera: "#94a3b8", gauge: "#e2e8f0",
  tps: "#b08d57", pump: "#2dd4bf", sluice_gate: "#67e8f9", hospital: "#f472b6",
  complaint: "#fbbf24", emergency_call: "#f87171", earthquake: "#fb923c",
};
const UNIT_KINDS = new Set(["truck", "officer", "patrol"]);
const TONE_COLOURS = { "": "#60a5fa", ok: "#22c55e", warn: "#f59e0b", bad: "#ef4444" };
const SIAGA_TONES = { siaga_3: "warn", siaga_2: "bad", siaga_1: "bad" };

const live = {
  events: 0, byType: {}, moves: 0,
  // Markers drawn per layer that is on the map (circle markers live on a canvas, not in the DOM).
  drawn: () => Object.fromEntries([...layers].filter(([, entry]) => map.hasLayer(entry.group))
    .map(([key, entry]) => [key, entry.group.getLayers().length])),
};
window.KOMANDO_LIVE = live;

const t = Komando.dom.translator(labels);
const ago = (iso) => Komando.dom.ago(iso, { t, now });
const sources = new Map((state.sources || []).map((s) => [s.slug, s]));

// ---------- map ----------
const map = Komando.map.create("opmap", { leaflet: { preferCanvas: true }, boundaries: state.kecamatan,
  tooltipOptions: { className: "opmap-tip" }, center: state.city.center }).map;

const layers = new Map(); // key → { meta, group, markers: Map(id → marker), features: Map(id → feature) }

function featureId(feature) {
  return String(feature.id ?? feature.properties.id ?? `${feature.geometry.coordinates}`);
}

function markerStyle(props) {
  const tone = props.tone || (props.siaga ? SIAGA_TONES[props.siaga] || "" : "");
  const silent = UNIT_KINDS.has(props.kind) && props.observed_at && now() - Date.parse(props.observed_at) > SILENT_MS;
  // Units by kind; things with a state (camera, TPS, pump…) by their tone, else by kind.
  const colour = UNIT_KINDS.has(props.kind) ? KIND_COLOURS[props.kind]
    : (tone ? TONE_COLOURS[tone] : KIND_COLOURS[props.kind] || TONE_COLOURS[""]);
  return {
    radius: props.kind === "patrol" ? 8 : UNIT_KINDS.has(props.kind) ? 6 : 5,
    color: silent ? "#64748b" : "#0b1220", weight: 2, fillColor: silent ? "#64748b" : colour, fillOpacity: 0.95,
  };
}

function popupText(props) {
  const lines = [props.name || props.device_id || props.id];
  if (props.kind && labels[props.kind]) lines.push(t(props.kind));
  if (props.level_m !== null && props.level_m !== undefined) {
    lines.push(`${t("level", { n: numberFormat.format(props.level_m) })} · ${t(props.siaga || "unknown")}`);
    const a = props.attributes || {};
    if (a.siaga_3_m) lines.push(t("thresholds", { a: a.siaga_3_m, b: a.siaga_2_m, c: a.siaga_1_m }));
  } else if (props.status && labels[props.status]) lines.push(t(props.status));
  if (props.speed_kmh !== null && props.speed_kmh !== undefined) lines.push(t("speed", { n: numberFormat.format(props.speed_kmh) }));
  if (props.battery !== null && props.battery !== undefined) lines.push(t("battery", { n: props.battery }));
  if (props.observed_at) lines.push(`${timeText(props.observed_at)} ${Komando.dom.zoneLabel} · ${ago(props.observed_at)}`);
  return lines.join("\n");
}

function upsertFeature(entry, feature) {
  const id = featureId(feature);
  entry.features.set(id, feature);
  const props = feature.properties || {};
  const geometry = feature.geometry;
  if (!geometry) return;
  let marker = entry.markers.get(id);
  if (geometry.type !== "Point") {
    if (marker) entry.group.removeLayer(marker);
    marker = L.geoJSON(feature, { style: { color: TONE_COLOURS[props.tone || ""], weight: 2, fillOpacity: 0.15 } });
    marker.bindTooltip(() => popupText(props), { className: "opmap-tip" });
    entry.group.addLayer(marker);
    entry.markers.set(id, marker);
    return;
  }
  const [lon, lat] = geometry.coordinates;
  if (props.kind === "gauge") {
    // A gauge shows its level on the map itself, coloured by its siaga status.
    const icon = L.divIcon({
      className: "gauge-icon", iconSize: null,
      html: `<span class="gauge-pill" data-siaga="${props.siaga || "unknown"}">${props.level_m === null || props.level_m === undefined ? "–" : numberFormat.format(props.level_m)} m</span>`,
    });
    if (!marker) {
      marker = L.marker([lat, lon], { icon, keyboard: false });
      marker.bindTooltip(() => popupText(entry.features.get(id).properties || {}), { className: "opmap-tip" });
      entry.group.addLayer(marker);
      entry.markers.set(id, marker);
    } else {
      marker.setLatLng([lat, lon]);
      marker.setIcon(icon);
    }
    return;
  }
  if (!marker) {
    marker = L.circleMarker([lat, lon], markerStyle(props));
    marker.bindTooltip(() => popupText(entry.features.get(id).properties || {}), { className: "opmap-tip" });
    entry.group.addLayer(marker);
    entry.markers.set(id, marker);
  } else {
    const before = marker.getLatLng();
    if (before.lat !== lat || before.lng !== lon) live.moves += 1;
    marker.setLatLng([lat, lon]);
    marker.setStyle(markerStyle(props));
  }
}

function setLayerData(entry, collection) {
  const ids = new Set();
  for (const feature of collection.features || []) {
    ids.add(featureId(feature));
    upsertFeature(entry, feature);
  }
  for (const [id, marker] of entry.markers) {
    if (!ids.has(id)) { entry.group.removeLayer(marker); entry.markers.delete(id); entry.features.delete(id); }
  }
}

for (const item of state.layers) {
  const entry = { meta: item, group: L.layerGroup(), markers: new Map(), features: new Map() };
  layers.set(item.key, entry);
  setLayerData(entry, item.geojson);
  if (item.default_on) entry.group.addTo(map);
}

// ---------- side panel ----------
function renderLayerList() {
  byId("opmap-layers").replaceChildren(...[...layers.values()].map((entry) => {
    const health = sources.get(entry.meta.source);
    const box = el("input", { type: "checkbox", id: `layer-${entry.meta.key}`, "data-layer": entry.meta.key });
    box.checked = map.hasLayer(entry.group);
    box.addEventListener("change", () => (box.checked ? entry.group.addTo(map) : map.removeLayer(entry.group)));
    return el("li", {},
      box, el("label", { for: `layer-${entry.meta.key}`, text: `${entry.meta.title} (${entry.markers.size})` }),
      el("span", { class: "muted", text: health ? ` · ${health.name.split(" (")[0]} · ${ago(health.last_success_at)}` : "" }));
  }));
  const ingest = (state.ingest.clients || []).find((c) => c.connected);
  const node = byId("opmap-ingest");
  node.dataset.ok = ingest ? "true" : "false";
  node.textContent = `${ingest ? t("broker_connected") : t("broker_disconnected")}` +
    (ingest && ingest.last_message_at ? ` · ${ago(ingest.last_message_at)}` : "") +
    (state.ingest.rejected_today ? ` · ${t("rejected_today", { n: state.ingest.rejected_today })}` : "");
}

function renderGauges() {
  const entry = layers.get("gauges");
  const rows = entry ? [...entry.features.values()].map((f) => f.properties) : [];
  rows.sort((a, b) => (b.level_m ?? -1) / (b.attributes?.siaga_3_m || 1) - (a.level_m ?? -1) / (a.attributes?.siaga_3_m || 1));
  byId("opmap-gauges").tBodies[0].replaceChildren(...rows.map((p) => el("tr", { "data-tone": SIAGA_TONES[p.siaga] || null, "data-gauge": p.device_id },
    el("td", { text: p.name }),
    el("td", { class: "num", text: p.level_m === null || p.level_m === undefined ? "–" : t("level", { n: numberFormat.format(p.level_m) }) }),
    el("td", {}, el("span", { class: "siaga", "data-siaga": p.siaga || "unknown", text: t(p.siaga || "unknown") })),
    el("td", { class: "muted", text: p.observed_at ? timeText(p.observed_at) : "–" }))));
}

function renderUnits() {
  const entry = layers.get("units");
  const rows = entry ? [...entry.features.values()].map((f) => f.properties) : [];
  const reporting = rows.filter((p) => p.observed_at && now() - Date.parse(p.observed_at) <= SILENT_MS).length;
  byId("opmap-units-summary").textContent = t("units_reporting", { n: reporting, m: rows.length });
  rows.sort((a, b) => (a.kind + a.name).localeCompare(b.kind + b.name));
  byId("opmap-units").replaceChildren(...rows.map((p) => {
    const silent = !p.observed_at || now() - Date.parse(p.observed_at) > SILENT_MS;
    return el("li", { "data-kind": p.kind, "data-silent": silent ? "true" : null, title: silent ? t("silent") : "" },
      el("span", { class: "unit-dot", style: `background:${silent ? "#64748b" : KIND_COLOURS[p.kind] || "#60a5fa"}` }),
      el("span", { class: "unit-name", text: p.name }),
      el("span", { class: "muted", text: p.speed_kmh ? t("speed", { n: Math.round(p.speed_kmh) }) : "" }),
      el("span", { class: "muted unit-ago", text: ago(p.observed_at) }));
  }));
}

function renderAll() { renderLayerList(); renderGauges(); renderUnits(); }

// ---------- live ----------
function rowsToFeatures(rows) {
  return rows.filter((r) => r.lat !== null && r.lon !== null).map((r) => ({
    type: "Feature", id: r.id, geometry: { type: "Point", coordinates: [r.lon, r.lat] },
    properties: { ...r, tone: SIAGA_TONES[r.siaga] || "", status: r.siaga || (r.observed_at ? "reporting" : "silent") },
  }));
}
const refetching = new Map();
async function refetchLayer(entry) {
  if (refetching.get(entry.meta.key)) return;
  refetching.set(entry.meta.key, true);
  try {
    const response = await fetch(`/api/map/layers/${entry.meta.key}/`, { headers: { Accept: "application/json" } });
    if (response.ok) { setLayerData(entry, await response.json()); renderAll(); }
  } catch (error) {
    console.warn("layer refresh failed", entry.meta.key, error);
  } finally {
    setTimeout(() => refetching.set(entry.meta.key, false), 5000);
  }
}

function applyEvent(event) {
  if (!event || typeof event.type !== "string") return;
  live.events += 1;
  live.byType[event.type] = (live.byType[event.type] || 0) + 1;
  if (event.type === "devices.units" || event.type === "devices.gauges") {
    const entry = layers.get(event.type === "devices.units" ? "units" : "gauges");
    const rows = event.data.units || event.data.gauges || [];
    if (entry) for (const feature of rowsToFeatures(rows)) upsertFeature(entry, feature);
    const ingest = (state.ingest.clients || [])[0];
    if (ingest) { ingest.connected = true; ingest.last_message_at = new Date(now()).toISOString(); }
    renderAll();
  } else if (event.type === "source.health" && event.data && event.data.slug) {
    const before = sources.get(event.data.slug);
    sources.set(event.data.slug, event.data);
    if (event.data.last_success_at && (!before || before.last_success_at !== event.data.last_success_at)) {
      for (const entry of layers.values()) {
        if (entry.meta.source === event.data.slug && !entry.meta.live_event) refetchLayer(entry);
      }
    }
    renderLayerList();
  }
}

// After a reconnect, every layer and the sources' health are read again: units may have moved and
// sources run while the socket was down.
async function resync() {
  const response = await fetch("/api/sources/", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`sources: HTTP ${response.status}`);
  for (const health of await response.json()) sources.set(health.slug, health);
  await Promise.all([...layers.values()].map(async (entry) => {
    const layer = await fetch(`/api/map/layers/${entry.meta.key}/`, { headers: { Accept: "application/json" } });
    if (!layer.ok) throw new Error(`layer ${entry.meta.key}: HTTP ${layer.status}`);
    setLayerData(entry, await layer.json());
  }));
  renderAll();
}

renderAll();
setInterval(() => { renderUnits(); renderLayerList(); }, 5000); // "n s ago" and silent units age
Komando.live.connect({ onEvent: applyEvent, resync, status: Komando.dom.connectionIndicator(t) });

// Komando PIS: renders the embedded initial state, then keeps it live over one WebSocket.
// No polling and no reload: every live event replaces one panel's data and re-renders that panel.
/* global L, Chart */

const config = window.KOMANDO || {};
const state = JSON.parse(document.getElementById("pis-state").textContent);
const labels = JSON.parse(document.getElementById("pis-labels").textContent);
const numberFormat = new Intl.NumberFormat(config.numberLocale || "id-ID");
const decimalFormat = new Intl.NumberFormat(config.numberLocale || "id-ID", { maximumFractionDigits: 1 });
const timeZone = config.timeZone || "Asia/Jakarta";
// Staleness and the clock follow the server's time, not the screen computer's.
const clockOffset = state.server_time ? Date.parse(state.server_time) - Date.now() : 0;
const now = () => Date.now() + clockOffset;

// Visible to tests and operators: how many events arrived, and proof the page never reloaded.
const live = { pageId: Math.random().toString(36).slice(2), events: 0, byType: {}, lastEventAt: null };
window.KOMANDO_LIVE = live;

const PANEL_SOURCE = { map: "siak", population: "siak", health: "epuskesmas", traffic: "atcs", development: "emonev" };
const CONGESTION = ["lancar", "ramai", "padat", "macet"];
const CONGESTION_COLOURS = { lancar: "#22c55e", ramai: "#eab308", padat: "#f97316", macet: "#ef4444", offline: "#64748b" };
const CHOROPLETH = ["#1b3358", "#1f4f86", "#2a6db3", "#4393db", "#8cc8f2"];

// ---------- small helpers ----------
function t(key, values = {}) {
  const text = labels[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (values[name] ?? ""));
}
const fmt = (n) => (n === null || n === undefined || Number.isNaN(n) ? "–" : numberFormat.format(n));
// Counts of people reach the public with 1–4 as "<5" (small-cell suppression): shown as they
// are, plotted and compared as 0, never taken for a number.
const isSuppressed = (value) => typeof value === "string";
const num = (value) => (typeof value === "number" && Number.isFinite(value) ? value : 0);
const fmtCount = (value) => (isSuppressed(value) ? value : fmt(value));
const hasCount = (value) => isSuppressed(value) || num(value) > 0;
const byId = (id) => document.getElementById(id);
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "style") node.setAttribute("style", value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}
function formatDate(isoDate) {
  if (!isoDate) return "";
  const date = new Date(isoDate.length === 10 ? `${isoDate}T00:00:00Z` : isoDate);
  const options = { day: "numeric", month: "long", year: "numeric", timeZone: isoDate.length === 10 ? "UTC" : timeZone };
  return new Intl.DateTimeFormat(config.numberLocale, options).format(date);
}
function formatShortDate(isoDate) {
  if (!isoDate) return "";
  return new Intl.DateTimeFormat(config.numberLocale, { day: "numeric", month: "short", timeZone: "UTC" })
    .format(new Date(`${isoDate.slice(0, 10)}T00:00:00Z`));
}
function formatMonth(yearMonth) {
  if (!yearMonth) return "";
  const date = new Date(`${yearMonth}-01T00:00:00Z`);
  return new Intl.DateTimeFormat(config.numberLocale, { month: "long", year: "numeric", timeZone: "UTC" }).format(date);
}
function ago(iso) {
  if (!iso) return t("never_updated");
  const seconds = Math.max(0, Math.round((now() - Date.parse(iso)) / 1000));
  if (seconds < 90) return t("updated_seconds", { n: seconds });
  if (seconds < 90 * 60) return t("updated_minutes", { n: Math.round(seconds / 60) });
  if (seconds < 36 * 3600) return t("updated_hours", { n: Math.round(seconds / 3600) });
  return t("updated_days", { n: Math.round(seconds / 86400) });
}

// ---------- source health ----------
// "SIAK (Administrasi Kependudukan)" → "SIAK"; "Evaluasi dan Pelaporan (e-Monev)" → "e-Monev".
function shortName(name) {
  const match = /^(.*?)\s*\((.+)\)\s*$/.exec(name || "");
  if (!match) return name;
  return match[1].length <= match[2].length ? match[1] : match[2];
}

const sources = new Map((state.sources || []).map((s) => [s.slug, s]));

function effectiveStatus(health) {
  if (!health) return "waiting";
  if (!health.connected) return "not_connected";
  if (health.status === "failing" || health.status === "paused") return health.status;
  if (!health.last_success_at) return "waiting";
  // A source that stops answering goes stale here even when no event arrives.
  const age = (now() - Date.parse(health.last_success_at)) / 1000;
  if (health.stale_after_seconds && age > health.stale_after_seconds) return "stale";
  return "ok";
}

function renderPanelMeta() {
  document.querySelectorAll(".panel[data-source]").forEach((panel) => {
    const health = sources.get(panel.dataset.source);
    const status = effectiveStatus(health);
    panel.dataset.status = status;
    panel.dataset.lastSuccess = (health && health.last_success_at) || "";
    const name = panel.querySelector("[data-source-name]");
    if (name && health) {
      name.textContent = shortName(health.name);
      name.title = health.name;
      const agency = panel.querySelector("[data-source-agency]");
      if (agency) agency.textContent = ` · ${health.agency}`;
    }
    const freshness = panel.querySelector("[data-freshness]");
    if (freshness) freshness.textContent = health ? ago(health.last_success_at) : "";
    const badge = panel.querySelector("[data-status-badge]");
    if (badge) {
      badge.dataset.status = status;
      badge.textContent = t(`status_${status}`);
      badge.title = health && health.last_error ? t("error_last", { error: health.last_error }) : "";
    }
    let alert = panel.querySelector(".panel-alert");
    if (status === "failing" || status === "stale") {
      if (!alert) {
        alert = el("p", { class: "panel-alert", role: "status" });
        panel.querySelector(".panel-head").after(alert);
        if (panel.id === "panel-health") fitHealth();
      }
      alert.textContent = status === "failing" ? t("source_failing_detail") : t("source_stale_detail");
      alert.title = alert.textContent;
    } else if (alert) {
      alert.remove();
      if (panel.id === "panel-health") fitHealth();
    }
  });
}

function renderSourceStrip() {
  const list = byId("source-list");
  if (!list) return;
  const ordered = [...sources.values()].sort(
    (a, b) => Number(b.connected) - Number(a.connected) || a.name.localeCompare(b.name),
  );
  list.replaceChildren(
    ...ordered.map((health) => {
      const status = effectiveStatus(health);
      const tooltip = [`${health.name} (${health.agency})`, health.connected ? ago(health.last_success_at) : null,
        health.last_error ? t("error_last", { error: health.last_error }) : null].filter(Boolean).join("\n");
      return el(
        "li",
        { class: "source-chip", "data-status": status, "data-slug": health.slug, title: tooltip },
        el("span", { class: "source-name", text: shortName(health.name) }),
        el("span", { class: "source-status", text: t(`status_${status}`) }),
      );
    }),
  );
}

function setPanelFilled(panelId, filled) {
  const panel = byId(panelId);
  if (!panel) return;
  const waiting = panel.querySelector("[data-waiting]");
  const content = panel.querySelector("[data-content]");
  if (waiting) waiting.hidden = filled;
  if (content) content.hidden = !filled;
}

// ---------- charts ----------
Chart.defaults.color = "#c8d4e6";
Chart.defaults.borderColor = "rgba(36, 50, 79, .8)";
Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
Chart.defaults.font.size = 12;
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.plugins.legend.display = false;
const charts = {};

function upsertChart(id, build) {
  const spec = build();
  if (charts[id]) {
    charts[id].data = spec.data;
    charts[id].update("none");
  } else {
    charts[id] = new Chart(byId(id), spec);
  }
}

// ---------- population ----------
function populationFilled(data) {
  return Boolean(data && data.by_kecamatan && data.by_kecamatan.length && hasCount(data.total));
}

function renderPopulation() {
  const data = state.population;
  const filled = populationFilled(data);
  setPanelFilled("panel-population", filled);
  if (!filled) return;
  byId("population-total").textContent = fmtCount(data.total);
  byId("population-male").textContent = fmtCount(data.male);
  byId("population-female").textContent = fmtCount(data.female);
  byId("population-as-of").textContent = data.as_of ? `· ${formatDate(data.as_of)}` : "";
  const kecamatan = [...data.by_kecamatan].sort((a, b) => num(b.total) - num(a.total));
  upsertChart("chart-kecamatan", () => ({
    type: "bar",
    data: {
      labels: kecamatan.map((k) => k.name),
      datasets: [{ label: t("population"), data: kecamatan.map((k) => num(k.total)), shown: kecamatan.map((k) => k.total),
        backgroundColor: "#4393db", borderRadius: 2 }],
    },
    options: {
      indexAxis: "y",
      scales: {
        x: { ticks: { callback: (v) => compact(v), maxTicksLimit: 5 }, grid: { color: "rgba(36,50,79,.6)" } },
        y: { ticks: { autoSkip: false, font: { size: 12 } }, grid: { display: false } },
      },
      plugins: { tooltip: { callbacks: { label: (c) => `${fmtCount(c.dataset.shown[c.dataIndex])} ${t("residents")}` } } },
    },
  }));
  const ages = [...(data.by_age_sex || [])].reverse(); // oldest on top, youngest at the base
  upsertChart("chart-pyramid", () => ({
    type: "bar",
    data: {
      labels: ages.map((a) => a.age_group),
      datasets: [
        { label: t("male"), data: ages.map((a) => -num(a.male)), shown: ages.map((a) => a.male), backgroundColor: "#60a5fa",
          barPercentage: 1, categoryPercentage: 0.92 },
        { label: t("female"), data: ages.map((a) => num(a.female)), shown: ages.map((a) => a.female), backgroundColor: "#f472b6",
          barPercentage: 1, categoryPercentage: 0.92 },
      ],
    },
    options: {
      indexAxis: "y",
      scales: {
        x: { stacked: true, ticks: { callback: (v) => compact(Math.abs(v)), maxTicksLimit: 5 }, grid: { color: "rgba(36,50,79,.6)" } },
        y: { stacked: true, ticks: { autoSkip: false, font: { size: 11 } }, grid: { display: false } },
      },
      plugins: {
        legend: { display: true, position: "bottom", labels: { boxWidth: 12, padding: 8 } },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${fmtCount(c.dataset.shown[c.dataIndex])}` } },
      },
    },
  }));
}

function compact(value) {
  return new Intl.NumberFormat(config.numberLocale, { notation: "compact", maximumFractionDigits: 1 }).format(value);
}

// ---------- map ----------
const map = {
  // The map's own element: background clicks return to the whole city.
  leaflet: null, kecamatanLayer: null, kelurahanLayer: null, markers: null,
  kecamatanGeo: null, kelurahanGeo: null, selected: null, breaks: [],
};

function populationByCode(rows) {
  const result = new Map();
  for (const row of rows || []) {
    result.set(row.code, row);
    result.set(String(row.code).replaceAll(".", ""), row);
  }
  return result;
}

function classBreaks(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return [];
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const step = (max - min) / CHOROPLETH.length || 1;
  return CHOROPLETH.map((_, i) => min + step * i);
}
function colourFor(value, breaks) {
  if (!Number.isFinite(value) || !breaks.length) return "#2a3650";
  let index = 0;
  breaks.forEach((b, i) => { if (value >= b) index = i; });
  return CHOROPLETH[index];
}

async function initMap() {
  const container = byId("map");
  if (!container) return;
  map.leaflet = L.map(container, { zoomControl: true, attributionControl: false, zoomSnap: 0.25, preferCanvas: false });
  map.markers = L.layerGroup().addTo(map.leaflet);
  map.leaflet.on("zoomend", () => { container.dataset.zoom = String(map.leaflet.getZoom()); });
  try {
    const response = await fetch(`${config.regionsUrl}?level=kecamatan`, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`regions: HTTP ${response.status}`);
    map.kecamatanGeo = await response.json();
  } catch (error) {
    console.warn("map regions unavailable", error);
    return;
  }
  map.kecamatanLayer = L.geoJSON(map.kecamatanGeo, {
    style: () => ({ color: "#0b1424", weight: 1.5, fillOpacity: 0.9, fillColor: "#2a3650" }),
    onEachFeature: (feature, layer) => {
      layer.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "region-label" });
      layer.on("click", () => selectKecamatan(feature.properties.code));
    },
  }).addTo(map.leaflet);
  map.leaflet.fitBounds(map.kecamatanLayer.getBounds(), { padding: [8, 8], animate: false });
  map.leaflet.on("click", (event) => { if (event.originalEvent.target === container) resetMap(); });
  const schematic = map.kecamatanGeo.features.some((f) => f.properties.geometry_source === "schematic");
  byId("map-schematic").hidden = !schematic;
  new ResizeObserver(() => {
    map.leaflet.invalidateSize();
    if (map.selected && map.kelurahanLayer) {
      map.leaflet.fitBounds(map.kelurahanLayer.getBounds(), { paddingTopLeft: [20, 20], paddingBottomRight: [260, 20], animate: false });
    } else {
      map.leaflet.fitBounds(map.kecamatanLayer.getBounds(), { padding: [8, 8], animate: false });
    }
  }).observe(container);
  renderMap();
}

function renderMap() {
  const data = state.population;
  const filled = Boolean(map.kecamatanLayer) && populationFilled(data);
  const panel = byId("panel-map");
  panel.querySelector("[data-waiting]").hidden = filled;
  if (!map.kecamatanLayer) return;
  const rows = populationByCode(data && data.by_kecamatan);
  map.breaks = classBreaks((data && data.by_kecamatan ? data.by_kecamatan : []).map((k) => num(k.total)));
  map.kecamatanLayer.eachLayer((layer) => {
    const code = layer.feature.properties.code;
    const row = rows.get(code);
    const dimmed = map.selected && map.selected !== code;
    layer.setStyle({
      fillColor: colourFor(row ? num(row.total) : NaN, map.breaks),
      fillOpacity: dimmed ? 0.25 : map.selected === code ? 0.15 : 0.9,
      weight: map.selected === code ? 3 : 1.5,
      color: map.selected === code ? "#5cc8ff" : "#0b1424",
    });
    // With one kecamatan open, its kelurahan speak for themselves: hide the city's labels.
    if (map.selected) layer.closeTooltip();
    else if (!layer.isTooltipOpen()) layer.openTooltip();
  });
  renderLegend();
  renderMarkers();
  if (map.selected) renderKecamatanDetail(map.selected);
}

function renderLegend() {
  const legend = byId("map-legend");
  if (!map.breaks.length) { legend.hidden = true; return; }
  legend.hidden = false;
  const totals = (state.population.by_kecamatan || []).map((k) => num(k.total));
  const swatches = map.breaks.map((lower, i) => el("span", {
    class: "legend-swatch", style: `background:${CHOROPLETH[i]}`,
    title: `≥ ${fmt(Math.round(lower))}`,
  }));
  legend.replaceChildren(
    el("span", { class: "legend-title", text: t("population") }),
    compact(Math.min(...totals)), el("span", { class: "legend-scale" }, swatches), compact(Math.max(...totals)),
  );
}

function renderMarkers() {
  if (!map.markers) return;
  map.markers.clearLayers();
  for (const facility of (state.health && state.health.by_facility) || []) {
    if (facility.lat == null || facility.lon == null) continue;
    L.circleMarker([facility.lat, facility.lon], { radius: 4, color: "#ffffff", weight: 1, fillColor: "#f472b6", fillOpacity: 0.9 })
      .bindTooltip(`${t("puskesmas")} ${facility.name}: ${fmtCount(facility.visits)} ${t("visits").toLowerCase()}`)
      .addTo(map.markers);
  }
  for (const camera of (state.traffic && state.traffic.cameras) || []) {
    if (camera.lat == null || camera.lon == null) continue;
    const level = camera.online ? camera.congestion || "offline" : "offline";
    L.circleMarker([camera.lat, camera.lon], { radius: 5, color: "#0b1424", weight: 2, fillColor: CONGESTION_COLOURS[level] || "#64748b", fillOpacity: 1 })
      .bindTooltip(`${t("camera")} ${camera.name}: ${camera.online ? t(level) : t("camera_offline")}`)
      .addTo(map.markers);
  }
}

async function loadKelurahan() {
  if (map.kelurahanGeo) return map.kelurahanGeo;
  const response = await fetch(`${config.regionsUrl}?level=kelurahan`, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`regions: HTTP ${response.status}`);
  map.kelurahanGeo = await response.json();
  return map.kelurahanGeo;
}

async function selectKecamatan(code) {
  map.selected = code;
  let geo;
  try {
    geo = await loadKelurahan();
  } catch (error) {
    console.warn("kelurahan shapes unavailable", error);
    return;
  }
  if (map.kelurahanLayer) map.kelurahanLayer.remove();
  const rows = populationByCode(state.population && state.population.by_kelurahan);
  const features = geo.features.filter((f) => f.properties.parent_code === code);
  const breaks = classBreaks(features.map((f) => num((rows.get(f.properties.code) || {}).total)));
  map.kelurahanLayer = L.geoJSON({ type: "FeatureCollection", features }, {
    style: (feature) => ({
      color: "#0b1424", weight: 1, fillOpacity: 0.9,
      fillColor: colourFor(num((rows.get(feature.properties.code) || {}).total), breaks),
    }),
    onEachFeature: (feature, layer) => {
      const row = rows.get(feature.properties.code);
      layer.bindTooltip(`${feature.properties.name}: ${row ? fmtCount(row.total) : "–"}`);
    },
  }).addTo(map.leaflet);
  map.markers.bringToFront?.();
  // Keep the kelurahan clear of the detail box on the right.
  map.leaflet.fitBounds(map.kelurahanLayer.getBounds(), { paddingTopLeft: [20, 20], paddingBottomRight: [260, 20], animate: false });
  renderMap();
}

function resetMap() {
  if (!map.selected) return;
  map.selected = null;
  if (map.kelurahanLayer) { map.kelurahanLayer.remove(); map.kelurahanLayer = null; }
  map.leaflet.fitBounds(map.kecamatanLayer.getBounds(), { padding: [8, 8], animate: false });
  byId("map-detail").replaceChildren();
  byId("map-detail").hidden = true;
  renderMap();
}

function renderKecamatanDetail(code) {
  const data = state.population || {};
  const kecamatan = populationByCode(data.by_kecamatan).get(code);
  const feature = map.kecamatanGeo.features.find((f) => f.properties.code === code);
  const name = (kecamatan && kecamatan.name) || (feature && feature.properties.name) || code;
  const kelurahan = (data.by_kelurahan || []).filter((k) => k.kecamatan_code === code).sort((a, b) => num(b.total) - num(a.total));
  const back = el("button", { class: "link-button back", type: "button", text: t("back_to_city") });
  back.addEventListener("click", resetMap);
  byId("map-detail").hidden = false;
  byId("map-detail").replaceChildren(
    el("h3", { text: name }),
    kecamatan
      ? el("p", { class: "muted", text: `${fmtCount(kecamatan.total)} ${t("residents")} · ${t("male")} ${fmtCount(kecamatan.male)} · ${t("female")} ${fmtCount(kecamatan.female)}${kecamatan.density_per_km2 ? ` · ${t("density", { n: fmt(Math.round(kecamatan.density_per_km2)) })}` : ""}` })
      : null,
    el("table", { "aria-label": t("kelurahan_of", { name }) },
      el("tbody", {}, kelurahan.map((k) => el("tr", {}, el("td", { text: k.name }), el("td", { class: "num", text: fmtCount(k.total) }))))),
    back,
  );
}

// ---------- e-Puskesmas ----------
function renderHealth() {
  const data = state.health;
  const hasData = Boolean(data && data.date);
  const health = sources.get("epuskesmas");
  const received = hasData && (hasCount(data.visits_total) || (health && health.last_success_at));
  setPanelFilled("panel-health", Boolean(received));
  if (!received) return;
  byId("health-visits").textContent = fmtCount(data.visits_total);
  byId("health-date").textContent = `· ${formatShortDate(data.date)}`;
  byId("health-facilities").textContent = data.facilities_total
    ? `${fmt(data.facilities_reporting)} / ${fmt(data.facilities_total)}`
    : fmt(data.facilities_reporting);
  byId("health-empty").hidden = hasCount(data.visits_total);
  const poli = (data.by_poli || []).slice(0, 6);
  const maxPoli = Math.max(1, ...poli.map((p) => num(p.count)));
  byId("health-poli").replaceChildren(
    ...(poli.length ? poli.map((p) => el("li", {},
      el("span", { class: "name", text: p.poli, title: p.poli }),
      el("span", { class: "bar", style: `width:${(100 * num(p.count)) / maxPoli}%` }),
      el("span", { class: "num", text: fmtCount(p.count) }))) : []),
  );
  byId("health-diagnoses").replaceChildren(
    ...(data.top_diagnoses || []).slice(0, 10).map((d) => el("li", { title: `${d.code} ${d.name}` },
      el("span", { class: "code", text: d.code }),
      // The WHO (English) display is the coding's; Indonesian screens show the Indonesian name.
      el("span", { class: "name", text: (document.documentElement.lang.startsWith("id") && d.name_id) || d.name }),
      el("span", { class: "num", text: fmtCount(d.count) }))),
  );
  fitHealth();
  const drugs = byId("health-drugs");
  drugs.classList.add("no-code");
  drugs.replaceChildren(
    ...(data.top_drugs || []).slice(0, 10).map((d) => el("li", { title: `${d.code} ${d.name}` },
      el("span", { class: "name", text: d.name }),
      el("span", { class: "num", text: fmtCount(d.count) }))),
  );
}

// The ten diagnoses and drugs always show whole: when the panel is short of room (a "source not
// answering" line above it, a small screen), the poli list gives up its last rows instead.
const POLI_MIN_ROWS = 3;
function fitHealth() {
  const content = document.querySelector("#panel-health [data-content]");
  if (!content || content.hidden) return;
  const poli = [...byId("health-poli").children];
  poli.forEach((row) => { row.hidden = false; });
  const overflowing = () => content.scrollHeight > content.clientHeight + 1;
  for (let index = poli.length - 1; index >= POLI_MIN_ROWS && overflowing(); index--) poli[index].hidden = true;
}

// ---------- ATCS ----------
const cameraNodes = new Map();

function renderTraffic() {
  const data = state.traffic;
  const cameras = (data && data.cameras) || [];
  setPanelFilled("panel-traffic", cameras.length > 0);
  if (!cameras.length) return;
  const summary = data.summary || {};
  byId("traffic-summary").replaceChildren(
    ...[...CONGESTION, "offline"].map((level) => el("li", {},
      el("span", { class: `congestion-badge-inline`, style: `color:${CONGESTION_COLOURS[level]}`, text: "● " }),
      level === "offline" ? t("camera_offline") : t(level),
      el("b", { text: fmt(summary[level] || 0) }))),
  );
  const grid = byId("camera-grid");
  const seen = new Set();
  cameras.forEach((camera, index) => {
    const key = String(camera.id);
    seen.add(key);
    let node = cameraNodes.get(key);
    if (!node) {
      node = buildCameraNode();
      cameraNodes.set(key, node);
    }
    if (grid.children[index] !== node.root) grid.insertBefore(node.root, grid.children[index] || null);
    updateCameraNode(node, camera, data.observed_at);
  });
  for (const [key, node] of cameraNodes) {
    if (!seen.has(key)) { node.root.remove(); cameraNodes.delete(key); }
  }
  layoutCameraGrid();
}

function buildCameraNode() {
  const img = el("img", { alt: "", loading: "eager", decoding: "async" });
  const badge = el("span", { class: "congestion-badge" });
  const offline = el("span", { class: "offline-label", text: t("camera_offline") });
  const name = el("span", { class: "camera-name" });
  const stats = el("span", { class: "camera-stats" });
  const root = el("figure", { class: "camera" }, img, offline, badge, el("figcaption", { class: "camera-caption" }, name, stats));
  root.style.margin = "0";
  return { root, img, badge, offline, name, stats, wanted: null, loading: false, timer: null, startedAt: 0 };
}

function updateCameraNode(node, camera, panelObservedAt) {
  const level = camera.online ? camera.congestion || "lancar" : "offline";
  node.root.dataset.congestion = level;
  node.root.dataset.cameraId = camera.id;
  node.root.classList.toggle("offline", !camera.online);
  node.offline.hidden = camera.online;
  node.badge.className = `congestion-badge c-${level}`;
  node.badge.hidden = !camera.online;
  node.badge.textContent = camera.online ? t(level) : t("camera_offline");
  node.name.textContent = camera.name;
  node.name.title = camera.name;
  node.img.alt = camera.name;
  const parts = [];
  if (camera.online && camera.vehicles != null) parts.push(t("vehicles_per_interval", { n: fmt(camera.vehicles), m: fmt(camera.interval_minutes) }));
  if (camera.online && camera.average_speed_kmh != null) parts.push(t("speed", { n: fmt(Math.round(camera.average_speed_kmh)) }));
  node.stats.textContent = parts.join(" · ") || "\u00a0";
  // Offline cameras keep their last picture greyed out, and load nothing new.
  if (!camera.online || !camera.snapshot_url) return;
  // A new picture after every successful ATCS run (announced by its source.health event), and
  // whenever a panel.traffic event brings a new observation.
  const atcs = sources.get("atcs");
  const stamp = (atcs && atcs.last_success_at) || camera.observed_at || panelObservedAt || "";
  const src = `${camera.snapshot_url}${camera.snapshot_url.includes("?") ? "&" : "?"}t=${encodeURIComponent(stamp)}`;
  if (src === node.wanted) return;
  node.wanted = src;
  loadPicture(node);
}

// At most one picture request per camera at a time and one every few seconds: a slow camera
// source is never flooded, however fast the events arrive; the newest wanted picture wins.
const PICTURE_MIN_SECONDS = 5;
function loadPicture(node) {
  if (node.loading || node.timer) return;
  const wait = PICTURE_MIN_SECONDS * 1000 - (Date.now() - (node.startedAt || 0));
  if (wait > 0) {
    node.timer = setTimeout(() => { node.timer = null; loadPicture(node); }, wait);
    return;
  }
  const src = node.wanted;
  node.loading = true;
  node.startedAt = Date.now();
  // Load off-screen first so the wall never flashes blank between pictures.
  const next = new Image();
  const done = () => {
    node.loading = false;
    if (next.naturalWidth > 0) node.img.src = src;
    if (node.wanted !== src) loadPicture(node);
  };
  next.onload = done;
  next.onerror = done;
  next.src = src;
}

function layoutCameraGrid() {
  const grid = byId("camera-grid");
  const count = grid.children.length;
  if (!count) return;
  const width = grid.clientWidth;
  const height = grid.clientHeight;
  const gap = 8;
  const caption = 0; // the caption lies over the picture
  let best = 1;
  let bestWidth = 0;
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const byWidth = (width - gap * (columns - 1)) / columns;
    const byHeight = (((height - gap * (rows - 1)) / rows) - caption - 4) * (16 / 9);
    const tile = Math.min(byWidth, byHeight);
    if (tile > bestWidth) { bestWidth = tile; best = columns; }
  }
  grid.style.gridTemplateColumns = `repeat(${best}, minmax(0, ${Math.floor(bestWidth)}px))`;
}

// ---------- development ----------
function scopedDevelopment(data) {
  if (!data || !Array.isArray(state.development_scope)) return data;
  const allowed = new Set(state.development_scope);
  const rows = (data.by_agency || []).filter((row) => allowed.has(row.agency_code));
  return { ...data, by_agency: rows, budget_total: rows.reduce((sum, row) => sum + (row.budget || 0), 0) };
}

function renderDevelopment() {
  const panel = byId("panel-development");
  if (!panel) return;
  const data = state.development;
  const rows = (data && data.by_agency) || [];
  setPanelFilled("panel-development", rows.length > 0);
  if (!rows.length) return;
  const budget = new Intl.NumberFormat(config.numberLocale, { style: "currency", currency: "IDR", notation: "compact", maximumFractionDigits: 1 });
  byId("development-period").textContent = [
    data.fiscal_year ? t("fiscal_year", { year: data.fiscal_year }) : null,
    data.as_of_month ? t("up_to_month", { month: formatMonth(data.as_of_month) }) : null,
    data.budget_total ? t("budget", { amount: budget.format(data.budget_total) }) : null,
  ].filter(Boolean).join(" · ");
  const counts = { on_track: 0, waspada: 0, terlambat: 0, kritis: 0 };
  rows.forEach((row) => { counts[row.status] = (counts[row.status] || 0) + 1; });
  byId("development-counts").replaceChildren(
    ...Object.entries(counts).map(([status, n]) => el("li", { class: `dev-status s-${status}`, text: `${t(status)} ${fmt(n)}` })),
  );
  const sorted = [...rows].sort((a, b) => (a.deviation_physical ?? 0) - (b.deviation_physical ?? 0));
  const bar = (kind, value) => el("div", { class: `progress-bar ${kind}`, title: `${t(kind)} ${decimalFormat.format(value ?? 0)}%` },
    el("span", { style: `width:${Math.max(0, Math.min(100, value ?? 0))}%` }));
  byId("development-rows").replaceChildren(
    ...sorted.map((row) => {
      const deviation = row.deviation_physical ?? 0;
      const sign = deviation > 0 ? "+" : deviation < 0 ? "−" : "";
      return el("tr", { class: row.status === "kritis" || row.kritis_projects > 0 ? "kritis" : "", "data-agency": row.agency_code },
        el("td", { class: "agency", title: `${row.agency} · ${t("projects", { n: fmt(row.projects) })}${row.kritis_projects ? ` · ${t("kritis_projects", { n: fmt(row.kritis_projects) })}` : ""}` },
          row.agency, row.kritis_projects ? el("span", { class: "deviation-negative", text: ` ⚠${fmt(row.kritis_projects)}` }) : null),
        el("td", {}, el("div", { class: "progress-bars" },
          bar("plan", row.planned_physical), bar("physical", row.realised_physical), bar("financial", row.realised_financial))),
        el("td", { class: `num ${deviation < 0 ? "deviation-negative" : ""}`, text: `${sign}${decimalFormat.format(Math.abs(deviation))}` }),
        el("td", {}, el("span", { class: `dev-status s-${row.status}`, text: t(row.status) })));
    }),
  );
}

// ---------- service tiles ----------
// One compact tile per source application (komando.dashboard.tiles): title, headline figure and up
// to three more, a short ranked list, one note, and the source's name and freshness. A tile.<key>
// event carries the same data as the initial load and replaces that one tile.
const TONES = new Set(["ok", "warn", "bad"]);
const tiles = new Map((state.tiles || []).map((tile) => [tile.key, tile]));
const tileNodes = new Map();

function figureText(value) {
  if (value === null || value === undefined || value === "") return "–";
  if (typeof value === "number") return Number.isInteger(value) ? fmt(value) : decimalFormat.format(value);
  return String(value);
}

function figureNode(figure, className) {
  const tone = TONES.has(figure.tone) ? figure.tone : "";
  return el("div", { class: className, "data-tone": tone || null },
    el("span", { class: "tile-value" }, figureText(figure.value),
      figure.unit ? el("span", { class: "tile-unit", text: ` ${figure.unit}` }) : null),
    el("span", { class: "tile-label", text: figure.label, title: figure.label }));
}

function tileTone(tile) {
  const tones = [...(tile.figures || []), ...(tile.rows || [])].map((f) => f.tone);
  if (tones.includes("bad")) return "bad";
  if (tones.includes("warn")) return "warn";
  return "";
}

// Staff tiles carry a small lock: internal figures, for officials' eyes.
function staffIcon() {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "tile-staff");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("staff_only"));
  svg.innerHTML = '<title></title><rect x="4" y="10" width="16" height="11" rx="2" fill="none" stroke="currentColor" stroke-width="2.2"/>'
    + '<path d="M8 10V7a4 4 0 0 1 8 0v3" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/>';
  svg.querySelector("title").textContent = t("staff_only");
  return svg;
}

function buildTile(tile) {
  const figures = (tile.figures || []).slice(0, 4);
  const rows = (tile.rows || []).slice(0, 6);
  const head = el("header", { class: "tile-head" },
    el("h2", { class: "tile-title", text: tile.title, title: tile.title }),
    tile.audience === "staff" ? staffIcon() : null);
  const body = el("div", { class: "tile-body" },
    figures.length ? figureNode(figures[0], "tile-headline") : null,
    figures.length > 1 ? el("div", { class: "tile-figures" }, figures.slice(1).map((f) => figureNode(f, "tile-figure"))) : null,
    tile.note ? el("p", { class: "tile-note", text: tile.note, title: tile.note }) : null,
    rows.length ? el("div", { class: "tile-list" },
      tile.rows_title ? el("h3", { class: "tile-rows-title", text: tile.rows_title }) : null,
      el("ol", { class: "tile-rows" }, rows.map((row) => el("li", { "data-tone": TONES.has(row.tone) ? row.tone : null },
        el("span", { class: "name", text: row.label, title: row.label }),
        el("span", { class: "num" }, figureText(row.value), row.unit ? ` ${row.unit}` : ""))))) : null);
  const meta = el("footer", { class: "tile-meta" },
    el("span", { class: "tile-source", "data-source-name": "" }),
    el("span", { class: "freshness", "data-freshness": "" }),
    el("span", { class: "status-badge", "data-status-badge": "", "data-status": "waiting" }));
  return el("article", {
    class: "tile", id: `tile-${tile.key}`, "data-tile": tile.key, "data-source": tile.source,
    "data-audience": tile.audience, "data-tone": tileTone(tile) || null,
    "data-as-of": tile.data_as_of || "", "aria-labelledby": null,
  }, head, body, meta);
}

// Draws the tiles in ``tiles`` order; only a tile whose data changed gets a new node.
const tileData = new WeakMap();
function renderTiles() {
  const grid = byId("tile-grid");
  if (!grid) return;
  const anchor = byId("panel-development-locked"); // the login card stays last
  const seen = new Set();
  const order = state.tile_order || [];
  const rank = (key) => (order.includes(key) ? order.indexOf(key) : order.length);
  for (const [key, tile] of [...tiles].sort(([a], [b]) => rank(a) - rank(b))) {
    seen.add(key);
    let node = tileNodes.get(key);
    const json = JSON.stringify(tile);
    if (!node || tileData.get(node) !== json) {
      const fresh = buildTile(tile);
      tileData.set(fresh, json);
      if (node) node.replaceWith(fresh);
      node = fresh;
      tileNodes.set(key, node);
    }
    grid.insertBefore(node, anchor || null); // keeps the order (a no-op when already in place)
  }
  for (const [key, node] of tileNodes) {
    if (!seen.has(key)) { node.remove(); tileNodes.delete(key); }
  }
  byId("tiles-empty").hidden = tiles.size > 0 || Boolean(anchor);
  renderTileMeta();
  layoutTiles();
}

function renderTileMeta() {
  for (const node of tileNodes.values()) {
    const health = sources.get(node.dataset.source);
    const status = effectiveStatus(health);
    node.dataset.status = status;
    const name = node.querySelector("[data-source-name]");
    if (health && name.textContent !== shortName(health.name)) {
      name.textContent = shortName(health.name);
      name.title = `${health.name} · ${health.agency}`;
    }
    node.querySelector("[data-freshness]").textContent = health ? ago(health.last_success_at) : "";
    const badge = node.querySelector("[data-status-badge]");
    badge.dataset.status = status;
    badge.textContent = t(`status_${status}`);
    badge.title = [status === "failing" ? t("source_failing_detail") : status === "stale" ? t("source_stale_detail") : "",
      health && health.last_error ? t("error_last", { error: health.last_error }) : ""].filter(Boolean).join("\n");
  }
}

// Tiles share their area in equal cells, as square-ish as the area allows (wider than tall).
const TILE_ASPECT = 1.3;
function layoutTiles() {
  const grid = byId("tile-grid");
  if (!grid) return;
  const items = [...grid.children].filter((child) => !child.hidden);
  const count = items.length;
  if (!count) return;
  const width = grid.clientWidth;
  const height = grid.clientHeight;
  const gap = 10;
  let best = { columns: 1, rows: count, score: -1 };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const cellWidth = (width - gap * (columns - 1)) / columns;
    const cellHeight = (height - gap * (rows - 1)) / rows;
    const score = Math.min(cellWidth, cellHeight * TILE_ASPECT) - (rows * columns - count) * 4; // few empty cells
    if (score > best.score) best = { columns, rows, score };
  }
  grid.style.gridTemplateColumns = `repeat(${best.columns}, minmax(0, 1fr))`;
  grid.style.gridTemplateRows = `repeat(${best.rows}, minmax(0, 1fr))`;
  grid.dataset.columns = String(best.columns);
  grid.dataset.rows = String(best.rows);
  requestAnimationFrame(fitTileRows);
}

// Show only whole rows: the list keeps as many as its tile has room for. The note gives way to the
// list when not even one row would fit, and to the figures when the tile is too short for it.
function fitTileRows() {
  for (const node of tileNodes.values()) fitTile(node);
}

function fitTile(node) {
  const body = node.querySelector(".tile-body");
  const note = node.querySelector(".tile-note");
  const list = node.querySelector(".tile-list");
  const rows = list ? [...list.querySelectorAll(".tile-rows li")] : [];
  const fitRows = () => {
    if (!list) return 0;
    list.hidden = false;
    rows.forEach((row) => { row.hidden = false; });
    const bottom = list.querySelector(".tile-rows").getBoundingClientRect().bottom;
    rows.forEach((row) => { row.hidden = row.getBoundingClientRect().bottom > bottom + 0.5; });
    const shown = rows.filter((row) => !row.hidden).length;
    list.hidden = shown === 0;
    return shown;
  };
  if (note) note.hidden = false;
  if (fitRows() === 0 && rows.length && note) {
    note.hidden = true;
    if (fitRows() === 0) note.hidden = false;
  }
  if (note && !note.hidden) note.hidden = body.scrollHeight > body.clientHeight + 1;
}

// ---------- clock and connection ----------
const clockTime = new Intl.DateTimeFormat(config.numberLocale, { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false, timeZone });
const clockDate = new Intl.DateTimeFormat(config.numberLocale, { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone });
function tick() {
  const current = new Date(now());
  byId("clock-time").textContent = clockTime.format(current);
  byId("clock-date").textContent = clockDate.format(current);
  renderPanelMeta();
  renderTileMeta();
  renderSourceStrip();
}

function setConnection(stateName) {
  const node = byId("connection");
  node.dataset.state = stateName;
  node.querySelector(".connection-text").textContent = t({ live: "live", connecting: "connecting", offline: "offline" }[stateName]);
}

// ---------- live events ----------
const renderers = {
  population: () => { renderPopulation(); renderMap(); },
  health: () => { renderHealth(); renderMarkers(); },
  traffic: () => { renderTraffic(); renderMarkers(); },
  development: renderDevelopment,
};

function applyEvent(event) {
  if (!event || typeof event.type !== "string") return;
  live.events += 1;
  live.byType[event.type] = (live.byType[event.type] || 0) + 1;
  live.lastEventAt = new Date().toISOString();
  if (event.type === "source.health" && event.data && event.data.slug) {
    sources.set(event.data.slug, event.data);
    renderPanelMeta();
    renderTileMeta();
    renderSourceStrip();
    if (event.data.slug === "epuskesmas") renderHealth();
    if (event.data.slug === "atcs") renderTraffic();
    return;
  }
  if (event.type.startsWith("tile.")) {
    const key = event.type.slice("tile.".length);
    // Staff tiles only reach staff screens; a public screen never shows one, whatever arrives.
    if (!event.data || event.data.key !== key || (event.data.audience === "staff" && !state.can_view_internal)) return;
    tiles.set(key, event.data);
    renderTiles();
    return;
  }
  if (event.type.startsWith("panel.")) {
    const panel = event.type.slice("panel.".length);
    if (!(panel in renderers)) return;
    if (panel === "development" && !state.can_view_development) return;
    if (state.exact_counts && COUNTED_PANELS[panel] && hasSuppressedCount(event.data)) {
      refreshExact(panel, event.data);
      return;
    }
    state[panel] = panel === "development" ? scopedDevelopment(event.data) : event.data;
    renderers[panel]();
  }
}

// Live panels are sent to everyone with small counts suppressed. Staff see exact numbers: when an
// event hides a count, a staff screen reads the exact panel once from the API (its session decides).
const COUNTED_PANELS = { population: "/api/population/", health: "/api/health/today/" };
function hasSuppressedCount(value) {
  if (isSuppressed(value) && /^<\d+$/.test(value)) return true;
  if (Array.isArray(value)) return value.some(hasSuppressedCount);
  if (value && typeof value === "object") return Object.values(value).some(hasSuppressedCount);
  return false;
}
async function refreshExact(panel, fallback) {
  let data = fallback;
  try {
    const response = await fetch(COUNTED_PANELS[panel], { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.ok) data = await response.json();
  } catch (error) {
    console.warn(`exact ${panel} unavailable`, error);
  }
  state[panel] = data;
  renderers[panel]();
}

let attempts = 0;
function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws/live/`);
  setConnection("connecting");
  socket.addEventListener("open", () => {
    attempts = 0;
    setConnection("live");
    resync();
  });
  socket.addEventListener("message", (message) => {
    try {
      applyEvent(JSON.parse(message.data));
    } catch (error) {
      console.warn("unreadable live event", error);
    }
  });
  socket.addEventListener("close", () => {
    setConnection("offline");
    // Exponential backoff with jitter, at most 30 s between attempts.
    const delay = Math.min(30000, 1000 * 2 ** attempts) * (0.5 + Math.random() / 2);
    attempts += 1;
    setTimeout(connect, delay);
  });
}

// Once the WebSocket is open (first time and after a dropped connection), read the state once:
// whatever changed between the page's render (or the drop) and the connection is not missed.
// Events arriving from now on keep it current.
async function resync() {
  let fresh;
  try {
    const response = await fetch(config.stateUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) return;
    fresh = await response.json();
  } catch (error) {
    console.warn("state resync failed", error);
    return;
  }
  for (const health of fresh.sources || []) sources.set(health.slug, health);
  for (const panel of ["population", "health", "traffic"]) {
    if (fresh[panel]) state[panel] = fresh[panel];
  }
  if (state.can_view_development && fresh.development) state.development = scopedDevelopment(fresh.development);
  tiles.clear();
  for (const tile of fresh.tiles || []) tiles.set(tile.key, tile);
  renderPopulation();
  renderMap();
  renderHealth();
  renderTraffic();
  renderMarkers();
  renderDevelopment();
  renderTiles();
  renderPanelMeta();
  renderTileMeta();
  renderSourceStrip();
}

// ---------- start ----------
state.development = scopedDevelopment(state.development);
renderPopulation();
renderHealth();
renderTraffic();
renderDevelopment();
renderTiles();
tick();
setInterval(tick, 1000);
window.addEventListener("resize", layoutCameraGrid);
if (byId("tile-grid")) new ResizeObserver(() => layoutTiles()).observe(byId("tile-grid"));
initMap();
connect();

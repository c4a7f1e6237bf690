// Komando development watch: Kurva S charts (Chart.js), projects on our own boundary map (Leaflet),
// and live re-reads: a development event over /ws/live/ makes the page fetch itself again and swap
// its live regions, charts and markers in place. No polling, no reload.
/* global Chart, L */

const config = window.KOMANDO || {};
const labels = Komando.dom.readJson("dw-labels");
const locale = config.numberLocale || "id-ID";
const percentFormat = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const monthFormat = new Intl.DateTimeFormat(locale, { month: "short", year: "2-digit", timeZone: "UTC" });
const STATUS_COLOURS = { on_track: "#22c55e", waspada: "#eab308", terlambat: "#f97316", kritis: "#ef4444" };
const COLOURS = { plan: "#94a3b8", physical: "#38bdf8", financial: "#a78bfa" };

const watch = { events: 0, refreshes: 0, charts: {}, markers: 0 };
window.KOMANDO_WATCH = watch;

const t = Komando.dom.translator(labels);
const readData = () => Komando.dom.readJson("dw-chart-data");
const monthLabel = (iso) => monthFormat.format(new Date(`${iso}-01T00:00:00Z`));
const percentTick = (value) => `${percentFormat.format(value)}%`;

Chart.defaults.color = "#9db0cc";
Chart.defaults.borderColor = "#24324f";
Chart.defaults.font.size = 13;
Chart.defaults.animation = false;

function line(label, values, colour, dashed) {
  return { type: "line", label, data: values, borderColor: colour, backgroundColor: colour, borderWidth: dashed ? 2 : 3,
           borderDash: dashed ? [6, 4] : [], pointRadius: 2, tension: 0.25, spanGaps: false, yAxisID: "y" };
}

// Lines as dashed or solid strokes; the deviation bars as a red square.
function legendItems(chart) {
  return Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) =>
    (chart.data.datasets[item.datasetIndex].type === "bar"
      ? { ...item, pointStyle: "rect", fillStyle: "#ef4444", strokeStyle: "#ef4444", lineWidth: 1 }
      : { ...item, lineDash: chart.data.datasets[item.datasetIndex].borderDash || [], lineWidth: 3 }));
}

function percentOptions(extraScales = {}) {
  return {
    responsive: true, maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
    plugins: {
      legend: { position: "bottom", labels: { usePointStyle: true, pointStyle: "line", pointStyleWidth: 34, generateLabels: legendItems } },
      tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${item.raw === null ? "–" : (item.dataset.yAxisID === "y" ? percentTick(item.raw) : percentFormat.format(item.raw))}` } },
    },
    scales: { y: { min: 0, max: 100, title: { display: true, text: t("percent_axis") }, ticks: { callback: percentTick } }, ...extraScales },
  };
}

function series(rows, key) { return rows.map((row) => row[key]); }

function drawWatchCharts(data) {
  const rows = data.s_curve || [];
  const datasets = [
    line(t("planned_physical"), series(rows, "planned_physical"), COLOURS.physical, true),
    line(t("realised_physical"), series(rows, "realised_physical"), COLOURS.physical, false),
    line(t("planned_financial"), series(rows, "planned_financial"), COLOURS.financial, true),
    line(t("realised_financial"), series(rows, "realised_financial"), COLOURS.financial, false),
  ];
  upsertChart("scurve", "dw-scurve", rows.map((row) => monthLabel(row.month)), datasets, percentOptions());
}

function drawProjectCharts(data) {
  const rows = data.months || [];
  const months = rows.map((row) => monthLabel(row.month));
  const deviation = {
    type: "bar", label: t("deviation_physical"), data: series(rows, "deviation_physical"), yAxisID: "points",
    backgroundColor: rows.map((row) => `${STATUS_COLOURS[row.status] || "#64748b"}99`), barPercentage: 0.5, order: 2,
    pointStyle: "rect", borderColor: "#ef4444", borderWidth: 0,
  };
  upsertChart("physical", "dw-physical", months, [
    line(t("planned_physical"), series(rows, "planned_physical"), COLOURS.plan, true),
    line(t("realised_physical"), series(rows, "realised_physical"), COLOURS.physical, false),
    deviation,
  ], percentOptions({ points: { position: "right", grid: { drawOnChartArea: false }, suggestedMin: -15, suggestedMax: 5,
                                title: { display: true, text: t("points_axis") } } }));
  upsertChart("financial", "dw-financial", months, [
    line(t("planned_financial"), series(rows, "planned_financial"), COLOURS.plan, true),
    line(t("realised_financial"), series(rows, "realised_financial"), COLOURS.financial, false),
  ], percentOptions());
}

function upsertChart(key, canvasId, months, datasets, options) {
  const existing = watch.charts[key];
  if (existing) {
    existing.data.labels = months;
    existing.data.datasets.forEach((dataset, index) => {
      dataset.data = datasets[index].data;
      if (datasets[index].backgroundColor) dataset.backgroundColor = datasets[index].backgroundColor;
    });
    existing.update("none");
    return;
  }
  const canvas = document.getElementById(canvasId);
  if (canvas) watch.charts[key] = new Chart(canvas, { data: { labels: months, datasets }, options });
}

// ---------- map ----------
let map = null;
let markerLayer = null;
function drawMap(data) {
  const node = document.getElementById("dw-map");
  if (!node) return;
  if (!map) {
    map = Komando.map.create(node, { leaflet: { preferCanvas: true }, boundaries: data.kecamatan, padding: [8, 8] }).map;
    markerLayer = L.layerGroup().addTo(map);
  }
  markerLayer.clearLayers();
  const points = data.points || [];
  // Kritis last, so it is drawn on top.
  const order = { on_track: 0, waspada: 1, terlambat: 2, kritis: 3 };
  for (const point of [...points].sort((a, b) => (order[a.status] ?? -1) - (order[b.status] ?? -1))) {
    const kritis = point.status === "kritis";
    const marker = L.circleMarker([point.lat, point.lon], {
      radius: kritis ? 10 : 7, color: kritis ? "#fff" : "#0b1220", weight: kritis ? 3 : 2,
      fillColor: STATUS_COLOURS[point.status] || "#64748b", fillOpacity: 0.95,
    });
    const deviation = point.deviation === null || point.deviation === undefined ? "" :
      ` · ${t("deviation", { n: percentFormat.format(point.deviation) })}`;
    marker.bindTooltip(`${point.name}\n${point.agency} · ${t(point.status || "")}${deviation}`, { className: "dw-tip" });
    if (point.url) marker.on("click", () => { window.location.href = point.url; });
    markerLayer.addLayer(marker);
  }
  watch.markers = points.length;
  if (document.getElementById("dw").dataset.kind === "project" && points.length && !map._dwCentred) {
    map.setView([points[0].lat, points[0].lon], 13);
    map._dwCentred = true;
  }
}

function drawAll() {
  const data = readData();
  if (data.kind === "project") drawProjectCharts(data); else drawWatchCharts(data);
  drawMap(data);
  watch.drawn = { charts: Object.keys(watch.charts).length, markers: watch.markers };
}

// ---------- live ----------
let refreshing = null;
let again = false;
async function refresh() {
  if (refreshing) { again = true; return refreshing; }
  refreshing = (async () => {
    try {
      const response = await fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const region of document.querySelectorAll("[data-live-region]")) {
        const replacement = fresh.getElementById(region.id);
        if (replacement) region.replaceWith(document.importNode(replacement, true));
      }
      drawAll();
      watch.refreshes += 1;
    } catch (error) {
      console.warn("development watch refresh failed", error);
    } finally {
      refreshing = null;
      if (again) { again = false; refresh(); }
    }
  })();
  return refreshing;
}

// The slug of the source of the development figures (e-Monev), as the page names it.
const developmentSource = () => document.getElementById("dw-freshness")?.dataset.source;

function applyEvent(event) {
  if (!event || typeof event.type !== "string") return;
  watch.events += 1;
  if (event.type === "panel.development" || event.type.startsWith("alert")) refresh();
  else if (event.type === "source.health" && event.data && event.data.slug === developmentSource()) {
    const shown = document.querySelector("#dw-freshness [data-received]");
    const received = event.data.last_success_at ? Date.parse(event.data.last_success_at) : null;
    const before = shown && shown.dataset.received ? Date.parse(shown.dataset.received) : null;
    if (received !== before) refresh();
  }
}

// The shared live bus (komando/live.js); after a reconnect, events may have been missed: read the page again.
function startLive() {
  Komando.live.connect({ onEvent: applyEvent, resync: refresh, status: Komando.dom.connectionIndicator(t) });
}

drawAll();
startLive();

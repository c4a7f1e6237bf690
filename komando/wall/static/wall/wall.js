// Komando video wall: draws the panels of one screen (or the whole canvas) from the state JSON,
// keeps them live over /ws/live/ (never polling), and heals itself: reconnects with backoff,
// re-reads the full state after every (re)connection, reloads when the server runs a new build.
"use strict";

(function () {
  const dom = Komando.dom;
  const config = dom.readJson("wall-config");
  const labels = dom.readJson("wall-labels");
  const locale = config.number_locale;
  const timeZone = config.time_zone || dom.timeZone;
  const panels = {};
  let sourceNames = {};
  let clockOffset = 0;
  let connections = 0;
  let resyncs = 0;
  let bus = null;

  const t = dom.translator(labels);
  const num = (value, digits = 0) => (value === null || value === undefined ? "–"
    : Number(value).toLocaleString(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }));
  const el = (tag, className, text) => dom.el(tag, { class: className || null, text });
  const timeText = dom.timeFormat(locale, { timeZone, hour: "2-digit", minute: "2-digit", day: "numeric", month: "short" });
  const nodesOf = (key) => document.querySelectorAll(`.panel[data-panel="${key}"]`);

  // ---------- panel frame: title, figure, source and freshness ----------
  function sourceLabel(source) {
    return String(source || "").split(",").map((slug) => slug.trim()).filter(Boolean)
      .map((slug) => sourceNames[slug] || (slug === "komando" ? "Komando" : slug)).join(", ");
  }

  function frame(node, data, figure) {
    node.querySelector(".panel-title").textContent = t(`panel_${node.dataset.panel}`);
    node.querySelector("[data-role=figure]").textContent = figure || "";
    const meta = node.querySelector("[data-role=meta]");
    if (!data) { meta.textContent = ""; return; }
    const parts = [t("source", { name: sourceLabel(data.source) })];
    parts.push(data.as_of ? t("as_of", { time: timeText(data.as_of) }) : t("no_data"));
    meta.textContent = parts.join(" · ");
    node.dataset.filled = "1";
  }

  function body(node) {
    const target = node.querySelector("[data-role=body]");
    target.replaceChildren();
    return target;
  }

  function waiting(node) {
    frame(node, null, "");
    body(node).append(el("div", "waiting", t("waiting")));
    node.dataset.filled = "0";
  }

  function figureBox(value, label, tone) {
    const box = el("div", "figure");
    box.append(el("div", `figure-value${tone ? " tone-" + tone : ""}`, value), el("div", "figure-label", label));
    return box;
  }

  function row(label, value, sub, tone) {
    const item = el("li", "row");
    item.append(el("span", "row-label", label));
    const right = el("span", `row-value${tone ? " tone-" + tone : ""}`, value);
    if (sub) right.append(el("span", "row-sub", sub));
    item.append(right);
    return item;
  }

  // ---------- panels ----------
  const draw = {
    incidents(node, data) {
      frame(node, data, "");
      const target = body(node);
      const figures = el("div", "figures");
      figures.append(figureBox(num(data.open), t("open")),
        figureBox(num(data.overdue), t("overdue"), data.overdue ? "bad" : "ok"),
        figureBox(num(data.new_today), t("new_today")));
      const priorities = el("div", "priorities");
      for (const item of data.by_priority) {
        const box = el("div", `priority priority-${item.priority}`);
        const value = el("span", "priority-value", num(item.count));
        if (item.overdue) value.append(el("span", "priority-overdue tone-bad", ` (${num(item.overdue)})`));
        box.append(el("span", "priority-label", item.label), value);
        priorities.append(box);
      }
      const statuses = data.by_status.filter((s) => s.count > 0).map((s) => `${s.label} ${num(s.count)}`).join(" · ");
      target.append(figures, el("div", "rows-title", t("by_priority")), priorities,
        el("div", "status-line truncate", statuses || "–"));
    },

    cameras(node, data) {
      frame(node, data, t("cameras_online", { n: num(data.total - (data.summary.offline || 0)), m: num(data.total) }));
      const target = body(node);
      const grid = el("div", "cameras");
      const count = data.cameras.length;
      const box = target.getBoundingClientRect();
      const ratio = box.height > 0 ? box.width / box.height : 1.6;
      let columns = 1;
      while (columns < count && Math.ceil(count / columns) * 0.5625 > columns / ratio) columns += 1;
      grid.style.setProperty("--camera-cols", String(Math.max(1, columns)));
      for (const camera of data.cameras) {
        const cell = el("div", "camera");
        cell.dataset.camera = camera.id;
        const placeholder = el("div", "camera-placeholder", camera.online ? t("no_picture") : t("camera_offline"));
        if (camera.online) {
          const img = el("img");
          img.alt = camera.name;
          img.src = `${camera.snapshot_url}?t=${encodeURIComponent(camera.observed_at || "")}`;
          img.addEventListener("error", () => { img.remove(); cell.dataset.picture = "0"; });
          img.addEventListener("load", () => { placeholder.remove(); cell.dataset.picture = "1"; });
          cell.append(placeholder, img);
        } else {
          cell.append(placeholder);
          cell.dataset.picture = "0";
        }
        const caption = el("div", "camera-caption");
        caption.append(el("span", "truncate", camera.name.replace(/^Simpang\s+/i, "")),
          el("span", `congestion-${camera.congestion || "none"}`, camera.congestion ? t(camera.congestion) : ""));
        cell.append(caption);
        grid.append(cell);
      }
      target.append(grid);
    },

    sources(node, data) {
      const bad = (data.counts.failing || 0) + (data.counts.stale || 0);
      frame(node, data, `${num(data.counts.ok || 0)} / ${num(data.sources.length)}`);
      node.querySelector("[data-role=figure]").className = `panel-figure${bad ? " tone-warn" : " tone-ok"}`;
      const target = body(node);
      const strip = el("div", "sources");
      for (const source of data.sources) {
        const chip = el("span", "source-chip");
        chip.dataset.status = source.status;
        chip.dataset.slug = source.slug;
        chip.title = t(`status_${source.status}`);
        chip.append(el("span", "dot"), el("span", "truncate", source.name));
        strip.append(chip);
      }
      target.append(strip);
    },

    water(node, data) {
      frame(node, data, data.at_siaga ? t("at_siaga", { n: num(data.at_siaga) }) : t("gauges", { n: num(data.gauges.length) }));
      node.querySelector("[data-role=figure]").className = `panel-figure${data.at_siaga ? " tone-warn" : ""}`;
      const list = el("ul", "rows");
      for (const gauge of data.gauges) {
        const item = el("li", "row");
        item.dataset.gauge = gauge.id;
        item.append(el("span", "row-label", gauge.river ? `${gauge.name} · ${gauge.river}` : gauge.name));
        const right = el("span", "row-value");
        right.append(el("span", "gauge-level", gauge.level_m === null ? "–" : t("metre", { n: num(gauge.level_m, 2) })), " ",
          el("span", `siaga siaga-${gauge.siaga || "none"}`, t(gauge.siaga || "unknown")));
        item.append(right);
        list.append(item);
      }
      body(node).append(list);
    },

    complaints(node, data) {
      frame(node, data, num(data.total));
      const target = body(node);
      if (!data.by_category.length) { target.append(el("div", "waiting", t("no_complaints"))); return; }
      const top = Math.max(...data.by_category.map((r) => r.count));
      const list = el("ul", "rows bar-row");
      for (const item of data.by_category) {
        const entry = el("li");
        entry.append(row(item.category, num(item.count)));
        const bar = el("div", "bar");
        const fill = el("div", "bar-fill");
        fill.style.width = `${(100 * item.count) / top}%`;
        bar.append(fill);
        entry.append(bar);
        list.append(entry);
      }
      target.append(list);
    },

    development(node, data) {
      frame(node, data, data.fiscal_year ? t("fiscal_year", { year: data.fiscal_year }) : "");
      const target = body(node);
      if (!data.by_agency.length) { target.append(el("div", "waiting", t("waiting"))); return; }
      const list = el("ul", "rows bar-row two-cols");
      list.style.display = "grid";
      for (const agency of data.by_agency) {
        const deviation = agency.deviation_physical || 0;
        const tone = agency.status === "kritis" ? "bad" : (agency.status === "terlambat" || agency.status === "waspada") ? "warn" : "";
        const entry = el("li");
        entry.append(row(agency.agency, `${num(agency.realised_physical, 1)}%`,
          `${deviation > 0 ? "+" : ""}${num(deviation, 1)}`, tone));
        const bar = el("div", `bar${tone ? " tone-" + tone : ""}`);
        const fill = el("div", "bar-fill");
        fill.style.width = `${Math.min(100, agency.realised_physical || 0)}%`;
        const plan = el("div", "bar-plan");
        plan.style.left = `${Math.min(99, agency.planned_physical || 0)}%`;
        bar.append(fill, plan);
        entry.append(bar);
        list.append(entry);
      }
      target.append(list);
    },

    alerts(node, data) {
      if (!data.available) { node.hidden = true; return; }
      node.hidden = false;
      frame(node, data, t("alerts_total", { n: num(data.total) }));
      const target = body(node);
      if (!data.alerts.length) { target.append(el("div", "waiting tone-ok", t("no_alerts"))); return; }
      const list = el("ul", "rows");
      for (const alert of data.alerts) {
        const item = el("li", "alert-row");
        item.dataset.alert = alert.id;
        item.append(el("span", `severity severity-${alert.severity}`, t(`severity_${alert.severity}`)),
          el("span", "truncate", alert.title),
          el("span", "row-sub", alert.acknowledged_at ? t("acknowledged") : timeText(alert.raised_at)));
        list.append(item);
      }
      target.append(list);
    },

    clock(node, data) {
      frame(node, data, "");
      const target = body(node);
      target.append(el("span", "clock-time"), el("span", "clock-zone", t("wib")));
      tickClock();
    },

    map(node, data) {
      frame(node, data, [t("incidents", { n: num(data.counts.incidents) }), t("units", { n: num(data.counts.units) })].join(" · "));
      drawMap(node, data);
    },
  };

  // ---------- clock ----------
  function tickClock() {
    const now = new Date(Date.now() + clockOffset);
    const time = now.toLocaleTimeString(locale, { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
    const date = now.toLocaleDateString(locale, { timeZone, weekday: "long", day: "numeric", month: "short", year: "numeric" });
    for (const node of nodesOf("clock")) {
      const timeNode = node.querySelector(".clock-time");
      if (!timeNode) continue;
      timeNode.textContent = time.replace(/\./g, ":");
      node.querySelector("[data-role=figure]").textContent = date;
    }
  }
  setInterval(tickClock, 1000);

  // ---------- map (Leaflet, our own boundaries, no tiles) ----------
  const maps = new Map();
  const PRIORITY_COLOURS = { kritis: "#ef4444", tinggi: "#f97316", sedang: "#eab308", rendah: "#38bdf8" };
  const SIAGA_COLOURS = { siaga_1: "#ef4444", siaga_2: "#f97316", siaga_3: "#eab308", normal: "#22c55e" };

  let markerScale = 1;
  function unitMarker(feature) {
    const [lon, lat] = feature.geometry.coordinates;
    return L.circleMarker([lat, lon], { radius: 6 * markerScale, color: "#0b1324", weight: markerScale, fillColor: "#e2e8f0",
      fillOpacity: 0.95 });
  }

  function drawMap(node, data) {
    const target = node.querySelector("[data-role=body]");
    let entry = maps.get(node);
    if (!entry) {
      target.replaceChildren();
      const container = el("div", "wall-map");
      target.append(container);
      const legend = el("div", "map-legend");
      for (const [colour, key] of [["#ef4444", "incidents"], ["#e2e8f0", "units"], ["#22c55e", "gauges"], ["#a78bfa", "cameras"]]) {
        const item = el("span");
        const dot = el("span", "legend-dot");
        dot.style.background = colour;
        item.append(dot, t(`legend_${key}`));
        legend.append(item);
      }
      target.append(legend);
      // Our own boundaries (sent with the panel's data), no tiles; a wall map is looked at, not handled.
      const view = Komando.map.create(container, { leaflet: { zoomControl: false, dragging: false, scrollWheelZoom: false,
        doubleClickZoom: false, boxZoom: false, keyboard: false, touchZoom: false, zoomSnap: 0.1 }, tooltip: null });
      const map = view.map;
      entry = { map, view, groups: {}, units: new Map() };
      for (const key of ["incidents", "cameras", "gauges", "units"]) entry.groups[key] = L.layerGroup().addTo(map);
      maps.set(node, entry);
      if (data.center) map.setView([data.center.lat || data.center[0], data.center.lon || data.center[1]], 12);
    }
    const { map, groups } = entry;
    markerScale = Math.max(1, parseFloat(getComputedStyle(node).fontSize) / 22);
    const r = (value) => value * markerScale;
    if (data.boundaries) {
      const shapes = entry.view.setBoundaries(data.boundaries, {
        style: () => ({ color: "#3b5b8c", weight: r(1.2), fillColor: "#15213a", fillOpacity: 0.55 }) });
      entry.bounds = shapes.getBounds();
      fitMap(entry);
    }
    groups.incidents.clearLayers();
    for (const feature of data.layers.incidents.features) {
      const [lon, lat] = feature.geometry.coordinates;
      const colour = PRIORITY_COLOURS[feature.properties.priority] || "#ef4444";
      groups.incidents.addLayer(L.circleMarker([lat, lon], { radius: r(feature.properties.overdue ? 9 : 7), color: feature.properties.overdue ? "#fff" : "#0b1324",
        weight: r(feature.properties.overdue ? 2 : 1), fillColor: colour, fillOpacity: 0.95 }));
    }
    groups.cameras.clearLayers();
    for (const feature of data.layers.cameras.features) {
      const [lon, lat] = feature.geometry.coordinates;
      groups.cameras.addLayer(L.circleMarker([lat, lon], { radius: r(5), color: "#a78bfa", weight: r(2), fillOpacity: 0 }));
    }
    groups.gauges.clearLayers();
    for (const feature of data.layers.gauges.features) {
      const [lon, lat] = feature.geometry.coordinates;
      groups.gauges.addLayer(L.circleMarker([lat, lon], { radius: r(7), color: "#0b1324", weight: r(1),
        fillColor: SIAGA_COLOURS[feature.properties.siaga] || "#64748b", fillOpacity: 0.95 }));
    }
    groups.units.clearLayers();
    entry.units.clear();
    for (const feature of data.layers.units.features) {
      const marker = unitMarker(feature);
      entry.units.set(feature.properties.id, marker);
      groups.units.addLayer(marker);
    }
  }

  function fitMap(entry) {
    entry.map.invalidateSize(false);
    if (entry.bounds && entry.bounds.isValid()) entry.map.fitBounds(entry.bounds, { padding: [8, 8], animate: false });
  }

  function moveUnits(units) {
    const mapData = panels.map;
    if (!mapData) return;
    for (const unit of units) {
      if (unit.lat === null || unit.lon === null) continue;
      const feature = mapData.layers.units.features.find((f) => f.properties.id === unit.id);
      if (feature) { feature.geometry.coordinates = [unit.lon, unit.lat]; Object.assign(feature.properties, unit); }
      else mapData.layers.units.features.push({ type: "Feature", geometry: { type: "Point", coordinates: [unit.lon, unit.lat] }, properties: { ...unit } });
      for (const entry of maps.values()) {
        const marker = entry.units.get(unit.id);
        if (marker) marker.setLatLng([unit.lat, unit.lon]);
        else {
          const created = unitMarker({ geometry: { coordinates: [unit.lon, unit.lat] } });
          entry.units.set(unit.id, created);
          entry.groups.units.addLayer(created);
        }
      }
    }
    mapData.counts.units = mapData.layers.units.features.length;
    unitsMoved += units.length;
  }
  let unitsMoved = 0;

  // ---------- render ----------
  // Lists end at the panel's edge with whole rows: a row that would be cut is hidden, and the
  // panel's figure still says how many there are.
  function clipRows(node) {
    const target = node.querySelector("[data-role=body]");
    const bottom = target.getBoundingClientRect().bottom + 0.5;
    for (const item of target.querySelectorAll(".rows > li, .source-chip")) {
      item.hidden = false;
      if (item.getBoundingClientRect().bottom > bottom) item.hidden = true;
    }
  }

  function render(key) {
    const data = panels[key];
    for (const node of nodesOf(key)) {
      if (data === undefined || data === null) { waiting(node); continue; }
      try { draw[key](node, data); clipRows(node); } catch (error) { console.warn("wall panel", key, error); waiting(node); }
    }
  }

  function apply(state, partial) {
    if (state.server_time) clockOffset = Date.parse(state.server_time) - Date.now();
    if (state.source_names) sourceNames = state.source_names;
    const failed = [];
    for (const [key, data] of Object.entries(state.panels || {})) {
      if (data === null && panels[key]) { failed.push(key); continue; } // keep what is shown, with its time
      if (data === null) failed.push(key);
      panels[key] = data;
      render(key);
    }
    // A panel whose selector failed on the server is read again a little later, by itself.
    if (failed.length) setTimeout(() => refresh(failed), Math.min(30000, 2000 * 2 ** Math.min(retries++, 4)));
    else retries = 0;
  }
  let retries = 0;

  // ---------- state reads ----------
  async function readState(panelKeys) {
    const url = panelKeys ? `${config.state_url}?panels=${panelKeys.join(",")}` : config.state_url;
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" });
    if (response.status === 401 || response.status === 403) { location.reload(); return null; }
    if (!response.ok) throw new Error(`state ${response.status}`);
    return response.json();
  }

  async function resync() {
    try {
      const state = await readState(null);
      if (!state) return;
      if (state.build && state.build !== config.build) { location.reload(); return; }
      apply(state, false);
      resyncs += 1;
    } catch (error) {
      console.warn("wall resync failed", error);
      setTimeout(() => { if (bus && bus.isOpen()) resync(); }, 3000);
    }
  }

  const pending = new Set();
  let refreshTimer = null;
  function refresh(keys) {
    for (const key of keys) if (config.panels.includes(key)) pending.add(key);
    if (!pending.size || refreshTimer) return;
    refreshTimer = setTimeout(async () => {
      const keysNow = [...pending];
      pending.clear();
      refreshTimer = null;
      try { const state = await readState(keysNow); if (state) apply(state, true); }
      catch (error) { console.warn("wall refresh failed", error); }
    }, 600);
  }

  // ---------- live ----------
  const EVENT_PANELS = {
    "incidents.changed": ["incidents", "map"],
    "devices.gauges": ["water", "map"],
    "panel.traffic": ["cameras", "map"],
    "tile.complaints": ["complaints"],
    "panel.development": ["development"],
    "alerts.changed": ["alerts"],
  };

  function onEvent(event) {
    if (event.type === "hello") return; // the live bus reloads the page when the build is another
    if (event.type === "devices.units") { moveUnits((event.data && event.data.units) || []); return; }
    if (event.type === "source.health") {
      const strip = panels.sources;
      if (strip && event.data && event.data.connected) {
        const index = strip.sources.findIndex((s) => s.slug === event.data.slug);
        const rowData = { slug: event.data.slug, name: event.data.name, status: event.data.status,
          last_success_at: event.data.last_success_at, lag_seconds: event.data.lag_seconds };
        if (index >= 0) strip.sources[index] = rowData; else strip.sources.push(rowData);
        strip.counts = {};
        for (const s of strip.sources) strip.counts[s.status] = (strip.counts[s.status] || 0) + 1;
        if (event.data.last_success_at && (!strip.as_of || event.data.last_success_at > strip.as_of)) strip.as_of = event.data.last_success_at;
        render("sources");
      }
      return;
    }
    const keys = EVENT_PANELS[event.type];
    if (keys) refresh(keys);
  }

  let indicatorTimer = null;
  function setConnection(state) {
    const node = document.getElementById("connection");
    node.dataset.state = state;
    node.querySelector(".wall-connection-text").textContent = t(state);
    clearTimeout(indicatorTimer);
    if (state === "reconnected") indicatorTimer = setTimeout(() => { node.dataset.state = "live"; }, 8000);
  }

  // The shared live bus (komando/live.js): the full state is read again after every connection.
  function startLive() {
    return Komando.live.connect({
      onEvent,
      resync,
      resyncOnConnect: true,
      build: config.build,
      status(state, info) {
        if (state === "live") { connections += 1; setConnection(info.reconnected ? "reconnected" : "live"); }
        else if (state === "offline") setConnection(info.everConnected ? "offline" : "connecting");
      },
    });
  }

  // ---------- rotation of panel sets ----------
  function startRotation() {
    const seconds = Math.max(10, config.layout.rotation_seconds || 30);
    for (const screen of document.querySelectorAll(".wall-screen")) {
      const sets = screen.querySelectorAll(".wall-set");
      if (sets.length < 2) continue;
      let current = 0;
      setInterval(() => {
        sets[current].hidden = true;
        current = (current + 1) % sets.length;
        sets[current].hidden = false;
        for (const node of sets[current].querySelectorAll(".panel")) {
          const entry = maps.get(node);
          if (entry) fitMap(entry);
          if (node.dataset.panel === "cameras" || node.dataset.panel === "water") render(node.dataset.panel);
        }
      }, seconds * 1000);
    }
  }

  window.addEventListener("resize", () => {
    for (const entry of maps.values()) fitMap(entry);
    for (const node of document.querySelectorAll(".panel")) clipRows(node);
  });

  for (const key of config.panels) for (const node of nodesOf(key)) waiting(node);
  window.KOMANDO_WALL = {
    panels,
    status: () => ({ connections, resyncs, unitsMoved, build: config.build,
      filled: [...document.querySelectorAll(".panel")].filter((n) => !n.closest("[hidden]") && n.dataset.filled === "1").length }),
    unitPosition: (id) => { for (const entry of maps.values()) { const m = entry.units.get(id); if (m) { const p = m.getLatLng(); return [p.lat, p.lng]; } } return null; },
  };
  startRotation();
  bus = startLive();
})();

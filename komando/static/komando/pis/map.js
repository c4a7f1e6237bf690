// PIS city map: kecamatan coloured by population over our own boundaries (komando/map.js), the
// kelurahan of a clicked kecamatan, and the puskesmas and cameras as markers.
/* global L */
"use strict";

(function () {
  const pis = Komando.pis;
  const { config, state, t, fmt, num, fmtCount, byId, el, compact, CONGESTION_COLOURS } = pis;
  const CHOROPLETH = ["#1b3358", "#1f4f86", "#2a6db3", "#4393db", "#8cc8f2"];

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
    const view = Komando.map.create(container, { leaflet: { preferCanvas: false }, tooltip: null });
    map.leaflet = view.map;
    map.markers = L.layerGroup().addTo(map.leaflet);
    map.leaflet.on("zoomend", () => { container.dataset.zoom = String(map.leaflet.getZoom()); });
    try {
      map.kecamatanGeo = await Komando.map.loadRegions(config.regionsUrl, "kecamatan");
    } catch (error) {
      console.warn("map regions unavailable", error);
      return;
    }
    map.kecamatanLayer = view.setBoundaries(map.kecamatanGeo, {
      style: () => ({ color: "#0b1424", weight: 1.5, fillOpacity: 0.9, fillColor: "#2a3650" }),
      onEachFeature: (feature, layer) => {
        layer.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "region-label" });
        layer.on("click", () => selectKecamatan(feature.properties.code));
      },
    });
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
    const filled = Boolean(map.kecamatanLayer) && pis.populationFilled(data);
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
    if (!map.kelurahanGeo) map.kelurahanGeo = await Komando.map.loadRegions(config.regionsUrl, "kelurahan");
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

  Object.assign(pis, { initMap, renderMap, renderMarkers });
})();

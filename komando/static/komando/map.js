// Every Komando map: Leaflet over our own boundaries (the city's kecamatan and kelurahan GeoJSON from
// our API or embedded in the page), never a tile server unless a page is given one.
//
//   const view = Komando.map.create("element-id" | element, {
//     leaflet: { preferCanvas: true },          // more Leaflet map options
//     boundaries: featureCollection,            // optional: drawn first, the map fits them
//     style, tooltip, onEachFeature,            // how the boundaries look (defaults: ours)
//     padding: [12, 12], center: {lat, lon}, zoom: 12,
//     tiles: { url, options },                  // optional tile layer (none by default)
//   });
//   view.map, view.boundaries, view.setBoundaries(collection, options), view.fit()
//   Komando.map.loadRegions(url, "kecamatan")  // GeoJSON of one level from /api/regions/
/* global L */
"use strict";

(function () {
  const Komando = (window.Komando = window.Komando || {});

  const LEAFLET_DEFAULTS = { zoomControl: true, attributionControl: false, zoomSnap: 0.25 };
  const BOUNDARY_STYLE = { color: "#3b5b8a", weight: 1.5, fillColor: "#12233d", fillOpacity: 0.55 };
  // Where a city without boundaries is shown (Kota Tangerang) when the page knows no centre.
  const FALLBACK_CENTER = [-6.18, 106.63];

  const latLng = (center) => (Array.isArray(center) ? center : [center.lat, center.lon]);

  function create(container, options = {}) {
    const map = L.map(container, { ...LEAFLET_DEFAULTS, ...(options.leaflet || {}) });
    if (options.tiles && options.tiles.url) L.tileLayer(options.tiles.url, options.tiles.options || {}).addTo(map);
    // The boundaries' own group; a page draws them before its markers so that markers stay on top.
    const group = L.layerGroup().addTo(map);
    const view = { map, group, boundaries: null, bounds: null };

    view.setBoundaries = (collection, overrides = {}) => {
      const settings = { ...options, ...overrides };
      group.clearLayers();
      view.boundaries = null;
      view.bounds = null;
      if (!collection) return null;
      const tooltip = settings.tooltip === undefined ? "sticky" : settings.tooltip;
      view.boundaries = L.geoJSON(collection, {
        style: settings.style || BOUNDARY_STYLE,
        interactive: settings.interactive !== false,
        onEachFeature: (feature, layer) => {
          if (tooltip === "sticky") layer.bindTooltip(feature.properties.name, { sticky: true, ...(settings.tooltipOptions || {}) });
          else if (typeof tooltip === "function") tooltip(feature, layer);
          if (settings.onEachFeature) settings.onEachFeature(feature, layer);
        },
      });
      group.addLayer(view.boundaries);
      view.bounds = view.boundaries.getBounds();
      return view.boundaries;
    };

    // Fit the boundaries (or the given centre when there are none).
    view.fit = (fitOptions = {}) => {
      if (view.bounds && view.bounds.isValid()) {
        map.fitBounds(view.bounds, { padding: options.padding || [12, 12], ...fitOptions });
        return true;
      }
      if (options.center !== null) map.setView(latLng(options.center || FALLBACK_CENTER), options.zoom || 12);
      return false;
    };

    if (options.boundaries !== undefined) {
      view.setBoundaries(options.boundaries);
      if (options.fit !== false) view.fit();
    }
    return view;
  }

  async function loadRegions(url, level) {
    const response = await fetch(`${url}?level=${encodeURIComponent(level)}`, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`regions: HTTP ${response.status}`);
    return response.json();
  }

  Komando.map = { create, loadRegions, BOUNDARY_STYLE, LEAFLET_DEFAULTS };
})();

// Komando PIS: renders the embedded initial state, then keeps it live over the shared live bus
// (komando/live.js). No polling and no reload: every live event replaces one panel's data and
// re-renders that panel; after every (re)connection the whole state is read once over HTTP.
"use strict";

(function () {
  const pis = Komando.pis;
  const {
    config, state, live, now, t, byId, isSuppressed, sources, timeZone, tiles, scopedDevelopment,
    renderPanelMeta, renderSourceStrip, renderTileMeta, renderPopulation, renderMap, renderHealth, renderMarkers,
    renderTraffic, renderDevelopment, renderTiles, layoutTiles, layoutCameraGrid, initMap,
  } = pis;

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

  // ---------- live events ----------
  const renderers = {
    population: () => { renderPopulation(); renderMap(); },
    health: () => { renderHealth(); renderMarkers(); },
    traffic: () => { renderTraffic(); renderMarkers(); },
    development: renderDevelopment,
  };
  // Panels drawn from their source's health too (the date of the day's data, the camera pictures):
  // redrawn when the source the panel names (data-source) reports.
  const HEALTH_RENDERERS = { "panel-health": renderHealth, "panel-traffic": renderTraffic };

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
      for (const [panelId, render] of Object.entries(HEALTH_RENDERERS)) {
        const panel = byId(panelId);
        if (panel && panel.dataset.source === event.data.slug) render();
      }
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
  Komando.live.connect({
    onEvent: applyEvent,
    resync,
    resyncOnConnect: true,
    status: Komando.dom.connectionIndicator((name) => t({ live: "live", connecting: "connecting", offline: "offline" }[name])),
  });
})();

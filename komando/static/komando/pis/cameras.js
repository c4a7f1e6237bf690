// PIS traffic panel (ATCS): congestion summary and the camera grid, whose pictures are reloaded
// gently (one request per camera at a time, at most one every few seconds).
"use strict";

(function () {
  const pis = Komando.pis;
  const { t, fmt, byId, el, state, setPanelFilled, CONGESTION, CONGESTION_COLOURS, panelSource } = pis;

  const cameraNodes = new Map();

  function renderTraffic() {
    if (!byId("panel-traffic")) return; // the city has no traffic source: no panel
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
    const trafficSource = panelSource("panel-traffic");
    const stamp = (trafficSource && trafficSource.last_success_at) || camera.observed_at || panelObservedAt || "";
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
    if (!grid) return;
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

  Object.assign(pis, { renderTraffic, layoutCameraGrid });
})();

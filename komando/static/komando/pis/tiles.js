// PIS service tiles: one compact tile per source application, laid out to fill their area.
"use strict";

(function () {
  const pis = Komando.pis;
  const { state, t, fmt, decimalFormat, byId, el, sources, effectiveStatus, shortName, ago } = pis;

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

  Object.assign(pis, { tiles, renderTiles, renderTileMeta, layoutTiles });
})();

// The source health page (/sumber/) kept live: every `source.health` event from /ws/live/ redraws
// its row (status, failures in a row, circuit, last success, data lag, last error) and the summary,
// without a reload. Times in the city's zone. The server-rendered page is the fallback without JavaScript.
"use strict";

(() => {
  const { byId, el, readJson } = Komando.dom;
  const rows = new Map(readJson("sources-live-rows").map((row) => [row.slug, row]));
  const labels = readJson("sources-live-labels");
  const lang = document.documentElement.lang || "id";
  const { timeZone, zoneLabel } = Komando.dom;
  const live = (window.KOMANDO_SOURCES_LIVE = { events: 0, pageId: Math.random().toString(36).slice(2) });

  const format = (template, values) => template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key]));

  function parts(iso, options) {
    const formatter = new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", ...options });
    return Object.fromEntries(formatter.formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  }
  function dateTime(iso) {
    const p = parts(iso, { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" });
    return `${p.day}-${p.month}-${p.year} ${p.hour}:${p.minute}`;
  }
  function clockTime(iso) {
    const p = parts(iso, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    return `${p.hour}:${p.minute}:${p.second}`;
  }
  const duration = (seconds) => Komando.dom.duration(seconds, lang);
  const ago = (seconds) => Komando.dom.agoInWords(seconds, lang);
  const secondsSince = (iso) => Math.max(0, (Date.now() - Date.parse(iso)) / 1000);

  // A source that stops answering goes stale here even when no event arrives.
  function effectiveStatus(health) {
    if (health.status === "ok" && health.last_success_at && health.stale_after_seconds
        && secondsSince(health.last_success_at) > health.stale_after_seconds) return "stale";
    return health.status;
  }

  function statusCell(health, status) {
    const children = [el("span", { class: `status-badge status-${status}`, text: labels.status[status] || status })];
    if (health.consecutive_failures) {
      const template = health.consecutive_failures === 1 ? labels.failures_one : labels.failures_other;
      children.push(el("br"), el("span", { class: "muted small", text: format(template, { counter: health.consecutive_failures }) }));
    }
    if (health.circuit_state === "open" && health.circuit_retry_at) {
      children.push(el("span", { class: "circuit circuit-open", text: format(labels.circuit_open, { time: clockTime(health.circuit_retry_at) }) }));
    } else if (health.circuit_state === "half_open") {
      children.push(el("span", { class: "circuit circuit-half_open", text: labels.circuit_half_open }));
    }
    return children;
  }

  function successCell(health) {
    if (!health.last_success_at) return [el("span", { class: "muted", text: labels.never })];
    return [`${dateTime(health.last_success_at)} ${zoneLabel}`, el("br"),
      el("span", { class: "muted small", text: ago(secondsSince(health.last_success_at)) })];
  }

  function errorCell(health) {
    if (!health.last_error) return [el("span", { class: "muted", text: "–" })];
    const text = health.last_error.length > 160 ? `${health.last_error.slice(0, 159)}…` : health.last_error;
    return [el("span", { class: "error-kind", text: labels.error_kinds[health.last_error_kind] || health.last_error_kind }), text];
  }

  function renderRow(slug, changed = false) {
    const health = rows.get(slug);
    const row = byId(`source-${slug}`);
    if (!health || !row) return;
    const status = effectiveStatus(health);
    const cell = (name) => row.querySelector(`[data-cell="${name}"]`);
    if (changed && (row.dataset.status !== status || row.dataset.circuit !== health.circuit_state)) {
      row.classList.remove("changed");
      void row.offsetWidth; // restart the highlight
      row.classList.add("changed");
    }
    row.dataset.status = status;
    row.dataset.circuit = health.circuit_state || "closed";
    cell("status").replaceChildren(...statusCell(health, status));
    cell("success").replaceChildren(...successCell(health));
    cell("lag").replaceChildren(health.data_as_of ? duration(secondsSince(health.data_as_of))
      : el("span", { class: "muted", text: "–" }));
    cell("error").replaceChildren(...errorCell(health));
    if (health.runs_24h) {
      const percent = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
        .format((100 * (health.failed_runs_24h || 0)) / health.runs_24h);
      cell("rate").replaceChildren(`${percent} %`, el("br"), el("span", { class: "muted small",
        text: format(labels.runs, { failed: health.failed_runs_24h || 0, runs: health.runs_24h }) }));
    }
    cell("records").textContent = String(health.records_today || 0);
  }

  // The counts of the last 24 h move with every run an event reports (a new last_attempt_at).
  function countRun(previous, next) {
    if (!next.last_attempt_at || next.last_attempt_at === previous.last_attempt_at) return;
    next.runs_24h = (previous.runs_24h || 0) + 1;
    if (next.consecutive_failures > 0) next.failed_runs_24h = (previous.failed_runs_24h || 0) + 1;
    else next.records_today = (previous.records_today || 0) + (next.records_last_run || 0);
  }

  function renderSummary() {
    const counts = {};
    for (const health of rows.values()) {
      const status = effectiveStatus(health);
      counts[status] = (counts[status] || 0) + 1;
    }
    byId("sources-summary").replaceChildren(...Object.keys(labels.summary).filter((status) => counts[status])
      .map((status) => el("li", {}, el("span", { class: `status-badge status-${status}`, "data-summary": status,
        text: `${labels.summary[status]}: ${counts[status]}` }))));
  }

  function renderAll() {
    for (const slug of rows.keys()) renderRow(slug);
    renderSummary();
  }

  function apply(event) {
    if (!event || event.type !== "source.health" || !event.data || !rows.has(event.data.slug)) return;
    live.events += 1;
    const previous = rows.get(event.data.slug);
    const next = { ...previous, ...event.data };
    countRun(previous, next);
    rows.set(event.data.slug, next);
    renderRow(event.data.slug, true);
    renderSummary();
  }

  function setState(state) {
    const node = byId("live-state");
    if (!node) return;
    node.dataset.state = state;
    node.textContent = labels[`live_${state}`] || state;
  }

  // After a dropped connection, health may have changed while we were away: read it once.
  async function resync() {
    const response = await fetch("/api/sources/", { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`sources: HTTP ${response.status}`);
    for (const health of await response.json()) {
      if (rows.has(health.slug)) rows.set(health.slug, { ...rows.get(health.slug), ...health });
    }
    renderAll();
  }

  renderAll();
  setInterval(renderAll, 5000);
  Komando.live.connect({ on: { "source.health": apply }, resync, status: setState });
})();

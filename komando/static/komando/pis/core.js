// Komando PIS, shared by its panels: the embedded state and labels, number and date formats, the
// sources' health and the panel frame (source, freshness, status), and the charts' defaults.
// The panels (pis/*.js) add their render functions to Komando.pis; pis/main.js starts the page.
/* global Chart */
"use strict";

(function () {
  const dom = Komando.dom;
  const { byId, el } = dom;
  const config = window.KOMANDO || {};
  const state = dom.readJson("pis-state");
  const labels = dom.readJson("pis-labels");
  const numberFormat = new Intl.NumberFormat(config.numberLocale || "id-ID");
  const decimalFormat = new Intl.NumberFormat(config.numberLocale || "id-ID", { maximumFractionDigits: 1 });
  const timeZone = config.timeZone || dom.timeZone;
  // Staleness and the clock follow the server's time, not the screen computer's.
  const now = dom.serverClock(state.server_time);

  // Visible to tests and operators: how many events arrived, and proof the page never reloaded.
  const live = { pageId: Math.random().toString(36).slice(2), events: 0, byType: {}, lastEventAt: null };
  window.KOMANDO_LIVE = live;

  const CONGESTION = ["lancar", "ramai", "padat", "macet"];
  const CONGESTION_COLOURS = { lancar: "#22c55e", ramai: "#eab308", padat: "#f97316", macet: "#ef4444", offline: "#64748b" };

  // ---------- small helpers ----------
  const t = dom.translator(labels);
  const fmt = (n) => (n === null || n === undefined || Number.isNaN(n) ? "–" : numberFormat.format(n));
  // Counts of people reach the public with 1–4 as "<5" (small-cell suppression): shown as they
  // are, plotted and compared as 0, never taken for a number.
  const isSuppressed = (value) => typeof value === "string";
  const num = (value) => (typeof value === "number" && Number.isFinite(value) ? value : 0);
  const fmtCount = (value) => (isSuppressed(value) ? value : fmt(value));
  const hasCount = (value) => isSuppressed(value) || num(value) > 0;
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
  const AGO_STEPS = [[90, "updated_seconds", 1], [90 * 60, "updated_minutes", 60], [36 * 3600, "updated_hours", 3600],
    [Infinity, "updated_days", 86400]];
  const ago = (iso) => dom.ago(iso, { t, now, never: "never_updated", steps: AGO_STEPS });

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

  // The source of a panel: the page's panels name theirs (data-source), so no slug is written here.
  const panelSource = (panelId) => {
    const panel = byId(panelId);
    return panel ? sources.get(panel.dataset.source) : undefined;
  };

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
          if (panel.id === "panel-health") Komando.pis.fitHealth();
        }
        alert.textContent = status === "failing" ? t("source_failing_detail") : t("source_stale_detail");
        alert.title = alert.textContent;
      } else if (alert) {
        alert.remove();
        if (panel.id === "panel-health") Komando.pis.fitHealth();
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

  function compact(value) {
    return new Intl.NumberFormat(config.numberLocale, { notation: "compact", maximumFractionDigits: 1 }).format(value);
  }

  Komando.pis = {
    config, state, labels, numberFormat, decimalFormat, timeZone, now, live, CONGESTION, CONGESTION_COLOURS,
    t, fmt, isSuppressed, num, fmtCount, hasCount, byId, el, formatDate, formatShortDate, formatMonth, ago,
    shortName, sources, effectiveStatus, panelSource, renderPanelMeta, renderSourceStrip, setPanelFilled,
    charts, upsertChart, compact,
  };
})();

// Komando's small page helpers, shared by every screen (plain script, loaded before the page's own):
// building elements, reading the JSON a template embeds, translations, times in the city's zone, "n minutes ago".
// Everything lives on window.Komando.dom; nothing else is global.
"use strict";

(function () {
  const Komando = (window.Komando = window.Komando || {});
  // The city's clock as the server wrote it on <meta name="komando-clock"> (base.html): its IANA
  // zone for Intl and the label Indonesians write after a time (WIB, WITA or WIT).
  const clockMeta = (document.querySelector('meta[name="komando-clock"]') || { dataset: {} }).dataset;
  const timeZone = clockMeta.timeZone || undefined;
  const zoneLabel = clockMeta.zoneLabel || "";

  const byId = (id) => document.getElementById(id);

  // The JSON a template put in <script type="application/json" id="...">.
  const readJson = (id) => JSON.parse(byId(id).textContent);

  // el("li", { class: "row", text: "…", "data-id": 3, onclick: fn, dataset: {…} }, child, [children], …)
  // Attributes that are null, undefined or false are left out, true gives an empty attribute; a
  // function under an on… key is an event listener. Children that are null, undefined or false are
  // skipped, arrays are flattened, anything else that is not a node becomes text.
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (typeof value === "function" && key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // t = translator(labels): t("updated_minutes", { n: 3 }) fills {n}; an unknown key is shown as is.
  function translator(labels) {
    return (key, values = {}) => String(labels[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => (values[name] ?? ""));
  }

  // The server's clock, not the screen computer's: now() is Date.now() moved by the offset between the
  // two when the page was rendered (staleness and clocks follow the server).
  function serverClock(serverTimeIso) {
    const offset = serverTimeIso ? Date.parse(serverTimeIso) - Date.now() : 0;
    const now = () => Date.now() + offset;
    now.offset = offset;
    return now;
  }

  // A formatter of ISO times in the city's zone (or another zone given in options): "" for no time.
  function timeFormat(locale, options = {}) {
    const formatter = new Intl.DateTimeFormat(locale, { timeZone, ...options });
    const format = (iso) => (iso ? formatter.format(iso instanceof Date ? iso : new Date(iso)) : "");
    format.formatter = formatter;
    return format;
  }

  // ago(iso, { t, now, never, steps }): "3 menit lalu" from the page's own labels. steps are
  // [below seconds, label key, seconds per unit]; the first step the age is below is used.
  const AGO_STEPS = [[60, "ago_seconds", 1], [3600, "ago_minutes", 60], [Infinity, "ago_hours", 3600]];
  function ago(iso, { t, now = Date.now, never = "never", steps = AGO_STEPS } = {}) {
    if (!iso) return t(never);
    const seconds = Math.max(0, Math.round((now() - Date.parse(iso)) / 1000));
    const [, key, unit] = steps.find(([below]) => seconds < below) || steps[steps.length - 1];
    return t(key, { n: Math.round(seconds / unit) });
  }

  // Ages and durations in the browser's own words (Intl), by their largest whole unit.
  const UNITS = [["day", 86400], ["hour", 3600], ["minute", 60]];
  function largestUnit(seconds) {
    for (const [unit, size] of UNITS) if (seconds >= size) return [Math.floor(seconds / size), unit];
    return [Math.max(0, Math.floor(seconds)), "second"];
  }
  function duration(seconds, lang) {
    const [value, unit] = largestUnit(seconds);
    return new Intl.NumberFormat(lang, { style: "unit", unit, unitDisplay: "long" }).format(value);
  }
  function agoInWords(seconds, lang) {
    const [value, unit] = largestUnit(seconds);
    return new Intl.RelativeTimeFormat(lang, { numeric: "always" }).format(-value, unit);
  }

  // Django's CSRF token from its cookie (for fetch POSTs).
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // The connection indicator the screens share: <… id="connection" data-state><span class="connection-text">.
  function connectionIndicator(t, { id = "connection", textSelector = ".connection-text" } = {}) {
    return (state) => {
      const node = byId(id);
      if (!node) return;
      node.dataset.state = state;
      const text = node.querySelector(textSelector);
      if (text) text.textContent = t(state);
    };
  }

  Komando.dom = {
    timeZone, zoneLabel, byId, readJson, el, translator, serverClock, timeFormat, ago, largestUnit, duration, agoInWords,
    csrfToken, connectionIndicator,
  };
})();

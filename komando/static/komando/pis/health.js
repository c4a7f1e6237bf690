// PIS health panel (e-Puskesmas): visits, reporting facilities, poli, top diagnoses and drugs.
"use strict";

(function () {
  const pis = Komando.pis;
  const { state, fmt, num, fmtCount, hasCount, byId, el, formatShortDate, setPanelFilled, panelSource } = pis;

  function renderHealth() {
    const data = state.health;
    const hasData = Boolean(data && data.date);
    const health = panelSource("panel-health");
    const received = hasData && (hasCount(data.visits_total) || (health && health.last_success_at));
    setPanelFilled("panel-health", Boolean(received));
    if (!received) return;
    byId("health-visits").textContent = fmtCount(data.visits_total);
    byId("health-date").textContent = `· ${formatShortDate(data.date)}`;
    byId("health-facilities").textContent = data.facilities_total
      ? `${fmt(data.facilities_reporting)} / ${fmt(data.facilities_total)}`
      : fmt(data.facilities_reporting);
    byId("health-empty").hidden = hasCount(data.visits_total);
    const poli = (data.by_poli || []).slice(0, 6);
    const maxPoli = Math.max(1, ...poli.map((p) => num(p.count)));
    byId("health-poli").replaceChildren(
      ...(poli.length ? poli.map((p) => el("li", {},
        el("span", { class: "name", text: p.poli, title: p.poli }),
        el("span", { class: "bar", style: `width:${(100 * num(p.count)) / maxPoli}%` }),
        el("span", { class: "num", text: fmtCount(p.count) }))) : []),
    );
    byId("health-diagnoses").replaceChildren(
      ...(data.top_diagnoses || []).slice(0, 10).map((d) => el("li", { title: `${d.code} ${d.name}` },
        el("span", { class: "code", text: d.code }),
        // The WHO (English) display is the coding's; Indonesian screens show the Indonesian name.
        el("span", { class: "name", text: (document.documentElement.lang.startsWith("id") && d.name_id) || d.name }),
        el("span", { class: "num", text: fmtCount(d.count) }))),
    );
    fitHealth();
    const drugs = byId("health-drugs");
    drugs.classList.add("no-code");
    drugs.replaceChildren(
      ...(data.top_drugs || []).slice(0, 10).map((d) => el("li", { title: `${d.code} ${d.name}` },
        el("span", { class: "name", text: d.name }),
        el("span", { class: "num", text: fmtCount(d.count) }))),
    );
  }

  // The ten diagnoses and drugs always show whole: when the panel is short of room (a "source not
  // answering" line above it, a small screen), the poli list gives up its last rows instead.
  const POLI_MIN_ROWS = 3;
  function fitHealth() {
    const content = document.querySelector("#panel-health [data-content]");
    if (!content || content.hidden) return;
    const poli = [...byId("health-poli").children];
    poli.forEach((row) => { row.hidden = false; });
    const overflowing = () => content.scrollHeight > content.clientHeight + 1;
    for (let index = poli.length - 1; index >= POLI_MIN_ROWS && overflowing(); index--) poli[index].hidden = true;
  }

  Object.assign(pis, { renderHealth, fitHealth });
})();

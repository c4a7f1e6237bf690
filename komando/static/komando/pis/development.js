// PIS development panel (e-Monev): OPDs by physical deviation, for roles allowed to see it.
"use strict";

(function () {
  const pis = Komando.pis;
  const { config, state, t, fmt, decimalFormat, byId, el, formatMonth, setPanelFilled } = pis;

  function scopedDevelopment(data) {
    if (!data || !Array.isArray(state.development_scope)) return data;
    const allowed = new Set(state.development_scope);
    const rows = (data.by_agency || []).filter((row) => allowed.has(row.agency_code));
    return { ...data, by_agency: rows, budget_total: rows.reduce((sum, row) => sum + (row.budget || 0), 0) };
  }

  function renderDevelopment() {
    const panel = byId("panel-development");
    if (!panel) return;
    const data = state.development;
    const rows = (data && data.by_agency) || [];
    setPanelFilled("panel-development", rows.length > 0);
    if (!rows.length) return;
    const budget = new Intl.NumberFormat(config.numberLocale, { style: "currency", currency: "IDR", notation: "compact", maximumFractionDigits: 1 });
    byId("development-period").textContent = [
      data.fiscal_year ? t("fiscal_year", { year: data.fiscal_year }) : null,
      data.as_of_month ? t("up_to_month", { month: formatMonth(data.as_of_month) }) : null,
      data.budget_total ? t("budget", { amount: budget.format(data.budget_total) }) : null,
    ].filter(Boolean).join(" · ");
    const counts = { on_track: 0, waspada: 0, terlambat: 0, kritis: 0 };
    rows.forEach((row) => { counts[row.status] = (counts[row.status] || 0) + 1; });
    byId("development-counts").replaceChildren(
      ...Object.entries(counts).map(([status, n]) => el("li", { class: `dev-status s-${status}`, text: `${t(status)} ${fmt(n)}` })),
    );
    const sorted = [...rows].sort((a, b) => (a.deviation_physical ?? 0) - (b.deviation_physical ?? 0));
    const bar = (kind, value) => el("div", { class: `progress-bar ${kind}`, title: `${t(kind)} ${decimalFormat.format(value ?? 0)}%` },
      el("span", { style: `width:${Math.max(0, Math.min(100, value ?? 0))}%` }));
    byId("development-rows").replaceChildren(
      ...sorted.map((row) => {
        const deviation = row.deviation_physical ?? 0;
        const sign = deviation > 0 ? "+" : deviation < 0 ? "−" : "";
        return el("tr", { class: row.status === "kritis" || row.kritis_projects > 0 ? "kritis" : "", "data-agency": row.agency_code },
          el("td", { class: "agency", title: `${row.agency} · ${t("projects", { n: fmt(row.projects) })}${row.kritis_projects ? ` · ${t("kritis_projects", { n: fmt(row.kritis_projects) })}` : ""}` },
            row.agency, row.kritis_projects ? el("span", { class: "deviation-negative", text: ` ⚠${fmt(row.kritis_projects)}` }) : null),
          el("td", {}, el("div", { class: "progress-bars" },
            bar("plan", row.planned_physical), bar("physical", row.realised_physical), bar("financial", row.realised_financial))),
          el("td", { class: `num ${deviation < 0 ? "deviation-negative" : ""}`, text: `${sign}${decimalFormat.format(Math.abs(deviation))}` }),
          el("td", {}, el("span", { class: `dev-status s-${row.status}`, text: t(row.status) })));
      }),
    );
  }

  Object.assign(pis, { scopedDevelopment, renderDevelopment });
})();

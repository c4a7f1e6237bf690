// PIS population panel (SIAK): totals, the kecamatan bar chart and the age pyramid.
"use strict";

(function () {
  const pis = Komando.pis;
  const { state, t, num, fmtCount, hasCount, byId, formatDate, setPanelFilled, upsertChart, compact } = pis;

  function populationFilled(data) {
    return Boolean(data && data.by_kecamatan && data.by_kecamatan.length && hasCount(data.total));
  }

  function renderPopulation() {
    const data = state.population;
    const filled = populationFilled(data);
    setPanelFilled("panel-population", filled);
    if (!filled) return;
    byId("population-total").textContent = fmtCount(data.total);
    byId("population-male").textContent = fmtCount(data.male);
    byId("population-female").textContent = fmtCount(data.female);
    byId("population-as-of").textContent = data.as_of ? `· ${formatDate(data.as_of)}` : "";
    const kecamatan = [...data.by_kecamatan].sort((a, b) => num(b.total) - num(a.total));
    upsertChart("chart-kecamatan", () => ({
      type: "bar",
      data: {
        labels: kecamatan.map((k) => k.name),
        datasets: [{ label: t("population"), data: kecamatan.map((k) => num(k.total)), shown: kecamatan.map((k) => k.total),
          backgroundColor: "#4393db", borderRadius: 2 }],
      },
      options: {
        indexAxis: "y",
        scales: {
          x: { ticks: { callback: (v) => compact(v), maxTicksLimit: 5 }, grid: { color: "rgba(36,50,79,.6)" } },
          y: { ticks: { autoSkip: false, font: { size: 12 } }, grid: { display: false } },
        },
        plugins: { tooltip: { callbacks: { label: (c) => `${fmtCount(c.dataset.shown[c.dataIndex])} ${t("residents")}` } } },
      },
    }));
    const ages = [...(data.by_age_sex || [])].reverse(); // oldest on top, youngest at the base
    upsertChart("chart-pyramid", () => ({
      type: "bar",
      data: {
        labels: ages.map((a) => a.age_group),
        datasets: [
          { label: t("male"), data: ages.map((a) => -num(a.male)), shown: ages.map((a) => a.male), backgroundColor: "#60a5fa",
            barPercentage: 1, categoryPercentage: 0.92 },
          { label: t("female"), data: ages.map((a) => num(a.female)), shown: ages.map((a) => a.female), backgroundColor: "#f472b6",
            barPercentage: 1, categoryPercentage: 0.92 },
        ],
      },
      options: {
        indexAxis: "y",
        scales: {
          x: { stacked: true, ticks: { callback: (v) => compact(Math.abs(v)), maxTicksLimit: 5 }, grid: { color: "rgba(36,50,79,.6)" } },
          y: { stacked: true, ticks: { autoSkip: false, font: { size: 11 } }, grid: { display: false } },
        },
        plugins: {
          legend: { display: true, position: "bottom", labels: { boxWidth: 12, padding: 8 } },
          tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${fmtCount(c.dataset.shown[c.dataIndex])}` } },
        },
      },
    }));
  }

  Object.assign(pis, { populationFilled, renderPopulation });
})();

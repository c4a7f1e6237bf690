// /peringatan/: the open alerts, live. On every "alerts.changed" event the page re-reads its own
// (access-scoped) JSON; after a reconnect it re-reads too, so nothing changed while offline is missed.
(function () {
  "use strict";
  const root = document.getElementById("al");
  const T = JSON.parse(document.getElementById("al-text").textContent);
  let state = JSON.parse(document.getElementById("al-state").textContent);
  const when = Komando.dom.timeFormat("id-ID", { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit",
    minute: "2-digit" });
  const zone = Komando.dom.zoneLabel;
  const csrf = () => (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";

  function item(alert, withForm) {
    const node = document.getElementById("al-item").content.firstElementChild.cloneNode(true);
    node.dataset.id = alert.id;
    node.dataset.severity = alert.severity;
    node.classList.toggle("al-cleared", Boolean(alert.cleared_at));
    node.querySelector(".al-sev").textContent = T[alert.severity] || alert.severity;
    node.querySelector(".al-title").textContent = alert.title;
    node.querySelector(".al-detail").textContent = alert.detail;
    const meta = node.querySelector(".al-meta");
    meta.textContent = `${T.raised} ${when(alert.raised_at)} ${zone} · ` +
      (alert.cleared_at ? `${T.cleared} ${when(alert.cleared_at)} ${zone}` : T.active) +
      (alert.agency ? ` · ${alert.agency}` : "") + ` · ${alert.rule_name}`;
    if (alert.url) {
      const link = document.createElement("a");
      link.href = alert.url; link.textContent = T.look;
      meta.append(" · ", link);
    }
    const info = node.querySelector(".al-ack-info");
    if (alert.acknowledged_at) {
      info.textContent = `${T.acknowledged} ${alert.acknowledged_by}, ${when(alert.acknowledged_at)} ${zone}: “${alert.ack_comment}”`;
    } else { info.remove(); }
    const form = node.querySelector("form");
    if (!withForm || alert.acknowledged_at) { form.remove(); return node; }
    form.action = root.dataset.ack.replace("/0/", `/${alert.id}/`);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = form.querySelector(".al-error");
      const response = await fetch(form.action, { method: "POST", body: new FormData(form),
        headers: { Accept: "application/json", "X-CSRFToken": csrf() }, credentials: "same-origin" });
      const body = await response.json().catch(() => ({}));
      if (!response.ok) { error.textContent = body.error || response.statusText; error.hidden = false; return; }
      refresh();
    });
    return node;
  }

  function render() {
    const open = document.getElementById("al-open");
    const typing = open.querySelector("input:focus");
    const draft = typing ? { id: typing.closest("li").dataset.id, value: typing.value } : null;
    open.replaceChildren(...state.open.map((alert) => item(alert, true)));
    document.getElementById("al-recent").replaceChildren(...state.recent.map((alert) => item(alert, false)));
    document.getElementById("al-empty").hidden = state.open.length > 0;
    document.getElementById("al-count").textContent = state.open.filter((a) => !a.cleared_at).length;
    document.getElementById("al-asof").textContent = when(state.as_of);
    if (draft) {
      const input = open.querySelector(`li[data-id="${draft.id}"] input[name=comment]`);
      if (input) { input.value = draft.value; input.focus(); }
    }
  }

  let refreshing = null;
  async function refresh() {
    if (refreshing) return refreshing;
    refreshing = fetch(root.dataset.json, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((body) => { if (body) { state = body; render(); } })
      .finally(() => { refreshing = null; });
    return refreshing;
  }

  // The shared live bus (komando/live.js): re-read on every change and after every reconnect.
  function startLive() {
    Komando.live.connect({
      on: { "alerts.changed": () => refresh() },
      resync: refresh,
      status: Komando.dom.connectionIndicator((kind) => T[kind]),
    });
  }
  render();
  startLive();
})();

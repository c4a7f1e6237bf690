/* Komando field app (/petugas/): the officer's tasks, and an offline queue of their updates.

   Every update (a step, a photo with its note) gets an id made here (client_ref) and is written to
   IndexedDB first; a sync loop sends the queue in order whenever the network is there ("online"
   event, a retry with backoff, the "Send now" button). The server stores an update once per
   client_ref, so an update sent twice (its answer lost on the way) is still one row. An update the
   server refuses for a reason (the dispatch was cancelled meanwhile, a bad photo) is shown to the
   officer and taken off the queue; an ended session keeps the queue until they log in again. */
(() => {
  "use strict";

  const config = JSON.parse(document.getElementById("field-config").textContent);
  const L = JSON.parse(document.getElementById("field-labels").textContent);
  const $ = (id) => document.getElementById(id);
  const STEPS = ["en_route", "on_scene", "done"];
  const NEXT = { dispatched: ["en_route", "on_scene"], en_route: ["on_scene"], on_scene: ["done"], done: [], cancelled: [] };
  const SHRINK_ABOVE_BYTES = 1500000;
  const MAX_SIDE = 2560;
  const MAX_BACKOFF_S = 60;

  let tasks = [];
  let queue = [];
  let refusals = [];
  let position = null;
  let syncing = false;
  let backoff = 0;
  let retryTimer = null;
  let state = navigator.onLine ? "online" : "offline";
  let stateParams = {};

  const format = (text, params) => text.replace(/\{(\w+)\}/g, (_, key) => (key in params ? params[key] : ""));
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key.startsWith("data-") || key.startsWith("aria-") || key === "for" || key === "capture") node.setAttribute(key, value);
      else if (key in node) node[key] = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  };

  // ---------------------------------------------------------------- IndexedDB (one database per officer)
  const DB_NAME = "komando-field-" + config.user;
  let dbPromise = null;

  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
          db.createObjectStore("kept", { keyPath: "key" });
          db.createObjectStore("refusals", { keyPath: "client_ref" });
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return dbPromise;
  }

  async function store(name, mode, work) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(name, mode);
      const result = work(transaction.objectStore(name));
      transaction.oncomplete = () => resolve(result && "result" in result ? result.result : result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }

  const readQueue = () => store("queue", "readonly", (s) => s.getAll());
  const addToQueue = (item) => store("queue", "readwrite", (s) => s.add(item));
  const removeFromQueue = (seq) => store("queue", "readwrite", (s) => s.delete(seq));
  const keep = (key, value) => store("kept", "readwrite", (s) => s.put({ key, value }));
  const kept = async (key) => ((await store("kept", "readonly", (s) => s.get(key))) || {}).value;
  const readRefusals = () => store("refusals", "readonly", (s) => s.getAll());
  const addRefusal = (refusal) => store("refusals", "readwrite", (s) => s.put(refusal));
  const removeRefusal = (ref) => store("refusals", "readwrite", (s) => s.delete(ref));

  function newRef() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function csrfToken() {
    const match = document.cookie.split("; ").find((part) => part.startsWith(config.csrf_cookie + "="));
    return match ? decodeURIComponent(match.split("=")[1]) : "";
  }

  // ---------------------------------------------------------------- what the officer sees
  function effectiveStatus(task) {
    let status = task.status;
    for (const item of queue) {
      if (item.dispatch === task.dispatch && item.type === "step") status = item.status;
    }
    return status;
  }

  function effectiveIncidentStatus(task, status) {
    // The first unit on scene puts an assigned incident in progress (the server does the same).
    if (task.incident_status === "ditugaskan" && (status === "on_scene" || status === "done")) return "dalam_penanganan";
    return task.incident_status;
  }

  function distanceText(task) {
    let metres = null;
    let label = L.distance_unit;
    if (position) {
      metres = haversine(position.lat, position.lon, task.lat, task.lon);
      label = L.distance_phone;
    } else if (task.unit_distance_m !== null && task.unit_distance_m !== undefined) {
      metres = task.unit_distance_m;
    }
    if (metres === null) return "";
    const distance = metres < 1000 ? `${Math.round(metres / 10) * 10} m` : `${(metres / 1000).toFixed(1).replace(".", ",")} km`;
    return format(label, { distance });
  }

  function haversine(lat1, lon1, lat2, lon2) {
    const rad = Math.PI / 180;
    const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
    return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
  }

  function card(task) {
    const status = effectiveStatus(task);
    const pending = queue.filter((item) => item.dispatch === task.dispatch);
    const finished = status === "done" || status === "cancelled";
    const node = el("li", {
      class: "task", "data-dispatch": task.dispatch, "data-status": status, "data-priority": task.priority,
      "data-pending": pending.length, "data-incident-status": task.incident_status,
    });
    node.append(el("div", { class: "task-head" },
      el("span", { class: "priority", "data-priority": task.priority, text: task.priority_label }),
      el("span", { class: "ticket", text: task.ticket }),
      el("span", { class: "unit-status", "data-status": status, text: L["status_" + status] || status })));
    node.append(el("h2", { class: "task-category", text: task.category }));
    if (task.title && !task.title.startsWith(task.category)) node.append(el("p", { class: "task-title", text: task.title }));
    const place = [task.address, `Kel. ${task.kelurahan}, Kec. ${task.kecamatan}`].filter(Boolean).join(" · ");
    node.append(el("p", { class: "task-place", text: place }));
    const distance = distanceText(task);
    if (distance) node.append(el("p", { class: "task-distance", text: distance }));
    if (task.description) node.append(el("p", { class: "task-description", text: task.description }));

    if (task.steps.length) {
      const list = el("ol", { class: "sop-steps" });
      for (const step of task.steps) {
        list.append(el("li", { "data-done": step.done ? "1" : "0" },
          el("span", { text: step.title }),
          step.mandatory ? el("span", { class: "mandatory", text: ` (${L.sop_mandatory})` }) : null));
      }
      node.append(el("details", { class: "sop" }, el("summary", { text: `${L.sop} (${task.steps.length})` }), list));
    }

    const before = task.photos.before + pending.filter((i) => i.type === "photo" && i.kind === "before").length;
    const after = task.photos.after + pending.filter((i) => i.type === "photo" && i.kind === "after").length;
    node.append(el("p", { class: "task-photos", "data-before": before, "data-after": after,
      text: format(L.photos_taken, { before, after }) }));

    const resolving = pending.some((item) => item.type === "resolve");
    const resolved = task.incident_status === "selesai" || task.incident_status === "ditutup";
    const mayResolve = status === "done" && !resolving && effectiveIncidentStatus(task, status) === "dalam_penanganan";
    if (!finished || mayResolve) {
      const note = el("textarea", { class: "task-note", rows: 2, maxLength: 1000, id: `note-${task.dispatch}` });
      node.append(el("label", { class: "note-label", for: `note-${task.dispatch}`, text: L.note }), note);
      const photos = el("div", { class: "photo-actions" });
      for (const kind of finished ? ["after"] : ["before", "after"]) {
        const input = el("input", { type: "file", accept: "image/*", capture: "environment", "data-photo-kind": kind,
          class: "photo-input" });
        input.addEventListener("change", () => addPhoto(task, kind, input, note));
        photos.append(el("label", { class: "photo-button", "data-kind": kind }, el("span", { text: L["photo_" + kind] }), input));
      }
      node.append(photos);
      const steps = el("div", { class: "steps" });
      if (!finished) {
        const current = STEPS.indexOf(status);
        for (const step of STEPS) {
          const allowed = (NEXT[status] || []).includes(step);
          const stepState = STEPS.indexOf(step) <= current ? "done" : allowed ? "next" : "todo";
          const button = el("button", { type: "button", class: "step-button", "data-step": step, "data-state": stepState,
            disabled: !allowed, text: L["step_" + step] });
          button.addEventListener("click", () => addStep(task, step, note));
          steps.append(button);
        }
      } else {
        const button = el("button", { type: "button", class: "step-button resolve-button", "data-step": "resolve",
          "data-state": after > 0 ? "next" : "todo", disabled: after === 0, text: L.resolve });
        button.addEventListener("click", () => addResolve(task, note));
        steps.append(button);
      }
      node.append(steps);
      if (status === "on_scene" && after === 0) node.append(el("p", { class: "hint", text: L.after_photo_hint }));
      if (mayResolve) node.append(el("p", { class: "hint", text: after > 0 ? L.resolve_hint : L.resolve_needs_photo }));
    } else {
      node.append(el("p", { class: "task-finished", "data-resolved": resolved ? "1" : "0",
        text: resolved && status === "done" ? `${L.finished} · ${L.resolved}` : L.finished }));
    }
    if (pending.length) {
      node.append(el("p", { class: "task-pending", text: `${pending.length} ${L.pending}` }));
    }
    return node;
  }

  function renderTasks() {
    const list = $("tasks");
    list.replaceChildren(...tasks.map(card));
    list.setAttribute("aria-busy", "false");
    $("no-tasks").hidden = tasks.length > 0;
    $("no-tasks").textContent = L.no_tasks;
  }

  function renderQueue() {
    const count = queue.length;
    $("queue-count").textContent = String(count);
    $("queue").dataset.count = String(count);
    $("queue-label").textContent = count === 1 ? L.queue_one : L.queue_many;
    $("queue").hidden = count === 0;
    $("sync-now").disabled = count === 0 || syncing;
    const sync = $("sync");
    sync.dataset.state = state;
    let text = L["state_" + state] || state;
    text = format(text, stateParams);
    $("sync-state").textContent = text;
    if (state === "login") {
      $("sync-state").replaceChildren(text + " ", el("a", { href: config.login_url, text: "→" }));
    }
  }

  function renderRefusals() {
    const box = $("refusals");
    box.hidden = refusals.length === 0;
    box.replaceChildren(...refusals.map((refusal) => {
      const dismiss = el("button", { type: "button", class: "link-button", text: L.dismiss });
      dismiss.addEventListener("click", async () => {
        await removeRefusal(refusal.client_ref);
        refusals = refusals.filter((r) => r.client_ref !== refusal.client_ref);
        renderRefusals();
      });
      return el("div", { class: "refusal", "data-client-ref": refusal.client_ref, "data-error": refusal.error },
        el("p", { text: `${refusal.what}: ${format(L.refused, { message: refusal.message })}` }), dismiss);
    }));
  }

  function render() {
    renderTasks();
    renderQueue();
  }

  function setState(next, params = {}) {
    state = next;
    stateParams = params;
    renderQueue();
  }

  // ---------------------------------------------------------------- queuing updates
  async function enqueue(item) {
    item.client_ref = newRef();
    item.queued_at = new Date().toISOString();
    if (position) Object.assign(item, { lat: position.lat, lon: position.lon });
    await addToQueue(item);
    queue = await readQueue();
    render();
    sync();
  }

  function describe(task, item) {
    const what = item.type === "step" ? L["step_" + item.status] : item.type === "resolve" ? L.resolve : L["photo_" + item.kind];
    return `${task ? task.ticket : "#" + item.dispatch} · ${what}`;
  }

  function addStep(task, step, note) {
    const text = note.value.trim();
    note.value = "";
    enqueue({ type: "step", dispatch: task.dispatch, status: step, note: text, what: describe(task, { type: "step", status: step }) });
  }

  function addResolve(task, note) {
    const text = note.value.trim();
    note.value = "";
    enqueue({ type: "resolve", dispatch: task.dispatch, note: text, what: describe(task, { type: "resolve" }) });
  }

  async function addPhoto(task, kind, input, note) {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    const photo = await shrink(file);
    if (photo.size > config.photo_max_bytes) {
      await showRefusal({ client_ref: newRef(), what: describe(task, { type: "photo", kind }), error: "photo_too_large",
        message: format(L.photo_too_large, { size: (photo.size / 1048576).toFixed(1), max: config.photo_max_mb }) });
      return;
    }
    const text = note.value.trim();
    note.value = "";
    enqueue({ type: "photo", dispatch: task.dispatch, kind, blob: photo, filename: photo.name || "photo.jpg",
      note: text, what: describe(task, { type: "photo", kind }) });
  }

  async function shrink(file) {
    // Phone cameras make photos of several MB: a large one is scaled to 2560 px before it is queued.
    if (file.size <= SHRINK_ABOVE_BYTES || !window.createImageBitmap) return file;
    try {
      const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
      const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      const canvas = el("canvas", { width: Math.round(bitmap.width * scale), height: Math.round(bitmap.height * scale) });
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
      if (blob && blob.size < file.size) return new File([blob], "photo.jpg", { type: "image/jpeg" });
    } catch (error) { /* not decodable here: the server checks it */ }
    return file;
  }

  async function showRefusal(refusal) {
    await addRefusal(refusal);
    refusals = await readRefusals();
    renderRefusals();
  }

  // ---------------------------------------------------------------- sending the queue
  function send(item) {
    const urls = { step: config.steps_url, photo: config.photos_url, resolve: config.resolve_url };
    const url = urls[item.type].replace("{id}", item.dispatch);
    const headers = { "X-CSRFToken": csrfToken(), Accept: "application/json" };
    let body;
    if (item.type === "step") {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify({ client_ref: item.client_ref, status: item.status, note: item.note,
        lat: item.lat ?? null, lon: item.lon ?? null });
    } else if (item.type === "resolve") {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify({ client_ref: item.client_ref, note: item.note });
    } else {
      body = new FormData();
      body.append("client_ref", item.client_ref);
      body.append("kind", item.kind);
      body.append("note", item.note || "");
      if (item.lat !== undefined) { body.append("lat", item.lat); body.append("lon", item.lon); }
      body.append("photo", item.blob, item.filename);
    }
    return fetch(url, { method: "POST", headers, body, credentials: "same-origin", cache: "no-store" });
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    backoff = Math.min(backoff ? backoff * 2 : 2, MAX_BACKOFF_S);
    setState(navigator.onLine ? "retry" : "offline", { seconds: backoff });
    retryTimer = setTimeout(sync, backoff * 1000);
  }

  async function sync() {
    if (syncing) return;
    queue = await readQueue();
    if (!queue.length) {
      if (state !== "login") setState(navigator.onLine ? (state === "syncing" ? "synced" : "online") : "offline");
      return;
    }
    if (!navigator.onLine) { setState("offline"); return; }
    clearTimeout(retryTimer);
    syncing = true;
    setState("syncing");
    let sent = 0;
    try {
      while (queue.length) {
        const item = queue[0];
        let response;
        try {
          response = await send(item);
        } catch (networkError) {
          scheduleRetry();
          return;
        }
        let body = {};
        try { body = await response.json(); } catch (error) { body = {}; }
        if (response.ok) {
          await removeFromQueue(item.seq);
          sent += 1;
        } else if (response.status === 401 || body.error === "csrf_failed") {
          setState("login");  // keep the queue until the officer logs in again
          return;
        } else if (response.status >= 500 || response.status === 408 || response.status === 429) {
          scheduleRetry();
          return;
        } else {  // refused for a reason: tell the officer, do not send it again
          await removeFromQueue(item.seq);
          await showRefusal({ client_ref: item.client_ref, what: item.what || item.type, error: body.error || String(response.status),
            message: body.message || response.statusText || String(response.status) });
        }
        queue = await readQueue();
        renderQueue();
      }
      backoff = 0;
      setState("synced");
    } finally {
      syncing = false;
      renderQueue();
      if (sent || !queue.length) refreshTasks();
    }
  }

  // ---------------------------------------------------------------- the task list (network, else the last one kept)
  async function refreshTasks() {
    let data = null;
    let cachedAt = null;
    try {
      const response = await fetch(config.tasks_url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.status === 401) { setState("login"); }
      if (response.ok) {
        data = await response.json();
        if (response.headers.get("X-Komando-From-Cache")) {
          cachedAt = await kept("tasks_at");
        } else {
          await keep("tasks", data);
          await keep("tasks_at", new Date().toISOString());
        }
      }
    } catch (error) { /* offline and no service worker copy */ }
    if (!data) {
      data = await kept("tasks");
      cachedAt = await kept("tasks_at");
    }
    if (data) tasks = data.tasks;
    queue = await readQueue();
    const notice = $("tasks-cached");
    notice.hidden = !cachedAt;
    if (cachedAt) {
      // the city's zone and its label, as the server wrote them on <meta name="komando-clock"> (base.html)
      const { timeZone, zoneLabel } = document.querySelector('meta[name="komando-clock"]').dataset;
      const time = new Date(cachedAt).toLocaleTimeString(document.documentElement.lang || "id",
        { hour: "2-digit", minute: "2-digit", timeZone: timeZone || undefined });
      notice.textContent = format(L.tasks_cached, { time: `${time} ${zoneLabel || ""}`.trim() });
    }
    render();
  }

  // ---------------------------------------------------------------- the phone's position, when allowed
  function watchPosition() {
    const label = $("location-state");
    label.textContent = L.location_unknown;
    if (!navigator.geolocation) return;
    navigator.geolocation.watchPosition((found) => {
      position = { lat: found.coords.latitude, lon: found.coords.longitude };
      label.textContent = L.location_known;
      renderTasks();
    }, () => { label.textContent = L.location_unknown; }, { enableHighAccuracy: true, maximumAge: 60000, timeout: 30000 });
  }

  // ---------------------------------------------------------------- start
  window.addEventListener("online", () => { backoff = 0; setState("online"); sync(); });
  window.addEventListener("offline", () => { clearTimeout(retryTimer); setState("offline"); });
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") sync(); });
  $("sync-now").addEventListener("click", () => { backoff = 0; sync(); });
  setInterval(() => { if (queue.length && !syncing && navigator.onLine) sync(); }, 30000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.sw_url, { scope: "/petugas/" }).catch(() => {});
  }
  window.KOMANDO_FIELD = { sync, readQueue, refreshTasks, get state() { return state; } };

  (async () => {
    refusals = await readRefusals();
    renderRefusals();
    await refreshTasks();
    watchPosition();
    sync();
  })();
})();

// The live bus of every Komando screen: one WebSocket to /ws/live/, kept open by itself.
//
//   const bus = Komando.live.connect({
//     on: { "incidents.changed": (event) => … },   // handlers by event type
//     onEvent: (event) => …,                        // or every event (the "hello" too)
//     resync: async () => …,                        // re-reads the page's state over HTTP
//     resyncOnConnect: false,                       // true: also right after the first connection
//     status: (state, info) => …,                   // "connecting" | "live" | "offline"
//     build: "…",                                   // the build the page was rendered by, if known
//   });
//
// A dropped connection is retried with exponential backoff and jitter (at most 30 s apart). After
// every reconnection the page's resync() runs, so nothing that changed while away is missed; a
// resync that fails is tried again while the connection stays open. Every connection starts with
// the server's "hello", which carries the build it runs: when that build differs from the one the
// page was rendered by (or first connected to), the server was redeployed and the page reloads.
"use strict";

(function () {
  const Komando = (window.Komando = window.Komando || {});
  const BASE_DELAY_MS = 1000;
  const MAX_DELAY_MS = 30000;
  const RESYNC_RETRY_MS = 3000;

  // Visible to tests and operators: the bus of this page, how often it (re)connected and resynced.
  const stats = (window.KOMANDO_BUS = { state: "connecting", connections: 0, reconnections: 0, resyncs: 0,
    events: 0, build: null });

  function backoff(attempt) {
    // Full jitter on the upper half: between half and all of the exponential step, capped.
    return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
  }

  function connect(options = {}) {
    const handlers = new Map();
    for (const [type, handler] of Object.entries(options.on || {})) subscribe(type, handler);
    let socket = null;
    let attempts = 0;
    let everConnected = false;
    let build = options.build || null;
    let stopped = false;

    function subscribe(type, handler) {
      if (!handlers.has(type)) handlers.set(type, []);
      handlers.get(type).push(handler);
      return () => handlers.set(type, handlers.get(type).filter((h) => h !== handler));
    }

    function setStatus(state) {
      stats.state = state;
      // everConnected is still false while the first connection reports "live".
      if (options.status) options.status(state, { everConnected, reconnected: state === "live" && everConnected });
    }

    async function resync() {
      if (!options.resync) return;
      try {
        await options.resync();
        stats.resyncs += 1;
      } catch (error) {
        console.warn("live resync failed", error);
        setTimeout(() => { if (isOpen()) resync(); }, RESYNC_RETRY_MS);
      }
    }

    function dispatch(event) {
      if (!event || typeof event.type !== "string") return;
      stats.events += 1;
      if (event.type === "hello" && event.data && event.data.build) {
        if (build && event.data.build !== build) { location.reload(); return; } // a new deployment
        build = event.data.build;
        stats.build = build;
      }
      for (const handler of handlers.get(event.type) || []) handler(event);
      if (options.onEvent) options.onEvent(event);
    }

    function open() {
      if (stopped) return;
      const scheme = location.protocol === "https:" ? "wss" : "ws";
      socket = new WebSocket(`${scheme}://${location.host}/ws/live/`);
      setStatus("connecting");
      socket.addEventListener("open", () => {
        const reconnected = everConnected;
        attempts = 0;
        stats.connections += 1;
        if (reconnected) stats.reconnections += 1;
        setStatus("live");
        everConnected = true;
        if (reconnected || options.resyncOnConnect) resync();
      });
      socket.addEventListener("message", (message) => {
        let event;
        try { event = JSON.parse(message.data); } catch (error) { console.warn("unreadable live event", error); return; }
        try { dispatch(event); } catch (error) { console.warn("live event not applied", event.type, error); }
      });
      socket.addEventListener("close", () => {
        setStatus("offline");
        if (stopped) return;
        setTimeout(open, backoff(attempts));
        attempts += 1;
      });
    }

    function isOpen() {
      return Boolean(socket) && socket.readyState === WebSocket.OPEN;
    }

    function close() {
      stopped = true;
      if (socket) socket.close();
    }

    open();
    return { subscribe, isOpen, close, resync, get everConnected() { return everConnected; } };
  }

  Komando.live = { connect, backoff, stats };
})();

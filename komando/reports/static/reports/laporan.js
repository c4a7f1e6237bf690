// Daily report page (/laporan-harian/): no polling. Over /ws/live/ the page hears "reports.generated";
// when a newer version of the day it shows is made (by the schedule or by someone pressing "Buat ulang
// sekarang"), it offers it. After a reconnect it reads its own URL again to catch a version made meanwhile.
"use strict";

const root = document.getElementById("laporan-harian");
const day = root.dataset.day;
let shownVersion = Number(root.dataset.version || 0);

function offer(version) {
  if (version <= shownVersion) return;
  const banner = document.getElementById("lh-newer");
  banner.dataset.version = String(version);
  banner.hidden = false;
}

async function reread() {
  try {
    const response = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const fresh = page.getElementById("laporan-harian");
    if (fresh) offer(Number(fresh.dataset.version || 0));
  } catch (error) {
    console.warn("could not read the report again", error);
  }
}

let attempts = 0;
let everConnected = false;
function connect() {
  const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/live/`);
  socket.addEventListener("open", () => {
    attempts = 0;
    if (everConnected) reread();
    everConnected = true;
    root.dataset.live = "connected";
  });
  socket.addEventListener("message", (message) => {
    let event;
    try { event = JSON.parse(message.data); } catch (error) { return; }
    if (event.type === "reports.generated" && event.data && event.data.day === day) offer(Number(event.data.version));
  });
  socket.addEventListener("close", () => {
    root.dataset.live = "offline";
    const delay = Math.min(30000, 1000 * 2 ** attempts) * (0.5 + Math.random() / 2);
    attempts += 1;
    setTimeout(connect, delay);
  });
}

connect();

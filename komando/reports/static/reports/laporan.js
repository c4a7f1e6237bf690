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

// Over the shared live bus (komando/live.js): after every reconnect, read the page again.
Komando.live.connect({
  on: {
    "reports.generated": (event) => {
      if (event.data && event.data.day === day) offer(Number(event.data.version));
    },
  },
  resync: reread,
  status: (state) => {
    if (state === "live") root.dataset.live = "connected";
    else if (state === "offline") root.dataset.live = "offline";
  },
});

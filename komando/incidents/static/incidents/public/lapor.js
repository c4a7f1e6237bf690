// The residents' report form: a small map of the city (our kecamatan outlines, no tile server) to tap
// the place, the phone's location as an option, a size check of the photo before sending, and one
// send per form (the server also takes the same form twice as one report).
"use strict";

(function () {
  const labels = JSON.parse(document.getElementById("lapor-labels").textContent);
  const kecamatan = JSON.parse(document.getElementById("lapor-kecamatan").textContent);
  const form = document.getElementById("lapor-form");
  const latInput = form.querySelector("input[name=lat]");
  const lonInput = form.querySelector("input[name=lon]");
  const sourceInput = form.querySelector("input[name=location_source]");
  const status = document.getElementById("map-status");
  const t = (key, values = {}) => labels[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));

  function say(text, tone) {
    status.textContent = text;
    if (tone) status.dataset.tone = tone;
    else delete status.dataset.tone;
  }

  // ---------- point in the city (ray casting over the kecamatan polygons, [lon, lat]) ----------
  function inRing(x, y, ring) {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function inPolygon(x, y, rings) {
    return inRing(x, y, rings[0]) && !rings.slice(1).some((hole) => inRing(x, y, hole));
  }
  function kecamatanAt(lat, lon) {
    for (const feature of kecamatan.features) {
      const geometry = feature.geometry;
      if (!geometry) continue;
      const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
      if (polygons.some((rings) => inPolygon(lon, lat, rings))) return feature.properties.name;
    }
    return null;
  }

  // ---------- map ----------
  const map = L.map("lapor-map", { attributionControl: false, zoomSnap: 0.25 });
  const outline = L.geoJSON(kecamatan, {
    style: { color: "#5cc8ff", weight: 1.2, fillColor: "#15213a", fillOpacity: 0.9 },
  }).addTo(map);
  if (outline.getBounds().isValid()) map.fitBounds(outline.getBounds(), { padding: [6, 6] });
  let marker = null;

  function setPoint(lat, lon, source, { pan = false } = {}) {
    const name = kecamatanAt(lat, lon);
    const hasOutlines = kecamatan.features.some((f) => f.geometry);
    if (hasOutlines && !name) {
      say(t("outside"), "bad");
      return;
    }
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
    sourceInput.value = source;
    if (marker) marker.setLatLng([lat, lon]);
    else marker = L.circleMarker([lat, lon], { radius: 11, color: "#ffffff", weight: 3, fillColor: "#f97316",
                                               fillOpacity: 1 }).addTo(map);
    if (pan) map.setView([lat, lon], Math.max(map.getZoom(), 15));
    say(name ? t("marked", { name }) : t("marked_plain"), "ok");
  }

  map.on("click", (event) => setPoint(event.latlng.lat, event.latlng.lng, "map"));
  outline.on("click", (event) => setPoint(event.latlng.lat, event.latlng.lng, "map"));
  if (latInput.value && lonInput.value) {
    setPoint(Number(latInput.value), Number(lonInput.value), sourceInput.value || "map");
  }

  // ---------- the phone's location ----------
  const locate = document.getElementById("use-location");
  if ("geolocation" in navigator) {
    locate.hidden = false;
    locate.addEventListener("click", () => {
      say(t("locating"));
      navigator.geolocation.getCurrentPosition(
        (position) => setPoint(position.coords.latitude, position.coords.longitude, "gps", { pan: true }),
        () => say(t("geolocation_failed"), "bad"),
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  // ---------- photo size, before a long upload ----------
  const photo = form.querySelector("input[name=photo]");
  const photoError = document.getElementById("photo-client-error");
  const maxBytes = Number(photo.dataset.maxBytes);
  const mb = (bytes) => (bytes / (1024 * 1024)).toFixed(bytes >= 10 * 1024 * 1024 ? 0 : 1).replace(/\.0$/, "");
  photo.addEventListener("change", () => {
    const file = photo.files[0];
    if (file && maxBytes && file.size > maxBytes) {
      photoError.textContent = t("photo_too_large", { size: mb(file.size), max: mb(maxBytes) });
      photoError.hidden = false;
      photo.value = "";
    } else {
      photoError.hidden = true;
    }
  });

  // ---------- one send ----------
  const send = document.getElementById("send-report");
  const sendText = send.textContent;
  form.addEventListener("submit", () => {
    send.disabled = true;
    send.textContent = t("sending");
  });
  window.addEventListener("pageshow", () => {
    send.disabled = false;
    send.textContent = sendText;
  });

  window.KOMANDO_LAPOR = { map, setPoint, kecamatanAt };
})();

// The residents' report form: a small map of the city (our kecamatan outlines, no tile server) to tap
// the place, the phone's location as an option, a size check of the photo before sending, and one
// send per form (the server also takes the same form twice as one report).
"use strict";

(function () {
  const labels = Komando.dom.readJson("lapor-labels");
  const outlines = Komando.dom.readJson("lapor-outlines");
  const form = document.getElementById("lapor-form");
  const latInput = form.querySelector("input[name=lat]");
  const lonInput = form.querySelector("input[name=lon]");
  const sourceInput = form.querySelector("input[name=location_source]");
  const status = document.getElementById("map-status");
  const t = Komando.dom.translator(labels);

  function say(text, tone) {
    status.textContent = text;
    if (tone) status.dataset.tone = tone;
    else delete status.dataset.tone;
  }

  // ---------- point in the city (ray casting over the polygons, [lon, lat]) ----------
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
  function featureAt(collection, lat, lon) {
    for (const feature of collection.features) {
      const geometry = feature.geometry;
      if (!geometry || !geometry.coordinates) continue;
      const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
      if (polygons.some((rings) => inPolygon(lon, lat, rings))) return feature.properties;
    }
    return null;
  }

  // ---------- map: kecamatan outlines and names; kelurahan when zoomed in ----------
  const DETAIL_ZOOM = 13.5;
  const map = Komando.map.create("lapor-map", { boundaries: outlines.kecamatan, tooltip: null, padding: [6, 6], center: null,
    style: { color: "#5cc8ff", weight: 1.4, fillColor: "#15213a", fillOpacity: 0.9 } }).map;
  const label = (className) => ({ permanent: true, direction: "center", className, interactive: false });
  const kelurahan = L.geoJSON(outlines.kelurahan, {
    interactive: false, style: { color: "#5cc8ff", weight: 0.8, opacity: 0.7, fill: false, dashArray: "3 3" },
  });
  const names = (collection, className) => L.layerGroup(collection.features.map((feature) =>
    L.tooltip(label(className)).setLatLng(feature.properties.centroid)
      .setContent(feature.properties.name)));
  const kecamatanNames = names(outlines.kecamatan, "lapor-label");
  const kelurahanNames = names(outlines.kelurahan, "lapor-label lapor-label-small");
  function showDetail() {
    const detailed = map.getZoom() >= DETAIL_ZOOM;
    for (const [layer, show] of [[kelurahan, detailed], [kelurahanNames, detailed], [kecamatanNames, !detailed]]) {
      if (show && !map.hasLayer(layer)) layer.addTo(map);
      if (!show && map.hasLayer(layer)) map.removeLayer(layer);
    }
  }
  map.on("zoomend", showDetail);
  showDetail();
  let marker = null;

  function setPoint(lat, lon, source, { zoom = false } = {}) {
    const hasOutlines = outlines.kecamatan.features.some((f) => f.geometry);
    const kec = featureAt(outlines.kecamatan, lat, lon);
    if (hasOutlines && !kec) {
      say(t("outside"), "bad");
      return;
    }
    const kel = featureAt(outlines.kelurahan, lat, lon);
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
    sourceInput.value = source;
    if (marker) marker.setLatLng([lat, lon]);
    else marker = L.circleMarker([lat, lon], { radius: 11, color: "#ffffff", weight: 3, fillColor: "#f97316",
                                               fillOpacity: 1 }).addTo(map);
    if (zoom && map.getZoom() < DETAIL_ZOOM + 0.5) map.setView([lat, lon], DETAIL_ZOOM + 0.5);
    else if (zoom) map.panTo([lat, lon]);
    say(kec && kel ? t("marked", { kelurahan: kel.name, kecamatan: kec.name }) : t("marked_plain"), "ok");
  }

  const tapped = (event) => setPoint(event.latlng.lat, event.latlng.lng, "map", { zoom: true });
  map.on("click", tapped);  // taps on the outlines bubble up to the map
  if (latInput.value && lonInput.value) {
    setPoint(Number(latInput.value), Number(lonInput.value), sourceInput.value || "map", { zoom: true });
  }

  // ---------- the phone's location ----------
  const locate = document.getElementById("use-location");
  if ("geolocation" in navigator) {
    locate.hidden = false;
    locate.addEventListener("click", () => {
      say(t("locating"));
      navigator.geolocation.getCurrentPosition(
        (position) => setPoint(position.coords.latitude, position.coords.longitude, "gps", { zoom: true }),
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

  window.KOMANDO_LAPOR = { map, setPoint, featureAt, outlines };
})();

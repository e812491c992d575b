// The map page: draws the children of an area coloured by open and overdue cases, open cases as
// points (and cameras when the server lists them), and drills down on click. Data comes from
// /api/map/areas and /api/map/cases; everything it needs ships inside the binary.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var d = el.dataset;
  // Chinese tile servers draw in GCJ-02; shiyu stores WGS-84, so points are shifted for display
  // when the configured tiles say so (the forward formula is exact; nothing is sent back).
  var gcj = d.tileCrs === "gcj02";
  function outOfChina(lon, lat) { return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271; }
  function tLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
  }
  function tLon(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
  }
  function ll(lon, lat) {
    if (!gcj || outOfChina(lon, lat)) return L.latLng(lat, lon);
    var a = 6378245.0, ee = 0.00669342162296594323;
    var dLat = tLat(lon - 105, lat - 35), dLon = tLon(lon - 105, lat - 35);
    var rad = lat / 180 * Math.PI, m = 1 - ee * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(m);
    dLat = dLat * 180 / (a * (1 - ee) / (m * sq) * Math.PI);
    dLon = dLon * 180 / (a / sq * Math.cos(rad) * Math.PI);
    return L.latLng(lat + dLat, lon + dLon);
  }
  var map = L.map(el, { zoomControl: true, attributionControl: !!d.tiles });
  if (d.tiles) L.tileLayer(d.tiles, { maxZoom: 19 }).addTo(map);
  var areas = L.featureGroup().addTo(map);
  var cases = L.layerGroup().addTo(map);
  var cameras = L.layerGroup();
  var layers = {};
  layers[d.tCases] = cases;
  layers[d.tCameras] = cameras;
  L.control.layers(null, layers).addTo(map);

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function colour(p) {
    if (p.overdue > 0) return "#c9302c";
    if (p.open > 0) return "#e8a33d";
    return "#3f9c5a";
  }
  function get(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }

  function show(code) {
    var q = code ? "?area=" + encodeURIComponent(code) : "";
    get("/api/map/areas" + q).then(function (fc) {
      areas.clearLayers();
      var here = fc.area || {};
      document.getElementById("map-area-name").textContent = here.name || "";
      var list = document.getElementById("map-list");
      list.href = "/cases?state=open&area=" + encodeURIComponent(here.code || "");
      var up = document.getElementById("map-up");
      up.hidden = !here.up;
      up.onclick = function (e) { e.preventDefault(); show(here.up); };
      el.dataset.current = here.code || "";
      L.geoJSON(fc, {
        coordsToLatLng: function (c) { return ll(c[0], c[1]); },
        style: function (f) {
          return { color: "#33475b", weight: 1, fillColor: colour(f.properties), fillOpacity: 0.45 };
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          var html = "<strong>" + esc(p.name) + "</strong><br>" + esc(d.tOpen) + " " + p.open + " · " +
            esc(d.tOverdue) + " " + p.overdue + "<br><a data-testid=\"map-area-list\" href=\"/cases?state=open&area=" +
            encodeURIComponent(p.code) + "\">" + esc(d.tList) + "</a>";
          if (p.drill) html += " · <a href=\"#\" class=\"drill\" data-code=\"" + esc(p.code) + "\">" + esc(d.tDrill) + "</a>";
          layer.bindPopup(html);
          layer.bindTooltip(esc(p.name) + (p.open ? " (" + p.open + ")" : ""), { sticky: true });
          layer.feature.properties = p;
          layer.getElement && layer.on("add", function () {
            var e = layer.getElement();
            if (e) e.setAttribute("data-code", p.code);
          });
        },
      }).eachLayer(function (l) { areas.addLayer(l); });
      if (areas.getLayers().length) {
        map.fitBounds(areas.getBounds(), { padding: [10, 10] });
      } else {
        map.setView([28.2, 113.0], 11);
        L.popup().setLatLng(map.getCenter()).setContent(esc(d.tEmpty)).openOn(map);
      }
      return get("/api/map/cases" + (here.code ? "?area=" + encodeURIComponent(here.code) : ""));
    }).then(function (pts) {
      cases.clearLayers();
      (pts.features || []).forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        L.circleMarker(ll(c[0], c[1]), {
          radius: 5, weight: 1, color: "#fff", fillOpacity: 0.9, fillColor: p.overdue ? "#c9302c" : "#2b6cb0",
        }).bindPopup("<a href=\"/cases/" + esc(p.id) + "\">" + esc(p.number) + "</a><br>" + esc(p.title))
          .addTo(cases);
      });
      el.dataset.cases = String((pts.features || []).length);
      el.dataset.ready = "1";
      var current = el.dataset.current;
      return get("/api/map/cameras" + (current ? "?area=" + encodeURIComponent(current) : ""));
    }).then(function (cams) {
      cameras.clearLayers();
      (cams.features || []).forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        L.circleMarker(ll(c[0], c[1]), {
          radius: 4, weight: 2, color: p.status === "online" ? "#2f855a" : "#718096", fillOpacity: 0.2,
        }).bindPopup(esc(p.name) + "<br>" + esc(p.code) + (p.status === "online"
          ? "<br><a target=\"_blank\" rel=\"noopener\" href=\"" + esc(p.stream_url) + "\">" + esc(p.stream_url) + "</a>" : ""))
          .addTo(cameras);
      });
      el.dataset.cameras = String((cams.features || []).length);
    }).catch(function (err) {
      el.dataset.error = String(err);
    });
  }

  map.on("popupopen", function (e) {
    var a = e.popup.getElement().querySelector("a.drill");
    if (a) a.addEventListener("click", function (ev) { ev.preventDefault(); map.closePopup(); show(a.dataset.code); });
  });
  show(d.area);
})();

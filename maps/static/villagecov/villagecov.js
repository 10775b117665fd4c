/* villagecov maps: the browser side of maps/ (no dependency but Leaflet and Leaflet.VectorGrid).
 * VC.configure({labels, lang, villageUrl}) once per page, then the helpers below.
 * Labels come from maps/i18n.py; nothing visible is hard-coded here. */
(function () {
  "use strict";
  var VC = (window.VC = window.VC || {});
  VC.labels = VC.labels || {};
  VC.lang = VC.lang || "vi";
  VC.villageUrl = VC.villageUrl || "/villages/{id}";
  VC.communeNames = VC.communeNames || {};

  // Leaflet 1.8 removed L.DomEvent.fakeStop, which VectorGrid 1.3 still calls on canvas clicks.
  if (window.L && L.DomEvent && !L.DomEvent.fakeStop) {
    L.DomEvent.fakeStop = function (e) { L.DomEvent.stopPropagation(e); };
  }

  VC.configure = function (cfg) {
    VC.labels = cfg.labels || VC.labels;
    VC.lang = cfg.lang || VC.lang;
    VC.villageUrl = cfg.villageUrl || VC.villageUrl;
    VC.communeNames = cfg.communeNames || VC.communeNames;
  };

  VC.t = function (key, fallback) {
    var v = VC.labels[key];
    return v === undefined ? (fallback === undefined ? key : fallback) : v;
  };
  VC.opt = function (prefix, code) { return VC.t(prefix + "." + code, code); };

  // Same rule as maps.i18n.fold: NFD, strip combining marks, đ→d, lower case, single spaces.
  VC.fold = function (s) {
    return String(s || "").replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/\s+/g, " ").trim();
  };

  VC.esc = function (s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  };

  VC.num = function (x, digits) {
    if (x === null || x === undefined || x === "" || isNaN(Number(x))) return "–";
    var loc = VC.lang === "vi" ? "vi-VN" : "en-GB";
    return Number(x).toLocaleString(loc, { maximumFractionDigits: digits === undefined ? 0 : digits });
  };

  /* A VectorGrid layer whose features are styled by a lookup of their id property.
   * opts: {idProp, classes: {id: class}, palette: {class: colour}, filter: {prop: value},
   *        fillOpacity, weight, color, interactive, maxNativeZoom, minZoom}. */
  VC.vectorLayer = function (url, opts) {
    var palette = opts.palette || {};
    var style = function (props) {
      props = props || {};
      var f = opts.filter || {};
      for (var k in f) {
        if (Object.prototype.hasOwnProperty.call(f, k) && props[k] !== undefined && String(props[k]) !== String(f[k])) {
          return [];
        }
      }
      var colour = opts.fillColor || "#3388ff";
      if (opts.classes) {
        var cls = opts.classes[props[opts.idProp]];
        if (cls === undefined && opts.statusFallback) cls = VC.classFromProps(props);
        if (cls === undefined && opts.hideUnlisted) return [];
        colour = palette[cls === undefined ? "unknown" : cls] || palette.unknown || colour;
      }
      return {
        fill: true, fillColor: colour, fillOpacity: opts.fillOpacity === undefined ? 0.6 : opts.fillOpacity,
        color: opts.color || "#555", weight: opts.weight === undefined ? 0.5 : opts.weight, opacity: 0.8,
      };
    };
    // Any MVT layer name gets the same style: the API names layers after the collection.
    var styles = new Proxy({}, { get: function () { return style; } });
    var layer = L.vectorGrid.protobuf(url, {
      vectorTileLayerStyles: styles,
      interactive: !!opts.interactive,
      maxNativeZoom: opts.maxNativeZoom || 16,
      minZoom: opts.minZoom || 0,
      pane: opts.pane || "overlayPane",
      attribution: opts.attribution || "",
    });
    layer.vcOpts = opts;  // the period selector swaps opts.classes and redraws
    return layer;
  };

  /* Class of a village from the API's tile attributes (status_5g … status_2g), as in
   * maps.layers.village_classes; used for villages missing from the page's lookup. */
  VC.classFromProps = function (p) {
    var techs = ["5G", "4G", "3G", "2G"], partial = false, seen = false;
    for (var i = 0; i < techs.length; i++) {
      var s = p["status_" + techs[i].toLowerCase()];
      if (s === undefined || s === null) continue;
      seen = true;
      if (s === "covered") return techs[i];
      if (s === "partial") partial = true;
    }
    return seen ? (partial ? "partial" : "none") : undefined;
  };

  // Click on a village polygon of a vector layer -> popup with details fetched from the API.
  VC.bindVillageClicks = function (map, layer, idProp) {
    layer.on("click", function (e) {
      var props = (e.layer && e.layer.properties) || {};
      var id = props[idProp || "village_id"];
      if (id !== undefined && id !== null) VC.openVillage(map, String(id), e.latlng, props.name);
    });
  };

  VC.openVillage = function (map, id, latlng, name) {
    // Pan clear of the title, layer and search controls at the top of the map.
    var popup = (VC.popupAt || function (mp, ll, o) { return L.popup(o).setLatLng(ll).setContent("").openOn(mp); })(
      map, latlng, { maxWidth: Math.min(360, window.innerWidth - 40), className: "vc-village-popup",
        autoPanPaddingTopLeft: L.point(60, 130), autoPanPaddingBottomRight: L.point(60, 30) });
    popup.setContent('<div class="vc-popup"><b>' + VC.esc(name || id) + "</b><br>" + VC.esc(VC.t("popup.loading")) + "</div>");
    var url = VC.villageUrl.replace("{id}", encodeURIComponent(id));
    return fetch(url, { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        popup.setContent(VC.renderVillage(data));
        if (VC.afterVillage) VC.afterVillage(map, data, latlng);
        return data;
      })
      .catch(function () {
        popup.setContent('<div class="vc-popup"><b>' + VC.esc(name || id) + '</b><br><span class="vc-muted">' +
          VC.esc(VC.t("popup.unavailable")) + "</span></div>");
      });
  };

  function row(label, value) {
    return "<tr><th>" + VC.esc(label) + "</th><td>" + value + "</td></tr>";
  }
  /* Remote reasons as labels, like maps.i18n.format_reasons:
   * "distance_to_seat=31.2km>25km;border_commune" -> ["Xa trung tâm huyện (31,2 km > 25 km)", "Xã biên giới"]. */
  VC.reasons = function (x) {
    var parts = Array.isArray(x) ? x : String(x || "").replace(/,/g, ";").split(";");
    return parts.map(function (p) { return String(p).trim(); }).filter(Boolean).map(function (p) {
      var i = p.indexOf("="), code = i < 0 ? p : p.slice(0, i), value = i < 0 ? "" : p.slice(i + 1);
      var label = VC.opt("reason", code);
      if (!value) return label;
      value = value.replace(/(\d)([a-z]+)/g, "$1 $2").replace(/>/g, " > ");
      if (VC.lang === "vi") value = value.replace(/(\d)\.(\d)/g, "$1,$2");
      return label + " (" + value.split(/\s+/).filter(Boolean).join(" ") + ")";
    });
  };

  var RANK = { covered: 2, partial: 1, none: 0 };

  /* Flatten GET /villages/{id} (maps/contract.py): attributes may be nested under "attributes";
   * coverage rows of several evidence kinds keep the best status per operator × technology;
   * measurement medians (dl_mbps_median, n …) become dl_mbps, tests … */
  VC.normalizeVillage = function (d) {
    var a = d.attributes || {}, out = {};
    Object.keys(a).forEach(function (k) { out[k] = a[k]; });
    Object.keys(d).forEach(function (k) { if (k !== "attributes" && d[k] !== undefined && d[k] !== null) out[k] = d[k]; });
    if (!out.commune_name && out.commune_code) out.commune_name = VC.communeNames[out.commune_code];
    var best = {}, order = [];
    (d.coverage || []).forEach(function (c) {
      var k = c.operator + "|" + c.technology, b = best[k];
      if (!b) { order.push(k); best[k] = c; return; }
      var rc = RANK[c.status] === undefined ? -1 : RANK[c.status], rb = RANK[b.status] === undefined ? -1 : RANK[b.status];
      if (rc > rb || (rc === rb && (c.covered_pop_share || 0) > (b.covered_pop_share || 0))) best[k] = c;
    });
    out.coverage = order.map(function (k) { return best[k]; });
    // The date that matters to a planner is the coverage vintage, not the village register's.
    var dates = out.coverage.map(function (c) { return c.as_of; }).filter(Boolean).sort();
    if (dates.length) out.as_of = dates[dates.length - 1];
    out.measurements = (d.measurements || []).map(function (m) {
      return { operator: m.operator, technology: m.technology,
        dl_mbps: m.dl_mbps !== undefined ? m.dl_mbps : m.dl_mbps_median,
        ul_mbps: m.ul_mbps !== undefined ? m.ul_mbps : m.ul_mbps_median,
        latency_ms: m.latency_ms !== undefined ? m.latency_ms : m.latency_ms_median,
        tests: m.tests !== undefined ? m.tests : m.n };
    });
    return out;
  };

  /* Render the JSON of GET /villages/{id} (shape documented in maps/contract.py). */
  VC.renderVillage = function (raw) {
    var d = VC.normalizeVillage(raw);
    var h = ['<div class="vc-popup">'];
    h.push('<div class="vc-popup-title">' + VC.esc(d.name) + "</div><table class=\"vc-kv\">");
    if (d.commune_name || d.commune_code) h.push(row(VC.t("popup.commune"), VC.esc(d.commune_name || d.commune_code)));
    if (d.district_name) h.push(row(VC.t("popup.district"), VC.esc(d.district_name)));
    h.push(row(VC.t("popup.population"), VC.num(d.population)));
    if (d.households !== undefined && d.households !== null) h.push(row(VC.t("popup.households"), VC.num(d.households)));
    if (d.remote) {
      var r = VC.reasons(d.remote_reasons).map(VC.esc).join("; ");
      h.push(row(VC.t("popup.remote"), VC.esc(VC.t("popup.yes")) + (r ? " – " + r : "")));
    }
    if (d.as_of) h.push(row(VC.t("popup.as_of"), VC.esc(VC.date ? VC.date(d.as_of) : d.as_of)));
    h.push("</table>");

    var cov = d.coverage || [];
    h.push('<div class="vc-popup-h">' + VC.esc(VC.t("popup.coverage")) + "</div>");
    if (!cov.length) {
      h.push('<div class="vc-muted">' + VC.esc(VC.t("popup.no_data")) + "</div>");
    } else {
      var techs = ["2G", "3G", "4G", "5G"], ops = [], byOp = {};
      cov.forEach(function (c) {
        if (!byOp[c.operator]) { byOp[c.operator] = {}; ops.push(c.operator); }
        byOp[c.operator][c.technology] = c;
      });
      h.push('<table class="vc-grid"><tr><th>' + VC.esc(VC.t("popup.operator")) + "</th>");
      techs.forEach(function (tch) { h.push("<th>" + tch + "</th>"); });
      h.push("</tr>");
      ops.forEach(function (op) {
        h.push("<tr><td>" + VC.esc(VC.opt("operator", op)) + "</td>");
        techs.forEach(function (tch) {
          var c = byOp[op][tch];
          if (!c) { h.push('<td class="vc-st-none">–</td>'); return; }
          var share = c.covered_pop_share === undefined || c.covered_pop_share === null ? "" :
            " " + VC.num(100 * c.covered_pop_share) + " %";
          h.push('<td class="vc-st-' + VC.esc(c.status) + '" title="' + VC.esc(VC.opt("status", c.status)) + '">' +
            VC.esc(VC.opt("status", c.status)) + share + "</td>");
        });
        h.push("</tr>");
      });
      h.push("</table>");
      h.push('<div class="vc-note">' + VC.esc(VC.t("footer.share_base")) + "</div>");
    }

    var sv = d.services || [];
    if (!Array.isArray(sv)) sv = Object.keys(sv).map(function (k) { return { service: k, available: sv[k] }; });
    h.push('<div class="vc-popup-h">' + VC.esc(VC.t("popup.services")) + "</div>");
    if (!sv.length) h.push('<div class="vc-muted">' + VC.esc(VC.t("popup.no_data")) + "</div>");
    else {
      h.push('<ul class="vc-services">');
      sv.forEach(function (s) {
        h.push('<li class="' + (s.available ? "vc-yes" : "vc-no") + '">' + (s.available ? "✔ " : "✘ ") +
          VC.esc(VC.opt("service", s.service)) + "</li>");
      });
      h.push("</ul>");
    }

    var ms = d.measurements || [];
    if (ms.length) {
      h.push('<div class="vc-popup-h">' + VC.esc(VC.t("popup.speeds")) + '</div><table class="vc-grid">');
      h.push("<tr><th>" + VC.esc(VC.t("popup.operator")) + "</th><th>" + VC.esc(VC.t("popup.dl")) + "</th><th>" +
        VC.esc(VC.t("popup.ul")) + "</th><th>" + VC.esc(VC.t("popup.latency")) + "</th></tr>");
      ms.forEach(function (m) {
        h.push("<tr><td>" + VC.esc(VC.opt("operator", m.operator)) + (m.technology ? " " + VC.esc(m.technology) : "") +
          "</td><td>" + VC.num(m.dl_mbps, 1) + " " + VC.esc(VC.t("unit.mbps")) + "</td><td>" + VC.num(m.ul_mbps, 1) +
          " " + VC.esc(VC.t("unit.mbps")) + "</td><td>" + VC.num(m.latency_ms) + " " + VC.esc(VC.t("unit.ms")) + "</td></tr>");
      });
      h.push("</table>");
    }
    var ch = VC.challenged && VC.challenged[d.village_id];
    if (ch) h.push('<div class="vc-challenged">! ' + VC.esc(VC.t("legend.challenge")) + ": " +
      ch.problems.map(function (p) { return VC.esc(VC.t("challenge.problem." + p, p)); }).join("; ") + "</div>");
    if (VC.challengeUrl) h.push('<button type="button" class="vc-btn vc-report" data-village-id="' + VC.esc(d.village_id || "") + '">' +
      VC.esc(VC.t("popup.report")) + "</button>");
    h.push("</div>");
    return h.join("");
  };

  // Search over villages, communes and districts: VC.searchControl in app.js.

  /* Minimap drawn from a GeoJSON outline (no tiles: works offline). */
  VC.outlineMiniMap = function (map, geojson, opts) {
    var layer = L.geoJSON(geojson, { style: { color: "#445", weight: 1, fillColor: "#dde3ea", fillOpacity: 1 } });
    // A fixed zoom keeps the whole province in view whatever the main map shows. Added once the page
    // has set its view (URL, panel): a minimap syncing during those moves pushes its rounded centre back.
    var ctl = new L.Control.MiniMap(layer, L.extend({ toggleDisplay: true, position: "bottomright",
      width: 150, height: 150, zoomLevelFixed: 6, strings: { hideText: VC.t("leaflet.minimap_hide"),
        showText: VC.t("leaflet.minimap_show") } }, opts || {}));
    setTimeout(function () { ctl.addTo(map); }, 0);
    return ctl;
  };
})();

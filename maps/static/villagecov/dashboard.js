/* villagecov dashboard (maps/dashboard.py): cards, progress-vs-target charts, communes with the
 * largest gaps — every figure fetched live from the API. window.VC_DASH = {lang, labels, api,
 * boundaries, cards, order, communePage}. Charts are inline SVG; each bar carries data-value (the
 * API's value) so that a client can check what is drawn. */
(function () {
  "use strict";
  var C = window.VC_DASH || {};
  var L10N = C.labels || {};
  function t(k, d) { return L10N[k] === undefined ? (d === undefined ? k : d) : L10N[k]; }
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  var loc = C.lang === "vi" ? "vi-VN" : "en-GB";
  function num(x, d) {
    if (x === null || x === undefined || isNaN(Number(x))) return "–";
    return Number(x).toLocaleString(loc, { maximumFractionDigits: d || 0, minimumFractionDigits: d || 0 });
  }
  function isShare(id) { return /_share$/.test(id); }
  function fmt(id, v) { return v === null || v === undefined ? "–" : isShare(id) ? num(100 * v, 1) + " %" : num(v, v % 1 ? 1 : 0); }
  function date(iso) { var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso || "")); return m ? m[3] + "/" + m[2] + "/" + m[1] : iso; }
  function base(id) { return /population/.test(id) ? t("dash.base.people") : /villages/.test(id) ? t("dash.base.villages") : ""; }
  function label(id) { return t("ind." + id, id); }
  function get(path) {
    return fetch(C.api + path, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(path + ": HTTP " + r.status);
      return r.json();
    });
  }
  function q(params) {
    return Object.keys(params).filter(function (k) { return params[k]; })
      .map(function (k) { return k + "=" + encodeURIComponent(params[k]); }).join("&");
  }
  var order = C.order || [];
  function rank(id) { var i = order.indexOf(id); return i < 0 ? order.length : i; }

  function card(row, series) {
    var id = row.indicator, pts = series ? series.series : [];
    var prev = pts.length > 1 ? pts[pts.length - 2].value : null;
    var dir = prev === null || prev === undefined ? "flat" : row.value > prev ? "up" : row.value < prev ? "down" : "flat";
    var arrow = { up: "▲", down: "▼", flat: "▶" }[dir];
    // for "villages without any signal" fewer is better
    var good = /no_signal/.test(id) ? dir === "down" : dir === "up";
    var h = '<article class="vc-card" data-indicator="' + esc(id) + '" data-value="' + esc(row.value) + '">';
    h += "<h3>" + esc(label(id)) + "</h3>";
    h += '<div class="vc-card-value">' + esc(fmt(id, row.value)) + "</div>";
    if (row.numerator !== null && row.numerator !== undefined && row.denominator)
      h += '<div class="vc-card-base">' + esc(num(row.numerator)) + " " + esc(t("dash.of")) + " " + esc(num(row.denominator)) + " " + esc(base(id)) + "</div>";
    h += '<div class="vc-trend vc-' + (dir === "flat" ? "flat" : good ? "good" : "bad") + '" data-trend="' + dir + '">' +
      '<span aria-hidden="true">' + arrow + "</span> " + esc(t("dash." + dir)) +
      (prev !== null && prev !== undefined ? " " + esc(t("dash.since")) + " (" + esc(fmt(id, prev)) + ")" : "") + "</div>";
    h += '<div class="vc-card-meta">' + esc(t("popup.as_of")) + " " + esc(date(row.as_of)) + " · " + esc(t("dash.target")) + ": " +
      esc(row.target === null || row.target === undefined ? t("dash.no_target") : fmt(id, row.target)) + "</div></article>";
    return h;
  }

  /* One SVG per task: for each indicator a bar per period, the target as a dashed tick. */
  function chart(task, rows, seriesBy) {
    rows = rows.filter(function (r) { return r.indicator.indexOf(task + ".") === 0 && isShare(r.indicator); });
    if (!rows.length) return "";
    var W = 900, rowH = 34, pad = 380, H = 20 + rows.length * rowH * 1.0 + 20, title = t("dash.task" + task.slice(1));
    var maxBars = 1;
    rows.forEach(function (r) { var s = seriesBy[r.indicator]; if (s) maxBars = Math.max(maxBars, s.series.length); });
    var x = function (v) { return pad + Math.max(0, Math.min(1, v)) * (W - pad - 70); };
    var g = ['<svg class="vc-chart" role="img" viewBox="0 0 ' + W + " " + H + '" data-task="' + task + '" aria-label="' +
      esc(title) + '">'];
    [0, 0.25, 0.5, 0.75, 1].forEach(function (v) {
      g.push('<line x1="' + x(v) + '" x2="' + x(v) + '" y1="10" y2="' + (H - 16) + '" stroke="#ddd"/>');
      g.push('<text x="' + x(v) + '" y="' + (H - 4) + '" font-size="11" text-anchor="middle" fill="#333">' + num(100 * v) + " %</text>");
    });
    rows.forEach(function (r, i) {
      var y = 14 + i * rowH, s = seriesBy[r.indicator], pts = s ? s.series : [{ as_of: r.as_of, value: r.value }];
      var bh = Math.max(4, (rowH - 10) / pts.length);
      g.push('<text x="' + (pad - 8) + '" y="' + (y + rowH / 2) + '" font-size="12" text-anchor="end" fill="#1a1a1a">' + esc(label(r.indicator)) + "</text>");
      pts.forEach(function (p, j) {
        var latest = j === pts.length - 1;
        g.push('<rect class="vc-bar" data-indicator="' + esc(r.indicator) + '" data-as-of="' + esc(p.as_of) + '" data-value="' + esc(p.value) +
          '" x="' + pad + '" y="' + (y + j * bh) + '" width="' + (x(p.value) - pad).toFixed(1) + '" height="' + (bh - 1) +
          '" fill="' + (latest ? "#2c7fb8" : "#9ecae1") + '"><title>' + esc(label(r.indicator)) + " · " + esc(date(p.as_of)) + ": " +
          esc(fmt(r.indicator, p.value)) + "</title></rect>");
      });
      var last = pts[pts.length - 1];
      g.push('<text x="' + (x(last.value) + 4) + '" y="' + (y + rowH / 2) + '" font-size="11" fill="#1a1a1a">' + esc(fmt(r.indicator, last.value)) + "</text>");
      var target = r.target !== null && r.target !== undefined ? r.target : s && s.target;
      if (target !== null && target !== undefined)
        g.push('<line class="vc-target" data-indicator="' + esc(r.indicator) + '" data-value="' + esc(target) + '" x1="' + x(target) +
          '" x2="' + x(target) + '" y1="' + (y - 2) + '" y2="' + (y + rowH - 6) + '" stroke="#b35806" stroke-width="3" stroke-dasharray="4 2"><title>' +
          esc(t("dash.target")) + ": " + esc(fmt(r.indicator, target)) + "</title></line>");
    });
    g.push("</svg>");
    var legend = '<p class="vc-chart-key"><span class="vc-k" style="background:#9ecae1"></span>' + esc(t("dash.baseline")) + " … " +
      '<span class="vc-k" style="background:#2c7fb8"></span>' + esc(t("dash.latest")) +
      ' <span class="vc-k vc-k-target"></span>' + esc(t("dash.target")) + "</p>";
    return "<figure><figcaption>" + esc(title) + "</figcaption>" + g.join("") + legend + "</figure>";
  }

  function gaps(rows) {
    rows = rows.filter(function (r) { return r.denominator; }).map(function (r) {
      return { code: r.unit_code, name: r.unit_name || r.unit_code, gap: r.denominator - (r.numerator || 0), total: r.denominator, share: r.value };
    }).sort(function (a, b) { return b.gap - a.gap || new Intl.Collator(loc).compare(a.name, b.name); }).slice(0, 10);
    if (!rows.length) return '<p class="vc-muted">' + esc(t("popup.no_data")) + "</p>";
    var h = ['<table class="vc-gaps"><thead><tr><th scope="col">#</th><th scope="col">' + esc(t("popup.commune")) + '</th><th scope="col">' +
      esc(t("dash.villages_without")) + '</th><th scope="col">' + esc(t("dash.villages_total")) + '</th><th scope="col">' +
      esc(label("t8.villages_4g_share")) + "</th></tr></thead><tbody>"];
    rows.forEach(function (r, i) {
      var href = (C.communePage || "").replace("{code}", encodeURIComponent(r.code));
      h.push('<tr data-code="' + esc(r.code) + '" data-gap="' + r.gap + '"><td>' + (i + 1) + '</td><td><a href="' + esc(href) + '">' + esc(r.name) +
        "</a></td><td class=\"vc-num\">" + num(r.gap) + '</td><td class="vc-num">' + num(r.total) + '</td><td class="vc-num">' +
        fmt("x_share", r.share) + "</td></tr>");
    });
    h.push("</tbody></table>");
    return h.join("");
  }

  var status = document.getElementById("vc-dash-status");
  get("/indicators?" + q({ level: "province", boundaries: C.boundaries })).then(function (doc) {
    var rows = (doc.indicators || []).slice().sort(function (a, b) { return rank(a.indicator) - rank(b.indicator); });
    var ids = rows.map(function (r) { return r.indicator; });
    return Promise.all(ids.map(function (id) {
      return get("/indicators/" + encodeURIComponent(id) + "/series?" + q({ level: "province", boundaries: C.boundaries }))
        .catch(function () { return null; });
    })).then(function (all) {
      var seriesBy = {};
      all.forEach(function (s, i) { if (s) seriesBy[ids[i]] = s; });
      var cards = rows.filter(function (r) { return (C.cards || []).indexOf(r.indicator) >= 0; });
      document.getElementById("vc-cards").innerHTML = (cards.length ? cards : rows.slice(0, 6)).map(function (r) {
        return card(r, seriesBy[r.indicator]);
      }).join("");
      document.getElementById("vc-charts").innerHTML = chart("t8", rows, seriesBy) + chart("t9", rows, seriesBy);
      return get("/indicators?" + q({ level: "commune", indicator: "t8.villages_4g_share", boundaries: C.boundaries }));
    }).then(function (doc2) {
      document.getElementById("vc-gaps").innerHTML = gaps(doc2.indicators || []);
      status.textContent = "";
      status.hidden = true;
      document.body.setAttribute("data-loaded", "true");
    });
  }).catch(function (e) {
    status.textContent = t("dash.failed") + " (" + e.message + ")";
    document.body.setAttribute("data-loaded", "error");
  });
})();

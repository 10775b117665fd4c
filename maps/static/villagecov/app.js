/* villagecov maps: the page shell around a Leaflet map (maps/shell.py writes VC.shell(map, cfg)).
 * A panel (drawer on the right on wide screens, a sheet on phones) with the question views, the
 * grouped layers, a legend that follows the visible layers, the villages in view (sortable, CSV),
 * the plan's sites with the villages each covers, print and share; the map state in the URL hash;
 * popups as a bottom sheet on phones; search over villages, communes and districts with the
 * keyboard; Vietnamese Leaflet controls, metric scale, north arrow, loading indicator, skip link.
 * Every visible string comes from VC.labels (maps/i18n.py). */
(function () {
  "use strict";
  var VC = (window.VC = window.VC || {});
  var PHONE = "(max-width: 640px)";

  VC.isPhone = function () { return window.matchMedia && window.matchMedia(PHONE).matches; };

  /* ISO date (YYYY-MM-DD…) as dd/mm/yyyy. */
  VC.date = function (iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso || ""));
    return m ? m[3] + "/" + m[2] + "/" + m[1] : (iso || "");
  };
  VC.today = function () {
    var d = new Date(), p = function (n) { return (n < 10 ? "0" : "") + n; };
    return p(d.getDate()) + "/" + p(d.getMonth() + 1) + "/" + d.getFullYear() + " " + p(d.getHours()) + ":" + p(d.getMinutes());
  };

  function el(tag, cls, parent, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  VC.el = el;

  /* ---- bottom sheet (phones): popups show here instead of over the map ---- */
  VC.sheet = (function () {
    var box, body;
    function ensure() {
      if (box) return;
      box = el("div", "vc-sheet", document.body);
      box.setAttribute("role", "dialog");
      box.setAttribute("aria-modal", "false");
      box.hidden = true;
      var close = el("button", "vc-sheet-close", box, "×");
      close.type = "button";
      close.setAttribute("aria-label", VC.t("ui.close"));
      close.addEventListener("click", function () { VC.sheet.hide(); });
      body = el("div", "vc-sheet-body", box);
    }
    return {
      show: function (html) {
        ensure();
        if (typeof html === "string") body.innerHTML = html; else { body.innerHTML = ""; body.appendChild(html); }
        box.hidden = false;
        box.setAttribute("aria-label", (body.querySelector(".vc-popup-title") || {}).textContent || "");
        return body;
      },
      hide: function () { if (box) box.hidden = true; },
      body: function () { ensure(); return body; },
      isOpen: function () { return !!box && !box.hidden; },
    };
  })();

  /* A popup on wide screens, the bottom sheet on phones; both answer setContent. */
  VC.popupAt = function (map, latlng, opts) {
    if (VC.isPhone()) {
      return { setContent: function (h) { VC.sheet.show(h); return this; }, phone: true };
    }
    return L.popup(opts || {}).setLatLng(latlng).setContent("").openOn(map);
  };

  /* ---- layer bookkeeping ---- */
  // entry.map: the layer's own map when a page has two (progress: baseline and latest)
  function layerOn(map, entry) { return (entry.map || map).hasLayer(entry.layer); }
  function setLayer(map, entry, on) {
    var m = entry.map || map;
    if (on && !m.hasLayer(entry.layer)) m.addLayer(entry.layer);
    if (!on && m.hasLayer(entry.layer)) m.removeLayer(entry.layer);
  }

  /* ---- the shell ---- */
  VC.shell = function (map, cfg) {
    var layers = cfg.layers || [];  // [{name, group, base, show, layer, legend}]
    var state = { period: cfg.period || "", view: "" };
    var container = map.getContainer();
    container.setAttribute("aria-label", cfg.title || "");
    container.setAttribute("role", "region");
    document.body.classList.add("vc-page");
    VC.current = { map: map, cfg: cfg, layers: layers, state: state };

    // initial layer state (folium adds some layers whatever "show" says)
    layers.forEach(function (e) { setLayer(map, e, !!e.show); });

    translateControls(map);
    L.control.scale({ metric: true, imperial: false, position: "bottomleft" }).addTo(map);
    northArrow(map);
    skipLink();
    loading(map, layers);

    var drawer = buildDrawer(map, cfg, layers, state);
    // the panel took its place beside the map: measure the map again before any view is set
    map.invalidateSize({ pan: false, animate: false });
    if (cfg.bounds && !VC.parseHash(location.hash).map) map.fitBounds(cfg.bounds, { animate: false });
    footer(cfg, state);
    phonePopups(map);
    printHooks(map);

    var refresh = function () {
      legendFollows(layers, map);
      syncCheckboxes(layers, map);
      VC.writeHash(map, layers, state);
      if (drawer.list) drawer.list();
    };
    var maps = [map];
    layers.forEach(function (e) { if (e.map && maps.indexOf(e.map) < 0) maps.push(e.map); });
    maps.forEach(function (m) { m.on("layeradd layerremove", function (e) { if (e.layer && e.layer.vcEntry) refresh(); }); });
    if (cfg.challengeUrl) VC.challengeUrl = cfg.challengeUrl;
    layers.forEach(function (e) {
      e.layer.vcEntry = e;
      if (e.villageClicks) e.layer.on("click", function (ev) {
        var p = (ev.layer && ev.layer.feature && ev.layer.feature.properties) || {};
        if (p.village_id) VC.openVillage(e.map || map, String(p.village_id), ev.latlng, p.name);
      });
    });
    map.on("moveend", function () { VC.writeHash(map, layers, state); if (drawer.list) drawer.list(); });
    VC.current.refresh = refresh;
    VC.readHash(map, layers, state, cfg);
    refresh();
    window.addEventListener("hashchange", function () {
      if (location.hash !== VC.lastHash) { VC.readHash(map, layers, state, cfg); refresh(); }
    });
    return { drawer: drawer, state: state, refresh: refresh };
  };

  function translateControls(map) {
    var set = function (sel, key) {
      document.querySelectorAll(sel).forEach(function (a) { a.title = VC.t(key); a.setAttribute("aria-label", VC.t(key)); });
    };
    set(".leaflet-control-zoom-in", "leaflet.zoom_in");
    set(".leaflet-control-zoom-out", "leaflet.zoom_out");
    set(".leaflet-control-zoom-fullscreen, .leaflet-fullscreen-control a, a.fullscreen-icon", "leaflet.fullscreen");
    set(".leaflet-control-minimap-toggle-display", "leaflet.minimap_hide");
    var prefix = '<a href="https://leafletjs.com" lang="en">Leaflet</a>';
    Object.keys(window).forEach(function (k) {
      var m = window[k];
      if (m instanceof L.Map && m.attributionControl) m.attributionControl.setPrefix(prefix);
    });
  }

  function northArrow(map) {
    var Ctl = L.Control.extend({
      options: { position: "bottomleft" },
      onAdd: function () {
        var d = L.DomUtil.create("div", "vc-north");
        d.setAttribute("role", "img");
        d.setAttribute("aria-label", VC.t("ui.north_name"));
        d.innerHTML = '<svg viewBox="0 0 24 36" width="24" height="36" aria-hidden="true"><path d="M12 2 L20 26 L12 20 L4 26 Z" fill="#222"/>' +
          '<text x="12" y="35" text-anchor="middle" font-size="10" font-weight="700" fill="#222">' + VC.esc(VC.t("ui.north")) + "</text></svg>";
        return d;
      },
    });
    new Ctl().addTo(map);
  }

  function skipLink() {
    if (document.querySelector(".vc-skip")) return;
    var a = el("a", "vc-skip", null, VC.t("ui.skip"));
    a.href = "#vc-search-input";
    a.addEventListener("click", function (ev) {
      var input = document.getElementById("vc-search-input");
      if (input) { ev.preventDefault(); input.focus(); }
    });
    document.body.insertBefore(a, document.body.firstChild);
  }

  function loading(map, layers) {
    var box = el("div", "vc-loading", map.getContainer(), VC.t("ui.loading"));
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    var pending = 0;
    var upd = function () { box.classList.toggle("vc-on", pending > 0); };
    VC.busy = function (d) { pending = Math.max(0, pending + d); upd(); };
    layers.forEach(function (e) {
      if (!(e.layer instanceof L.GridLayer)) return;
      var busy = false;
      e.layer.on("loading", function () { if (!busy) { busy = true; VC.busy(1); } });
      e.layer.on("load remove", function () { if (busy) { busy = false; VC.busy(-1); } });
    });
    upd();
  }

  function phonePopups(map) {
    map.on("popupopen", function (e) {
      if (!VC.isPhone()) return;
      var html = e.popup.getContent();
      map.closePopup(e.popup);
      VC.sheet.show(typeof html === "function" ? html(e.popup._source) : html);
    });
  }

  function printHooks(map) {
    var fit = function () { map.invalidateSize({ animate: false }); };
    window.addEventListener("beforeprint", function () {
      document.body.classList.add("vc-printing");
      document.querySelectorAll(".vc-legend-sec").forEach(function (d) { d.open = true; });
      if (VC.updateFooter) VC.updateFooter();
      fit();
    });
    window.addEventListener("afterprint", function () { document.body.classList.remove("vc-printing"); fit(); });
  }

  VC.print = function (size) {
    var st = document.getElementById("vc-page-size") || el("style", null, document.head);
    st.id = "vc-page-size";
    st.textContent = "@page { size: " + (size || "A4") + " landscape; margin: 8mm; }";
    window.print();
  };

  /* ---- footer (print): title, period, printed date, sources, SYNTHETIC ---- */
  function footer(cfg, state) {
    var f = el("footer", "vc-print-footer", document.body);
    f.id = "vc-print-footer";
    VC.updateFooter = function () {
      var parts = ['<div class="vc-pf-title">' + VC.esc(cfg.title || "") + "</div><div>"];
      if (state.period) parts.push(VC.esc(VC.t("footer.period")) + ": " + VC.esc(VC.date(state.period)) + " · ");
      parts.push(VC.esc(VC.t("footer.printed")) + ": " + VC.esc(VC.today()));
      if (cfg.built) parts.push(" · " + VC.esc(VC.t("footer.built")) + ": " + VC.esc(VC.date(cfg.built)));
      parts.push("</div>");
      if (cfg.sources && cfg.sources.length) parts.push("<div>" + VC.esc(VC.t("footer.sources")) + ": " + cfg.sources.map(VC.esc).join("; ") + "</div>");
      parts.push('<div class="vc-muted-print">' + VC.esc(VC.t("footer.share_base")) + "</div>");
      if (cfg.synthetic) parts.push('<div class="vc-pf-synthetic">' + VC.esc(VC.t("synthetic.banner")) + "</div>");
      f.innerHTML = parts.join("");
    };
    VC.updateFooter();
  }

  /* ---- drawer ---- */
  function section(parent, title, open, cls) {
    var d = el("details", "vc-sec " + (cls || ""), parent);
    if (open) d.open = true;
    el("summary", "vc-sec-title", d, title);
    return el("div", "vc-sec-body", d);
  }

  function buildDrawer(map, cfg, layers, state) {
    var api = {};
    var drawer = el("aside", "vc-drawer", document.body);
    drawer.id = "vc-drawer";
    drawer.setAttribute("aria-label", VC.t("ui.panel"));
    var head = el("div", "vc-drawer-head", drawer);
    var h1 = el("h1", "vc-drawer-title", head, cfg.title || "");
    h1.id = "vc-title";
    var close = el("button", "vc-btn vc-drawer-close", head, "×");
    close.type = "button";
    close.setAttribute("aria-label", VC.t("ui.close"));
    if (cfg.crumbs && cfg.crumbs.length) {
      var nav = el("nav", "vc-crumbs", drawer);
      nav.setAttribute("aria-label", VC.t("ui.breadcrumb"));
      var ol = el("ol", null, nav);
      cfg.crumbs.forEach(function (c, i) {
        var li = el("li", null, ol);
        if (c[1] && i < cfg.crumbs.length - 1) { var a = el("a", null, li, c[0]); a.href = c[1]; }
        else { var s = el("span", null, li, c[0]); s.setAttribute("aria-current", "page"); }
      });
    }
    var links = el("div", "vc-drawer-links", drawer);
    if (cfg.altUrl) {
      var alt = el("a", "vc-lang-link", links, VC.t("lang.switch"));
      alt.href = cfg.altUrl; alt.hreflang = cfg.altLang || ""; alt.lang = cfg.altLang || "";
      alt.id = "vc-lang-link";
    }
    (cfg.extraLinks || []).forEach(function (l) { var a = el("a", null, links, l[0]); a.href = l[1]; });

    var toggle = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var b = L.DomUtil.create("button", "vc-btn vc-drawer-toggle");
        b.type = "button";
        b.textContent = "☰ " + VC.t("ui.panel");
        b.setAttribute("aria-label", VC.t("ui.panel_open"));
        b.setAttribute("aria-controls", "vc-drawer");
        L.DomEvent.disableClickPropagation(b);
        L.DomEvent.on(b, "click", function () { setOpen(!document.body.classList.contains("vc-drawer-open")); });
        api.toggle = b;
        return b;
      },
    });
    new toggle().addTo(map);
    var setOpen = function (open) {
      document.body.classList.toggle("vc-drawer-open", open);
      if (api.toggle) api.toggle.setAttribute("aria-expanded", open ? "true" : "false");
      setTimeout(function () { map.invalidateSize({ animate: false }); }, 0);
    };
    api.setOpen = setOpen;
    close.addEventListener("click", function () { setOpen(false); if (api.toggle) api.toggle.focus(); });
    setOpen(!VC.isPhone() && cfg.drawerOpen !== false);

    if (cfg.children && cfg.children.length) {
      var cs = section(drawer, VC.t("ui.units_in"), false, "vc-children");
      var ul = el("ul", "vc-children-list", cs);
      cfg.children.forEach(function (c) { var a = el("a", null, el("li", null, ul), c[0]); a.href = c[1]; });
    }
    // period selector
    if (cfg.periods && cfg.periods.length > 1) {
      var pwrap = el("div", "vc-period", drawer);
      var lab = el("label", null, pwrap, VC.t("ui.period") + " ");
      var sel = el("select", "vc-select", lab);
      sel.id = "vc-period";
      cfg.periods.forEach(function (p) { var o = el("option", null, sel, VC.date(p)); o.value = p; });
      sel.value = state.period;
      sel.addEventListener("change", function () { VC.setPeriod(map, layers, state, cfg, sel.value); });
      api.period = sel;
    }

    // question views
    if (cfg.views && cfg.views.length) {
      var vb = section(drawer, VC.t("view.title"), true, "vc-views");
      cfg.views.forEach(function (v, i) {
        var b = el("button", "vc-btn vc-view", vb, v.label);
        b.type = "button";
        b.setAttribute("data-view", v.key);
        b.setAttribute("aria-pressed", "false");
        b.addEventListener("click", function () { VC.applyView(map, layers, state, cfg, v.key); });
        if (i === 0) b.classList.add("vc-first");
      });
    }

    // grouped layers
    var lb = section(drawer, VC.t("ui.layers"), !VC.isPhone(), "vc-layers");
    var groups = {}, order = [];
    layers.forEach(function (e, i) {
      var g = e.group || "coverage";
      if (!groups[g]) { groups[g] = []; order.push(g); }
      groups[g].push([e, i]);
    });
    order.forEach(function (g) {
      var det = el("details", "vc-group", lb);
      det.open = g !== "base" && g !== "boundaries";
      det.setAttribute("data-group", g);
      el("summary", null, det, VC.t("group." + g, g));
      groups[g].forEach(function (pair) {
        var e = pair[0], i = pair[1];
        var row = el("label", "vc-layer", det);
        var input = el("input", null, row);
        input.type = e.base ? "radio" : "checkbox";
        if (e.base) input.name = "vc-base";
        input.setAttribute("data-layer", String(i));
        input.checked = layerOn(map, e);
        el("span", null, row, e.name);
        e.input = input;
        input.addEventListener("change", function () {
          if (e.base) layers.forEach(function (o) { if (o.base) setLayer(map, o, o === e); });
          else setLayer(map, e, input.checked);
          state.view = "";
          markView(state);
        });
      });
    });

    // legend (moved from the map into the panel), indicator tables
    var legSec = section(drawer, VC.t("legend.title"), !VC.isPhone(), "vc-legend-sec");
    document.querySelectorAll(".vc-legend").forEach(function (leg) {
      var host = leg.closest(".leaflet-control") || leg;
      legSec.appendChild(leg);
      leg.open = true;
      if (host !== leg && host.parentNode) host.parentNode.removeChild(host);
    });
    document.querySelectorAll(".vc-panel").forEach(function (p) {
      var host = p.closest(".leaflet-control");
      var s = section(drawer, (p.querySelector("summary") || {}).textContent || VC.t("panel.indicators"), !VC.isPhone(), "vc-ind-sec");
      var sum = p.querySelector("summary");
      if (sum) sum.remove();
      s.appendChild(p);
      if (host && host.parentNode) host.parentNode.removeChild(host);
    });

    // villages in view
    if (cfg.villages && cfg.villages.length) api.list = VC.villageList(section(drawer, VC.t("ui.list"), false, "vc-list-sec"), map, cfg, layers, state);
    // the plan's sites
    if (cfg.planLayer !== undefined && cfg.planLayer !== null) {
      var ps = section(drawer, VC.t("ui.plan_sites"), false, "vc-plan-sec");
      VC.planList(ps, map, cfg, layers);
    }
    // tools
    var tools = el("div", "vc-tools", drawer);
    [["ui.print", "A4"], ["ui.print_a3", "A3"]].forEach(function (p) {
      var b = el("button", "vc-btn vc-print-btn", tools, VC.t(p[0]));
      b.type = "button";
      b.setAttribute("data-size", p[1]);
      b.addEventListener("click", function () { VC.print(p[1]); });
    });
    var share = el("button", "vc-btn vc-share", tools, VC.t("ui.share"));
    share.type = "button";
    share.addEventListener("click", function () {
      var done = function () { share.textContent = VC.t("ui.copied"); };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(location.href).then(done, done);
      else done();
    });
    return api;
  }

  function syncCheckboxes(layers, map) {
    layers.forEach(function (e) { if (e.input) e.input.checked = layerOn(map, e); });
  }

  /* A legend block shows while one of its layers is on the map (data-layers: "|"-joined names). */
  function legendFollows(layers, map) {
    var on = {};
    layers.forEach(function (e) { if (layerOn(map, e)) on[e.key || e.name] = true; });
    document.querySelectorAll("[data-legend-for]").forEach(function (b) {
      var names = b.getAttribute("data-legend-for").split("|");
      b.hidden = !names.some(function (n) {
        if (n.slice(-1) !== "*") return on[n];
        return Object.keys(on).some(function (k) { return k.indexOf(n.slice(0, -1)) === 0; });
      });
    });
  }

  /* ---- question views ---- */
  function markView(state) {
    document.querySelectorAll(".vc-view").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-view") === state.view ? "true" : "false");
    });
  }
  VC.applyView = function (map, layers, state, cfg, key) {
    var view = (cfg.views || []).filter(function (v) { return v.key === key; })[0];
    if (!view) return;
    var want = {};
    view.layers.forEach(function (n) { want[n] = true; });
    state.view = key;  // before the layers change: the list and the legend read it
    layers.forEach(function (e) {
      if (e.group === "coverage" || e.group === "task9") setLayer(map, e, !!want[e.name]);
      else if (want[e.name]) setLayer(map, e, true);
    });
    markView(state);
    if (VC.current && VC.current.refresh) VC.current.refresh();
    else VC.writeHash(map, layers, state);
  };

  /* ---- period ---- */
  VC.setPeriod = function (map, layers, state, cfg, period) {
    if (!cfg.periodClasses || !cfg.periodClasses[period]) return;
    state.period = period;
    layers.forEach(function (e) {
      if (e.periodic && e.layer.vcOpts) {
        e.layer.vcOpts.classes = cfg.periodClasses[period];
        if (map.hasLayer(e.layer)) e.layer.redraw();
      }
    });
    var sel = document.getElementById("vc-period");
    if (sel) sel.value = period;
    document.querySelectorAll('.vc-period-label[data-side="latest"]').forEach(function (e) { e.textContent = VC.date(period); });
    if (VC.updateFooter) VC.updateFooter();
    VC.writeHash(map, layers, state);
  };

  /* ---- URL hash: #map=z/lat/lng&layers=0,3&view=…&period=…&lang=vi ---- */
  VC.writeHash = function (map, layers, state) {
    var c = map.getCenter(), on = [];
    layers.forEach(function (e, i) { if (layerOn(map, e)) on.push(i); });
    var h = "#map=" + map.getZoom() + "/" + c.lat.toFixed(5) + "/" + c.lng.toFixed(5) + "&layers=" + on.join(",");
    if (state.view) h += "&view=" + encodeURIComponent(state.view);
    if (state.period) h += "&period=" + encodeURIComponent(state.period);
    h += "&lang=" + VC.lang;
    VC.lastHash = h;
    if (location.hash !== h && history.replaceState) history.replaceState(null, "", h);
    var alt = document.getElementById("vc-lang-link");
    if (alt) alt.href = alt.getAttribute("href").split("#")[0] + h.replace(/&lang=[a-z]+/, "&lang=" + (alt.lang || ""));
  };
  VC.parseHash = function (hash) {
    var out = {};
    String(hash || "").replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) out[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1));
    });
    return out;
  };
  VC.readHash = function (map, layers, state, cfg) {
    var h = VC.parseHash(location.hash);
    if (h.lang && h.lang !== VC.lang && cfg.altUrl) {
      location.replace(cfg.altUrl.split("#")[0] + location.hash);
      return;
    }
    if (h.period && cfg.periodClasses && cfg.periodClasses[h.period]) VC.setPeriod(map, layers, state, cfg, h.period);
    if (h.layers !== undefined) {
      var on = {}, base = null;
      h.layers.split(",").forEach(function (i) { if (i !== "") on[i] = true; });
      layers.forEach(function (e, i) {
        if (e.base) { if (on[i] && base === null) base = i; return; }
        setLayer(map, e, !!on[i]);
      });
      // exactly one base layer: the one named in the URL, else the page's default
      layers.forEach(function (e, i) { if (e.base) setLayer(map, e, base === null ? !!e.show : i === base); });
    }
    if (h.view) { state.view = h.view; markView(state); }
    if (h.map) {
      var p = h.map.split("/").map(Number);
      if (p.length === 3 && p.every(function (x) { return !isNaN(x); })) {
        // (the page's first fit is not animated: an animation ending now would undo this view)
        map.setView([p[1], p[2]], p[0], { animate: false });
      }
    }
  };

  /* ---- villages in view: sortable list + CSV ---- */
  VC.villageList = function (body, map, cfg, layers, state) {
    var rows = cfg.villages;  // [id, name, commune, lat, lon, population, people without 4G]
    var bar = el("div", "vc-list-bar", body);
    var lab = el("label", null, bar);
    var only = el("input", null, lab);
    only.type = "checkbox";
    only.checked = true;
    el("span", null, lab, " " + VC.t("ui.list_lacking"));
    var csv = el("button", "vc-btn vc-csv", bar, VC.t("ui.csv"));
    csv.type = "button";
    var count = el("div", "vc-list-count", body);
    count.setAttribute("aria-live", "polite");
    var table = el("table", "vc-list", body);
    var cols = [["name", VC.t("popup.village")], ["commune", VC.t("popup.commune")], ["status", VC.t("ui.status")],
      ["population", VC.t("popup.population")], ["affected", VC.t("ui.people_affected")]];
    var sort = { key: "affected", dir: -1 };
    var thead = el("thead", null, table), tr = el("tr", null, thead), tbody = el("tbody", null, table);
    cols.forEach(function (c) {
      var th = el("th", null, tr);
      th.scope = "col";
      var b = el("button", "vc-sort", th, c[1]);
      b.type = "button";
      b.setAttribute("data-key", c[0]);
      b.addEventListener("click", function () {
        sort = { key: c[0], dir: sort.key === c[0] ? -sort.dir : (c[0] === "name" || c[0] === "commune" ? 1 : -1) };
        render();
      });
      c.push(th);
    });
    var current = [];
    function lookup() {
      // the status column follows the view: a Task 9 service, else the coverage class
      var view = (cfg.views || []).filter(function (v) { return v.key === state.view; })[0];
      var entry = null;
      if (view && view.key !== "no_4g") layers.forEach(function (e) { if (e.name === view.layers[0]) entry = e; });
      return entry && entry.layer.vcOpts ? { classes: entry.layer.vcOpts.classes, kind: "service" } :
        { classes: (cfg.periodClasses && cfg.periodClasses[state.period]) || cfg.classes || {}, kind: "class" };
    }
    function render() {
      var b = map.getBounds(), lk = lookup();
      current = [];
      rows.forEach(function (r) {
        if (!b.contains([r[3], r[4]])) return;
        var cls = lk.classes[r[0]] || "unknown";
        var lacking = lk.kind === "service" ? cls === "no" : !(cls === "4G" || cls === "5G");
        if (only.checked && !lacking) return;
        var label = lk.kind === "service" ? VC.t("legend." + cls, cls) : VC.t("class." + cls, cls);
        var affected = lk.kind === "service" ? (cls === "no" ? r[5] : 0) : (lacking ? r[6] : 0);
        current.push({ id: r[0], name: r[1], commune: r[2], status: label, population: r[5], affected: affected,
          lat: r[3], lon: r[4] });
      });
      var coll = new Intl.Collator(VC.lang === "vi" ? "vi" : "en");
      current.sort(function (a, c) {
        var x = a[sort.key], y = c[sort.key];
        var d = typeof x === "number" && typeof y === "number" ? x - y : coll.compare(String(x), String(y));
        return d * sort.dir || coll.compare(a.name, c.name);
      });
      cols.forEach(function (c) {
        c[2].setAttribute("aria-sort", c[0] === sort.key ? (sort.dir > 0 ? "ascending" : "descending") : "none");
      });
      count.textContent = VC.num(current.length) + " " + VC.t("ui.list_count");
      tbody.innerHTML = "";
      current.slice(0, 300).forEach(function (r) {
        var row = el("tr", null, tbody);
        var td = el("td", null, row);
        var a = el("button", "vc-linkbtn", td, r.name);
        a.type = "button";
        a.setAttribute("data-village-id", r.id);
        a.addEventListener("click", function () { VC.openVillage(map, r.id, L.latLng(r.lat, r.lon), r.name); });
        el("td", null, row, r.commune);
        el("td", null, row, r.status);
        el("td", "vc-num", row, VC.num(r.population));
        el("td", "vc-num", row, VC.num(r.affected));
      });
    }
    only.addEventListener("change", render);
    csv.addEventListener("click", function () {
      var q = function (v) { v = String(v === undefined || v === null ? "" : v); return /[",\n;]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v; };
      var lines = [["village_id"].concat(cols.map(function (c) { return c[1]; })).map(q).join(",")];
      current.forEach(function (r) { lines.push([r.id, r.name, r.commune, r.status, r.population, r.affected].map(q).join(",")); });
      var blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
      var a = el("a", null, document.body);
      a.href = URL.createObjectURL(blob);
      a.download = (cfg.csvName || "villages") + ".csv";
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
    render();
    return render;
  };

  /* ---- the plan's sites with the villages each covers (features fetched by maps/plan.py) ---- */
  VC.planList = function (body, map, cfg) {
    var names = {};  // the province's villages (search index), a unit map's own list first
    (VC.searchIndex || []).forEach(function (r) { if ((r[5] || "village") === "village") names[r[0]] = r[1]; });
    (cfg.villages || []).forEach(function (r) { names[r[0]] = r[1]; });
    var ol = el("ol", "vc-plan-list", body);
    var fill = function (features) {
      ol.innerHTML = "";
      features.slice().sort(function (a, b) { return (a.properties.rank || 0) - (b.properties.rank || 0); }).forEach(function (f) {
        var p = f.properties || {}, c = f.geometry && f.geometry.coordinates;
        var li = el("li", null, ol);
        var b = el("button", "vc-linkbtn", li, (cfg.planSiteLabel || "") + " #" + p.rank);
        b.type = "button";
        if (c) b.addEventListener("click", function () { map.setView([c[1], c[0]], Math.max(map.getZoom(), 12)); });
        var ids = String(p.village_ids || "").split(";").filter(Boolean);
        el("span", null, li, ": " + VC.num(ids.length) + " " + VC.t("ui.list_count") + " – " +
          ids.map(function (i) { return names[i] || i; }).join(", "));
      });
    };
    if (VC.planFeatures) fill(VC.planFeatures);
    map.on("vc:plan", function (e) { fill(e.features || []); });
  };

  /* ---- search over villages, communes and districts ----
   * rows: [id, name, context, lat, lon, kind ("village" | "commune" | "district"), href]. */
  VC.searchControl = function (map, index, opts) {
    opts = opts || {};
    var folded = index.map(function (r) { return VC.fold(r[1] + " " + (r[2] || "")); });
    var names = index.map(function (r) { return VC.fold(r[1]); });
    VC.searchIndex = index;
    var page = function () { return VC.searchPage || 10; };  // hits per page; "more" shows the next ones
    var Ctl = L.Control.extend({
      options: { position: opts.position || "topleft" },
      onAdd: function () {
        var box = L.DomUtil.create("div", "vc-search");
        box.setAttribute("role", "search");
        var input = L.DomUtil.create("input", "vc-search-input", box);
        input.type = "search";
        input.id = "vc-search-input";
        input.placeholder = VC.t("search.placeholder");
        input.setAttribute("aria-label", VC.t("search.placeholder"));
        input.setAttribute("role", "combobox");
        input.setAttribute("aria-autocomplete", "list");
        input.setAttribute("aria-controls", "vc-search-results");
        input.setAttribute("aria-expanded", "false");
        input.autocomplete = "off";
        var ul = L.DomUtil.create("ul", "vc-search-results", box);
        ul.id = "vc-search-results";
        ul.setAttribute("role", "listbox");
        ul.setAttribute("aria-label", VC.t("search.placeholder"));
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        var hits = [], shown = page(), active = -1;
        var find = function (q) {
          var out = [], seen = {};
          var kindRank = { district: 0, commune: 1, village: 2 };
          var pre = [], sub = [];
          for (var i = 0; i < index.length; i++) {
            if (names[i].indexOf(q) === 0 || names[i].indexOf(" " + q) >= 0) pre.push(i);
            else if (folded[i].indexOf(q) >= 0) sub.push(i);
          }
          var by = function (a, b) { return (kindRank[index[a][5]] || 2) - (kindRank[index[b][5]] || 2); };
          pre.sort(by); sub.sort(by);
          pre.concat(sub).forEach(function (i) { if (!seen[i]) { seen[i] = true; out.push(i); } });
          return out;
        };
        var choose = function (k) {
          var r = index[k];
          input.value = r[1];
          ul.innerHTML = "";
          input.setAttribute("aria-expanded", "false");
          if ((r[5] || "village") !== "village") {
            if (r[6]) { location.href = r[6]; return; }  // another page: its own layers and view
            map.setView([r[3], r[4]], Math.max(map.getZoom(), r[5] === "district" ? 11 : 12));
            return;
          }
          // Open the popup once the map has moved: a popup opened mid-animation gets closed.
          map.once("moveend", function () { VC.openVillage(map, String(r[0]), L.latLng(r[3], r[4]), r[1]); });
          map.setView([r[3], r[4]], Math.max(map.getZoom(), opts.zoom || 14));
        };
        var setActive = function (i) {
          var items = ul.querySelectorAll("[role=option]");
          if (!items.length) return;
          active = (i + items.length) % items.length;
          items.forEach(function (li, j) { li.setAttribute("aria-selected", j === active ? "true" : "false"); });
          input.setAttribute("aria-activedescendant", items[active].id);
          items[active].scrollIntoView({ block: "nearest" });
        };
        var draw = function () {
          ul.innerHTML = "";
          active = -1;
          input.removeAttribute("aria-activedescendant");
          if (!input.value.trim()) { input.setAttribute("aria-expanded", "false"); return; }
          input.setAttribute("aria-expanded", "true");
          if (!hits.length) {
            L.DomUtil.create("li", "vc-muted", ul).textContent = VC.t("search.none");
            return;
          }
          hits.slice(0, shown).forEach(function (k, j) {
            var r = index[k], kind = r[5] || "village";
            var li = L.DomUtil.create("li", "vc-search-hit vc-kind-" + kind, ul);
            li.id = "vc-hit-" + j;
            li.setAttribute("role", "option");
            li.setAttribute("data-kind", kind);
            li.setAttribute("data-village-id", kind === "village" ? r[0] : "");
            li.setAttribute("data-code", r[0]);
            var tag = L.DomUtil.create("span", "vc-kind", li);
            tag.textContent = VC.t("search.kind." + kind, kind);
            li.appendChild(document.createTextNode(r[1] + (r[2] ? " – " + r[2] : "")));
            L.DomEvent.on(li, "click", function (ev) { L.DomEvent.stop(ev); choose(k); });
          });
          if (hits.length > shown) {
            var more = L.DomUtil.create("li", "vc-search-more", ul);
            more.id = "vc-hit-more";
            more.setAttribute("role", "option");
            more.textContent = VC.t("search.more") + " (" + VC.num(hits.length - shown) + ")";
            L.DomEvent.on(more, "click", function (ev) { L.DomEvent.stop(ev); shown += page(); draw(); input.focus(); });
          }
        };
        L.DomEvent.on(input, "input", function () { hits = find(VC.fold(input.value)); shown = page(); draw(); });
        L.DomEvent.on(input, "keydown", function (ev) {
          var items = ul.querySelectorAll("[role=option]");
          if (ev.key === "ArrowDown") { ev.preventDefault(); setActive(active + 1); }
          else if (ev.key === "ArrowUp") { ev.preventDefault(); setActive(active - 1); }
          else if (ev.key === "Enter") {
            ev.preventDefault();
            var i = active >= 0 ? active : 0;
            if (items[i]) items[i].click();
          } else if (ev.key === "Escape") { ul.innerHTML = ""; input.setAttribute("aria-expanded", "false"); }
        });
        return box;
      },
    });
    return new Ctl().addTo(map);
  };
})();

/* ---- challenges: "report a problem here" (form posting to POST /challenges) and the layer of
 * villages with open reports (GET /challenges/villages) ---- */
(function () {
  "use strict";
  var VC = window.VC;
  var OPERATORS = ["viettel", "vinaphone", "mobifone", "vietnamobile", "gmobile"];
  var PROBLEMS = ["no_signal", "weak_signal", "slow_data", "has_signal", "service_missing", "other"];
  function points() {
    var out = {};
    ((VC.current && VC.current.cfg.villages) || []).forEach(function (r) { out[r[0]] = r; });
    return out;
  }
  VC.challengeLayer = function (group, url) {
    VC.challengeUrl = url;
    VC.refreshChallenges = function () {
      return fetch(url + "/villages", { headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (doc) {
          var pts = points();
          VC.challenged = {};
          (doc.villages || []).forEach(function (v) { VC.challenged[v.village_id] = v; });
          group.clearLayers();
          (doc.villages || []).forEach(function (v) {
            var r = pts[v.village_id];
            if (!r) return;
            var icon = L.divIcon({ className: "", iconSize: [20, 20], iconAnchor: [10, 10],
              html: '<div class="vc-challenge-marker" data-village-id="' + VC.esc(v.village_id) + '">!</div>' });
            L.marker([r[3], r[4]], { icon: icon, title: VC.t("legend.challenge") + ": " + r[1], alt: r[1] })
              .bindTooltip(VC.esc(r[1]) + " – " + v.problems.map(function (p) { return VC.esc(VC.t("challenge.problem." + p, p)); }).join("; "))
              .on("click", function (ev) { if (group._map) VC.openVillage(group._map, v.village_id, ev.latlng, r[1]); })
              .addTo(group);
          });
        })
        .catch(function (e) { console.warn("villagecov: challenges not loaded", e); });
    };
    // after the shell has set the village points
    setTimeout(VC.refreshChallenges, 0);
  };

  function select(name, label, values, labelOf) {
    var h = '<label class="vc-field">' + VC.esc(label) + '<select name="' + name + '" class="vc-select">';
    values.forEach(function (v) { h += '<option value="' + VC.esc(v) + '">' + VC.esc(labelOf(v)) + "</option>"; });
    return h + "</select></label>";
  }
  VC.challengeForm = function (villageId, name) {
    var h = '<form class="vc-popup vc-challenge-form" novalidate><div class="vc-popup-title">' + VC.esc(VC.t("challenge.title")) + "</div>";
    h += '<div class="vc-field"><span>' + VC.esc(VC.t("challenge.village")) + ":</span> <b>" + VC.esc(name || villageId) + "</b></div>";
    h += '<input type="hidden" name="village_id" value="' + VC.esc(villageId) + '">';
    h += select("problem", VC.t("challenge.problem"), PROBLEMS, function (p) { return VC.t("challenge.problem." + p, p); });
    h += select("operator", VC.t("challenge.operator"), [""].concat(OPERATORS), function (o) { return o ? VC.opt("operator", o) : VC.t("challenge.any"); });
    h += select("technology", VC.t("challenge.technology"), ["", "4G", "5G", "3G", "2G"], function (x) { return x || VC.t("challenge.any"); });
    h += '<label class="vc-field">' + VC.esc(VC.t("challenge.details")) + '<textarea name="details" rows="3" maxlength="2000"></textarea></label>';
    h += '<label class="vc-field">' + VC.esc(VC.t("challenge.contact")) + '<input name="contact" type="text" maxlength="200" autocomplete="tel"></label>';
    h += '<button type="submit" class="vc-btn vc-send">' + VC.esc(VC.t("challenge.send")) + '</button><div class="vc-challenge-result" role="status" aria-live="polite"></div></form>';
    return h;
  };
  function submit(form) {
    var data = {};
    ["village_id", "problem", "operator", "technology", "details", "contact"].forEach(function (k) {
      var v = form.elements[k].value;
      data[k] = v === "" && (k === "operator" || k === "technology") ? null : v;
    });
    var out = form.querySelector(".vc-challenge-result");
    form.querySelector(".vc-send").disabled = true;
    fetch(VC.challengeUrl, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(data) })
      .then(function (r) { return r.json().then(function (b) { return [r, b]; }); })
      .then(function (rb) {
        if (!rb[0].ok) throw new Error(rb[1].detail || ("HTTP " + rb[0].status));
        out.textContent = VC.t("challenge.sent") + " " + rb[1].challenge_id;
        out.setAttribute("data-challenge-id", rb[1].challenge_id);
        if (VC.refreshChallenges) VC.refreshChallenges();
      })
      .catch(function (e) {
        out.textContent = VC.t("challenge.failed") + ": " + e.message;
        form.querySelector(".vc-send").disabled = false;
      });
  }
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest(".vc-report");
    if (!b || !VC.challengeUrl || !VC.current) return;
    ev.preventDefault();
    var id = b.getAttribute("data-village-id"), pts = points(), r = pts[id];
    var name = r ? r[1] : id;
    var html = VC.challengeForm(id, name);
    var map = VC.current.map;
    if (VC.isPhone()) VC.sheet.show(html);
    else {
      var ll = r ? L.latLng(r[3], r[4]) : map.getCenter();
      L.popup({ maxWidth: Math.min(360, window.innerWidth - 40), className: "vc-village-popup" }).setLatLng(ll).setContent(html).openOn(map);
    }
    var form = document.querySelector(".vc-challenge-form");
    if (form) form.elements.problem.focus();
  });
  document.addEventListener("submit", function (ev) {
    if (ev.target.classList && ev.target.classList.contains("vc-challenge-form")) { ev.preventDefault(); submit(ev.target); }
  });
})();

/*
 * Horizontal (stacked) bar charts as SVG, each with the same numbers in a table beside
 * it: the console's own small chart code (no library, nothing from a CDN).
 *
 * IUCCharts.bars(parent, {id, title, series: ["en", "fr"], rows: [{label, values: [3, 1]}],
 *   format: function (n) -> string, labels: {total, empty}})
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLOURS = ["#1d4f91", "#d9822b", "#2e8540", "#8e44ad", "#c0392b", "#5d6d7e"];
  var ROW = 22;
  var LABEL = 150;
  var WIDTH = 520;

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) {
      node.setAttribute(k, attrs[k]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function bars(parent, spec) {
    var format = spec.format || String;
    var labels = spec.labels || { total: "Total", empty: "No data" };
    var figure = el("figure", "chart");
    figure.id = spec.id;
    var caption = el("figcaption", null, spec.title);
    caption.id = spec.id + "-title";
    figure.appendChild(caption);
    if (!spec.rows.length) {
      figure.appendChild(el("p", "chart__empty", labels.empty));
      parent.appendChild(figure);
      return figure;
    }
    var totals = spec.rows.map(function (r) {
      return r.values.reduce(function (a, b) { return a + b; }, 0);
    });
    var max = Math.max.apply(null, totals.concat([spec.max || 0])) || 1;
    var legend = spec.series.length > 1 ? 24 : 0;
    var height = spec.rows.length * ROW + legend + 4;
    var chart = svg("svg", {
      viewBox: "0 0 " + WIDTH + " " + height,
      width: "100%",
      role: "img",
      "aria-labelledby": caption.id,
      class: "chart__svg",
    });
    if (legend) {
      spec.series.forEach(function (name, i) {
        chart.appendChild(svg("rect", { x: LABEL + i * 80, y: 4, width: 12, height: 12, fill: COLOURS[i % COLOURS.length] }));
        chart.appendChild(svg("text", { x: LABEL + i * 80 + 16, y: 14, class: "chart__legend" }, name));
      });
    }
    var room = WIDTH - LABEL - 60;
    spec.rows.forEach(function (row, r) {
      var y = legend + r * ROW + 2;
      chart.appendChild(svg("text", { x: LABEL - 6, y: y + 14, "text-anchor": "end", class: "chart__label" }, row.label));
      var x = LABEL;
      row.values.forEach(function (value, i) {
        var w = (value / max) * room;
        if (w > 0) {
          var bar = svg("rect", { x: x, y: y, width: w, height: ROW - 6, fill: COLOURS[i % COLOURS.length], class: "chart__bar" });
          bar.appendChild(svg("title", {}, row.label + " · " + spec.series[i] + ": " + format(value)));
          chart.appendChild(bar);
        }
        x += w;
      });
      chart.appendChild(svg("text", { x: x + 4, y: y + 14, class: "chart__value" }, format(totals[r])));
    });
    var wrap = el("div", "chart__body");
    wrap.appendChild(chart);

    var table = el("table", "data chart__table");
    table.appendChild(el("caption", "sr", spec.title));
    var head = el("tr");
    head.appendChild(el("th", null, spec.rowHeader || ""));
    spec.series.forEach(function (name) {
      var th = el("th", null, name);
      th.scope = "col";
      head.appendChild(th);
    });
    if (spec.series.length > 1) head.appendChild(el("th", null, labels.total));
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var body = el("tbody");
    spec.rows.forEach(function (row, r) {
      var tr = el("tr");
      var th = el("th", null, row.label);
      th.scope = "row";
      tr.appendChild(th);
      row.values.forEach(function (v) {
        tr.appendChild(el("td", null, format(v)));
      });
      if (spec.series.length > 1) tr.appendChild(el("td", null, format(totals[r])));
      body.appendChild(tr);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    figure.appendChild(wrap);
    parent.appendChild(figure);
    return figure;
  }

  window.IUCCharts = { bars: bars };
})();

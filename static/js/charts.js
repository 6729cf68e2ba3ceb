// Draws the statistics dashboard's charts from <script type="application/json" id="stats-charts-data">
// (data, not code: the Content-Security-Policy allows no inline script). Runs on load and after every
// htmx swap that brings new data.
(function () {
  "use strict";
  var charts = [];

  function draw(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) { return; }
    var old = echarts.getInstanceByDom(el);
    if (old) { old.dispose(); }
    var chart = echarts.init(el, null, {renderer: "canvas"});
    chart.setOption(option);
    charts.push(chart);
  }

  function render() {
    var node = document.getElementById("stats-charts-data");
    if (!node) { return; }
    var data = JSON.parse(node.textContent);
    charts = [];
    // The legend sits on its own row above the plot, the axis names beside the axes: they never overlap.
    var legend = {top: 0, left: "center", type: "scroll"};
    var grid = {left: 8, right: 8, top: 56, bottom: 8, containLabel: true};
    draw("chart-daily", {
      tooltip: {trigger: "axis"}, legend: Object.assign({data: ["工单", "来电"]}, legend), grid: grid,
      xAxis: {type: "category", data: data.daily.labels},
      yAxis: [{type: "value", name: "工单", nameLocation: "end", nameGap: 12},
              {type: "value", name: "来电", nameLocation: "end", nameGap: 12}],
      series: [{name: "工单", type: "bar", data: data.daily.orders},
               {name: "来电", type: "line", yAxisIndex: 1, data: data.daily.calls}]
    });
    draw("chart-kinds", {
      tooltip: {trigger: "item", formatter: "{b}：{c} 件（{d}%）"},
      series: [{type: "pie", radius: ["35%", "65%"], data: data.kinds}]
    });
    var m = data.monthly;
    draw("chart-monthly", {
      tooltip: {trigger: "axis"}, legend: Object.assign({data: ["按期办结", "逾期办结", "逾期未办结", "在办"]}, legend),
      grid: grid, xAxis: {type: "category", data: m.labels}, yAxis: {type: "value"},
      series: [{name: "按期办结", type: "bar", stack: "s", data: m.on_time},
               {name: "逾期办结", type: "bar", stack: "s", data: m.late},
               {name: "逾期未办结", type: "bar", stack: "s", data: m.overdue_open},
               {name: "在办", type: "bar", stack: "s", data: m.in_progress}]
    });
    draw("chart-hot", {
      tooltip: {trigger: "axis"}, grid: {left: 8, right: 24, top: 12, bottom: 8, containLabel: true},
      xAxis: {type: "value"}, yAxis: {type: "category", inverse: true, data: data.hot.labels},
      series: [{type: "bar", data: data.hot.values}]
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.addEventListener("DOMContentLoaded", render);
  document.body.addEventListener("htmx:afterSettle", function (evt) {
    if (evt.detail.elt && evt.detail.elt.querySelector && evt.detail.elt.querySelector("#stats-charts-data")) { render(); }
  });
  if (document.readyState !== "loading") { render(); }
})();

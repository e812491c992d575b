// The board's trend chart: 30 days of received and closed cases, drawn by ECharts (shipped in the
// binary) from the numbers the server put in data-trend. Without ECharts the table stays.
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("trend");
    if (!el || typeof echarts === "undefined") return;
    var chart = echarts.init(el);
    var s = el.getAttribute("data-series");
    if (s) {
      // A report's days: one line of cases received.
      var r = JSON.parse(s);
      chart.setOption({
        tooltip: { trigger: "axis" },
        grid: { left: 40, right: 16, top: 16, bottom: 24 },
        xAxis: { type: "category", data: r.days },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: r.label, type: "line", data: r.received, smooth: true }]
      });
      el.setAttribute("data-ready", "1");
      window.addEventListener("resize", function () { chart.resize(); });
      return;
    }
    var d = JSON.parse(el.getAttribute("data-trend") || "{}");
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: d.labels },
      grid: { left: 40, right: 16, top: 32, bottom: 24 },
      xAxis: { type: "category", data: d.days },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: d.labels[0], type: "line", data: d.received, smooth: true },
        { name: d.labels[1], type: "bar", data: d.closed }
      ]
    });
    el.setAttribute("data-ready", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();

// An organization's year-end totals and places over the years of a series (ECharts).
(() => {
  const node = document.getElementById("trend");
  const data = JSON.parse(document.getElementById("trend-data").textContent);
  const chart = echarts.init(node);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [data.total_label, data.place_label], bottom: 0 },
    grid: { left: 40, right: 40, top: 20, bottom: 40 },
    xAxis: { type: "category", data: data.years },
    yAxis: [
      { type: "value", name: data.total_label, min: 0, max: 110 },
      { type: "value", name: data.place_label, inverse: true, minInterval: 1 },
    ],
    series: [
      { name: data.total_label, type: "bar", data: data.totals, itemStyle: { color: "#c8102e" } },
      { name: data.place_label, type: "line", yAxisIndex: 1, data: data.places },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
})();

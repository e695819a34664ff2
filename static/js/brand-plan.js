// A brand plan's progress chart: distribution points (bars, left axis) and sales (lines, right
// axis), target against actual, from the page's json_script block (CSP: no inline script).
(function () {
  const data = document.getElementById("brand-plan-data");
  const canvas = document.getElementById("brand-plan-chart");
  if (!data || !canvas) return;
  const d = JSON.parse(data.textContent);
  new Chart(canvas, {
    data: {
      labels: d.labels,
      datasets: [
        { type: "bar", label: d.series.points, data: d.points, backgroundColor: "#0d6efd", yAxisID: "points" },
        { type: "bar", label: d.series.target_points, data: d.target_points, backgroundColor: "#adb5bd", yAxisID: "points" },
        { type: "line", label: d.series.sales, data: d.sales, borderColor: "#198754", yAxisID: "sales" },
        { type: "line", label: d.series.target_sales, data: d.target_sales, borderColor: "#fd7e14", borderDash: [6, 4], yAxisID: "sales", spanGaps: true },
      ],
    },
    options: {
      plugins: { legend: { position: "bottom" } },
      scales: {
        points: { type: "linear", position: "left", beginAtZero: true, ticks: { precision: 0 } },
        sales: { type: "linear", position: "right", beginAtZero: true, grid: { drawOnChartArea: false } },
      },
    },
  });
})();

// The target-against-hold-out bar chart of a campaign's evaluation. Figures come from the
// json_script block (labels translated by the view), the series name from the canvas.
(function () {
  const data = document.getElementById("lift-data");
  const canvas = document.getElementById("lift-chart");
  if (!data || !canvas || typeof Chart === "undefined") return;
  const chart = JSON.parse(data.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: chart.labels,
      datasets: [{ label: canvas.dataset.series, data: chart.values, backgroundColor: ["#0d6efd", "#ffc107"] }],
    },
    options: { responsive: true, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
  });
})();

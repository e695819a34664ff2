// The level distribution doughnut of the grading dashboard, from the json_script block.
(function () {
  const data = document.getElementById("distribution-data");
  const canvas = document.getElementById("level-chart");
  if (!data || !canvas) return;
  const rows = JSON.parse(data.textContent);
  new Chart(canvas, {
    type: "doughnut",
    data: {
      labels: rows.map((r) => r[0]),
      datasets: [{ data: rows.map((r) => r[1]), backgroundColor: ["#198754", "#0d6efd", "#fd7e14", "#6c757d"] }],
    },
    options: { plugins: { legend: { position: "bottom" } } },
  });
})();

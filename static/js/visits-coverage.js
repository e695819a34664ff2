// The coverage page's bars per account manager: contacted share and plan compliance (%),
// from the json_script block; labels come from the canvas's data- attributes (translated).
(function () {
  const data = document.getElementById("coverage-data");
  const canvas = document.getElementById("coverage-chart");
  if (!data || !canvas) return;
  const chart = JSON.parse(data.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: chart.labels,
      datasets: [
        { label: canvas.dataset.contactedLabel, data: chart.contacted, backgroundColor: "#0d6efd" },
        { label: canvas.dataset.complianceLabel, data: chart.compliance, backgroundColor: "#198754" },
      ],
    },
    options: {
      scales: { y: { min: 0, max: 100, ticks: { callback: (value) => value + " %" } } },
      plugins: { legend: { position: "bottom" } },
    },
  });
})();

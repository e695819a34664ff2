// One bar chart per choice or scale question of a survey's results page. The counts come from
// the json_script block; each canvas carries its translated series name in data-label.
(function () {
  const data = document.getElementById("survey-charts");
  if (!data || typeof Chart === "undefined") return;
  for (const chart of JSON.parse(data.textContent)) {
    const canvas = document.getElementById(chart.canvas);
    if (!canvas) continue;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: [{ label: canvas.dataset.label, data: chart.counts, backgroundColor: "#0d6efd" }],
      },
      options: {
        responsive: true,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
})();

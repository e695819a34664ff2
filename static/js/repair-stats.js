// The "by category" bar chart of the repair statistics page. The figures come from the
// json_script block and the translated series names from the canvas's data- attributes.
(function () {
  const data = document.getElementById("category-data");
  const canvas = document.getElementById("category-chart");
  if (!data || !canvas) return;
  const rows = JSON.parse(data.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: rows.map((r) => r.label),
      datasets: [
        { label: canvas.dataset.labelLogged, data: rows.map((r) => r.logged), backgroundColor: "#0d6efd" },
        { label: canvas.dataset.labelDone, data: rows.map((r) => r.done), backgroundColor: "#198754" },
      ],
    },
    options: { responsive: true, plugins: { legend: { position: "bottom" } } },
  });
})();

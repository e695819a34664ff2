// The "booked orders by month" bar chart of a key account's service page. The figures come from
// the json_script block, the series name from the canvas's data- attribute (translated).
(function () {
  const data = document.getElementById("orders-data");
  const canvas = document.getElementById("orders-chart");
  if (!data || !canvas || typeof Chart === "undefined") return;
  const series = JSON.parse(data.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: series.labels,
      datasets: [{ label: canvas.dataset.label, data: series.totals, backgroundColor: "#0d6efd" }],
    },
    options: { responsive: true, plugins: { legend: { display: false } } },
  });
})();

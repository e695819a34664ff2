// A client's composite score over the runs, each point labelled with its level (A–D), from the
// json_script block of the level history page.
(function () {
  const data = document.getElementById("level-history-data");
  const canvas = document.getElementById("level-history-chart");
  if (!data || !canvas) return;
  const rows = JSON.parse(data.textContent);
  const colours = { A: "#198754", B: "#0d6efd", C: "#fd7e14", D: "#6c757d" };
  new Chart(canvas, {
    type: "line",
    data: {
      labels: rows.map((r) => r.date),
      datasets: [
        {
          data: rows.map((r) => r.composite),
          borderColor: "#0d6efd",
          pointBackgroundColor: rows.map((r) => colours[r.level] || "#adb5bd"),
          pointRadius: 5,
        },
      ],
    },
    options: {
      scales: { y: { min: 0, max: 100 } },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (item) => `${rows[item.dataIndex].level || "–"} · ${item.formattedValue}` } },
      },
    },
  });
})();

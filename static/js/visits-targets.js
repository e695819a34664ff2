// The targets page's trend: per metric, the mean % attained over the last 12 periods, from
// the json_script block (labels are translated server-side).
(function () {
  const data = document.getElementById("targets-trend");
  const canvas = document.getElementById("targets-chart");
  if (!data || !canvas) return;
  const trend = JSON.parse(data.textContent);
  new Chart(canvas, {
    type: "line",
    data: { labels: trend.labels, datasets: trend.datasets.map((set) => ({ ...set, spanGaps: true })) },
    options: {
      // Wide and low on a desk, taller on a phone (the canvas' own 300×200 would be 900 px tall).
      aspectRatio: window.innerWidth < 576 ? 1.6 : 3.2,
      scales: { y: { min: 0, ticks: { callback: (value) => value + " %" } } },
      plugins: { legend: { position: "bottom" } },
    },
  });
})();

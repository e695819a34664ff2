// The client's signature drawn on the screen (REP-5), kept as an SVG path in a hidden field.
(function () {
  const canvas = document.getElementById("signature-pad");
  if (!canvas) return;
  const field = document.getElementById("id_signature");
  const ctx = canvas.getContext("2d");
  ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
  let path = field.value || "", drawing = false;
  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    const x = ((event.clientX - box.left) * canvas.width) / box.width;
    const y = ((event.clientY - box.top) * canvas.height) / box.height;
    return [Math.round(x), Math.round(y)];
  };
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true; canvas.setPointerCapture(event.pointerId);
    const [x, y] = point(event); path += ` M ${x} ${y}`; ctx.beginPath(); ctx.moveTo(x, y);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const [x, y] = point(event); path += ` L ${x} ${y}`; ctx.lineTo(x, y); ctx.stroke();
  });
  const stop = () => { drawing = false; field.value = path.trim(); };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointerleave", stop);
  document.getElementById("signature-clear").addEventListener("click", () => {
    path = ""; field.value = ""; ctx.clearRect(0, 0, canvas.width, canvas.height);
  });
})();

// Signatures drawn on the screen (REP-5): the client's and the technician's, each kept as an
// SVG path in a hidden field. A form that comes back with errors redraws what was signed.
(function () {
  const draw = (ctx, path) => {
    const parts = path.trim().split(/\s+/);
    for (let i = 0; i + 2 < parts.length; i += 3) {
      const [op, x, y] = [parts[i], Number(parts[i + 1]), Number(parts[i + 2])];
      if (op === "M") { ctx.beginPath(); ctx.moveTo(x, y); } else if (op === "L") { ctx.lineTo(x, y); ctx.stroke(); }
    }
  };
  document.querySelectorAll("canvas[data-signature-pad]").forEach((canvas) => {
    const field = document.getElementById(canvas.dataset.signaturePad);
    if (!field) return;
    const ctx = canvas.getContext("2d");
    ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    let path = field.value || "", drawing = false;
    if (path) draw(ctx, path);
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
    const clear = document.querySelector(`[data-signature-clear="${canvas.dataset.signaturePad}"]`);
    if (clear) clear.addEventListener("click", () => {
      path = ""; field.value = ""; ctx.clearRect(0, 0, canvas.width, canvas.height);
    });
  });
})();

// − / + buttons beside a fee line's quantity: one tap changes it by 1 (never below 1 once set).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-step-quantity]");
  if (!button) return;
  const input = document.getElementById(button.dataset.stepQuantity);
  if (!input) return;
  const now = Number.parseFloat(input.value) || 0;
  const next = Math.max(now + Number(button.dataset.step), 1);
  input.value = Number.isInteger(next) ? String(next) : next.toFixed(2);
  input.dispatchEvent(new Event("change", { bubbles: true }));
});

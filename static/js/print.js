// Print buttons (slips, yearly archive index): no inline onclick under the CSP.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

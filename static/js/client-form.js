// Show the key-account fields only for key accounts (the server ignores them otherwise).
(function () {
  const box = document.getElementById("id_is_key_account");
  const fields = document.getElementById("key-account-fields");
  if (!box || !fields) return;
  const sync = () => fields.classList.toggle("d-none", !box.checked);
  box.addEventListener("change", sync);
  sync();
})();

// "Add a contact": a new row of the contacts formset from its empty form, numbered after the
// last one, so a new client is saved with all its contacts at once.
(function () {
  const button = document.getElementById("contact-add");
  const rows = document.getElementById("contact-rows");
  const template = document.getElementById("contact-row-template");
  const total = document.querySelector("input[name$='-TOTAL_FORMS']");
  if (!button || !rows || !template || !total) return;
  button.addEventListener("click", () => {
    const index = Number(total.value);
    if (index >= Number(button.dataset.max || 1000)) return;
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const first = rows.lastElementChild && rows.lastElementChild.querySelector("input[type=text], input:not([type=hidden])");
    if (first) first.focus();
  });
})();

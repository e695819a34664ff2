// Show the key-account fields only for key accounts (the server ignores them otherwise).
(function () {
  const box = document.getElementById("id_is_key_account");
  const fields = document.getElementById("key-account-fields");
  if (!box || !fields) return;
  const sync = () => fields.classList.toggle("d-none", !box.checked);
  box.addEventListener("change", sync);
  sync();
})();

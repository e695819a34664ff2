// Picking a unit from the search results (repairs/units/search/, an htmx partial) fills the
// hidden unit field and, when they are still empty, the tenant's contact details.
(function () {
  const results = document.getElementById("unit-results");
  if (!results) return;
  results.addEventListener("click", (event) => {
    const item = event.target.closest("[data-unit]");
    if (!item) return;
    event.preventDefault();
    document.getElementById("id_unit").value = item.dataset.unit;
    document.getElementById("unit-search").value = item.dataset.label;
    const tenant = document.getElementById("unit-tenant");
    const found = item.querySelector(".tenant");
    tenant.replaceChildren(...(found ? [found.cloneNode(true)] : []));
    const name = document.getElementById("id_contact_name");
    const phone = document.getElementById("id_contact_phone");
    if (!name.value && item.dataset.contact) name.value = item.dataset.contact;
    if (!phone.value && item.dataset.phone) phone.value = item.dataset.phone;
    results.replaceChildren();
  });
})();

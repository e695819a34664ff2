// The periodic task form of the admin (templates/admin/djcelery/): the chosen crontab in words
// under the field, as django-celery-beat's own inline script does.
(function () {
  const script = document.currentScript;
  const translation = document.querySelector(".field-crontab_translation");
  if (translation) translation.style.display = "none";
  const select = document.getElementById("id_crontab");
  const data = document.getElementById("readable-crontabs");
  const help = document.querySelector(".field-crontab .help");
  if (!select || !data || !help) return;
  const readable = JSON.parse(data.textContent);
  select.addEventListener("change", () => {
    const words = readable[select.value];
    help.replaceChildren(script.dataset.crontabHelp, ...(words ? [document.createElement("br"), `Translation: ${words}`] : []));
  });
})();

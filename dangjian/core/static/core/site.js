// Dangjian: small behaviours on top of HTMX and Bootstrap.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".dj-toggle[data-toggle]");
  if (!toggle) return;
  const icon = toggle.querySelector("i");
  const open = icon.classList.toggle("bi-caret-down-fill");
  icon.classList.toggle("bi-caret-right-fill", !open);
  toggle.parentElement.querySelector(":scope > .dj-children").classList.toggle("d-none", !open);
});

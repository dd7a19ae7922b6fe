// Progressive enhancement only: the page works fully without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Filters start folded (phones first); on a wide screen there is room to show them.
  const box = document.querySelector("details.filters-box");
  if (box && window.matchMedia("(min-width: 900px)").matches) box.open = true;
  // Changing a single-choice filter applies it at once; multi-selects wait for "Apply".
  const form = document.querySelector("form.filters");
  if (!form) return;
  form.addEventListener("change", (event) => {
    if (event.target.matches("select:not([multiple]), input[type=checkbox], input[type=date]")) {
      form.requestSubmit();
    }
  });
});

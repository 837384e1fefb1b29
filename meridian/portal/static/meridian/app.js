// Behaviour the pages need, kept out of the templates: the CSP allows no inline script or handler.
"use strict";

// <input data-select-on-focus>: focusing the field selects its text (copy a link in one step).
document.addEventListener("focusin", (event) => {
  const field = event.target;
  if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) {
    field.select();
  }
});

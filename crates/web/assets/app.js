// Marquee's pages work without this file; it only makes them a little kinder.
// Loaded as a module (deferred, strict), from our own origin only (the pages' CSP).

// A form being sent cannot be sent twice: its buttons wait until the next page. Coming back
// to the page (the back button keeps it in memory) gives them back.
for (const form of document.querySelectorAll("form")) {
  form.addEventListener("submit", () => {
    for (const button of form.querySelectorAll("button")) {
      button.disabled = true;
    }
  });
}
window.addEventListener("pageshow", () => {
  for (const button of document.querySelectorAll("form button")) {
    button.disabled = false;
  }
});

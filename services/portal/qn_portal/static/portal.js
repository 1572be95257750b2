// Progressive enhancement only: every form works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // GOV.UK pattern: after a refused form, the error summary takes the focus
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
  // a second click on a form that records something does nothing (its Idempotency-Key also
  // makes intake record it once if a second request gets through)
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });
});

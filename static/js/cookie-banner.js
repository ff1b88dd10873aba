// Cookie banner enhancement (issue 8): decide without leaving the page. The banner's plain
// forms work without this script; with it, the same POST is sent with fetch and the banner
// closes. Loaded from /static/ (CSP script-src 'self'), never inline.
(function () {
  "use strict";
  var banner = document.querySelector("[data-cookie-banner]");
  if (!banner || !window.fetch || !window.FormData) {
    return;
  }
  banner.querySelectorAll("form[data-cookie-decision]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Cookie-Consent-Fetch": "1" }
      }).then(function (response) {
        if (!response.ok) {
          form.submit();
          return;
        }
        banner.remove();
        var main = document.getElementById("main");
        if (main) {
          main.setAttribute("tabindex", "-1");
          main.focus();
        }
      }).catch(function () {
        form.submit();
      });
    });
  });
})();

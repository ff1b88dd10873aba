// The policy's sections are <details>, closed so that a phone shows the table of contents and
// the section titles first. This opens the section a link points to (the table of contents,
// the complaint page's link to #officer) and, for printing, every section, closing again
// after. Without it the sections still open by hand. Loaded from /static/ (CSP
// script-src 'self'), never inline.
(function () {
  "use strict";
  function openTarget() {
    if (!location.hash) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    var section = target && target.closest("details");
    if (section && !section.open) {
      section.open = true;
      target.scrollIntoView();
    }
  }
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (section) {
      section.open = true;
      openedForPrint.push(section);
    });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (section) {
      section.open = false;
    });
    openedForPrint = [];
  });
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();

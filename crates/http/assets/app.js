// shiyu web UI: small enhancements on top of pages that work without scripts.
(function () {
  "use strict";

  // Error answers to htmx requests are short alert fragments in the user's language (see the
  // server's error renderer); show them where the answer would have gone instead of dropping them.
  if (window.htmx) {
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "[45]..", swap: true, error: true },
    ];
  }

  // A second click while a move is being sent would send it twice; the server refuses the
  // second one, but the user would see an error for nothing.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
    var buttons = form.querySelectorAll("button[type=submit]");
    window.setTimeout(function () {
      buttons.forEach(function (b) { b.disabled = true; });
    }, 0);
    // If the page stays (e.g. the browser's own validation stopped it), re-enable after a while.
    window.setTimeout(function () {
      buttons.forEach(function (b) { b.disabled = false; });
    }, 8000);
  });

  // A routing proposal's category button fills the intake form's category.
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-pick-category]");
    if (!b) return;
    var select = document.getElementById("category");
    if (select) select.value = b.getAttribute("data-pick-category");
  });

  // "Use my location" on intake forms: a grid worker on a phone fills the coordinates from the
  // device (browsers report WGS-84, the form's system). Shown only where the browser offers it.
  document.querySelectorAll("[data-geolocate]").forEach(function (button) {
    if (!("geolocation" in navigator) || !window.isSecureContext) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          var form = button.form;
          form.querySelector("[name=lon]").value = pos.coords.longitude.toFixed(6);
          form.querySelector("[name=lat]").value = pos.coords.latitude.toFixed(6);
          button.disabled = false;
        },
        function () { button.disabled = false; },
        { enableHighAccuracy: true, timeout: 10000 }
      );
    });
  });

  // Coming back through the history cache shows the page as it was left: with buttons disabled.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form button[type=submit]:disabled").forEach(function (b) { b.disabled = false; });
  });
})();

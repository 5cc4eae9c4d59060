// Injected by `sitegen serve` into the pages it serves (never into built files): reloads the page
// after a rebuild and shows build errors in an overlay until they are fixed.
(function () {
  var overlay = null;
  function show(lines) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "sitegen-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(15,23,42,.92);" +
        "color:#fecaca;font:14px/1.5 ui-monospace,monospace;padding:2rem;overflow:auto;white-space:pre-wrap";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "sitegen: the last build failed; showing the last good site underneath.\n\n" +
      lines.join("\n");
  }
  var source = new EventSource("/__sitegen__/events");
  var generation = null;
  source.addEventListener("state", function (event) {
    var state = JSON.parse(event.data);
    if (state.errors.length) {
      show(state.errors);
      return;
    }
    if (generation !== null && state.generation !== generation) {
      window.location.reload();
      return;
    }
    generation = state.generation;
    document.documentElement.setAttribute("data-sitegen-live", String(generation));  // connected
    if (overlay) { overlay.remove(); overlay = null; }
  });
})();

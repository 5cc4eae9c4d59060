// Draws every chart of the page with vega-embed; the specs sit in JSON script tags beside them.
// Numbers and dates follow the report's locale; colours follow the reader's light or dark preference.
(function () {
  var localeTag = document.getElementById("chart-locale");
  var locale = localeTag ? JSON.parse(localeTag.textContent) : {};
  var dark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function draw() {
    document.querySelectorAll(".chart-view[data-spec]").forEach(function (view) {
      var source = document.getElementById(view.getAttribute("data-spec"));
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      var options = { actions: false, renderer: "svg", formatLocale: locale.format, timeFormatLocale: locale.time };
      if (dark && dark.matches) {
        options.theme = "dark";
        spec.background = "transparent";
      }
      window.vegaEmbed(view, spec, options).then(function () {
        view.closest(".chart").classList.add("chart-drawn");
      }).catch(function (error) {
        view.textContent = "This chart could not be drawn: " + error.message;
        console.error(error);
      });
    });
  }

  draw();
  if (dark && dark.addEventListener) dark.addEventListener("change", draw);
})();

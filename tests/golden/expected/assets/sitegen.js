// Draws every chart of the page with vega-embed; the specs sit in JSON script tags beside them.
(function () {
  document.querySelectorAll(".chart-view[data-spec]").forEach(function (view) {
    var source = document.getElementById(view.getAttribute("data-spec"));
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    window.vegaEmbed(view, spec, { actions: false, renderer: "svg" }).catch(function (error) {
      view.textContent = "This chart could not be drawn: " + error.message;
      console.error(error);
    });
  });
})();

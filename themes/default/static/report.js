// Draws every chart of the page with vega-embed; the specs sit in JSON script tags beside them.
// Numbers and dates follow the report's locale; colours follow the reader's light or dark preference.
// A drawn chart shows its download menu (its rows as CSV, the picture as PNG or SVG), and every table
// of data can be sorted by any column (buttons in its headers, aria-sort on the sorted one).
(function () {
  var localeTag = document.getElementById("chart-locale");
  var locale = localeTag ? JSON.parse(localeTag.textContent) : {};
  var messages = locale.messages || {};
  var dark = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function draw() {
    document.querySelectorAll(".chart-view[data-spec]").forEach(function (view) {
      var source = document.getElementById(view.getAttribute("data-spec"));
      if (!source) return;
      var figure = view.closest(".chart");
      var spec = JSON.parse(source.textContent);
      var options = { actions: false, renderer: "svg", formatLocale: locale.format, timeFormatLocale: locale.time };
      if (dark && dark.matches) {
        options.theme = "dark";
        spec.background = "transparent";
      }
      window.vegaEmbed(view, spec, options).then(function (result) {
        figure.classList.add("chart-drawn");
        figure.chartView = result.view;
        figure.chartRows = (spec.datasets && spec.datasets.rows) || [];
        var menu = figure.querySelector(".chart-menu");
        if (menu) menu.hidden = false;
      }).catch(function (error) {
        figure.classList.add("chart-failed");
        view.textContent = (messages.chartError || "This chart could not be drawn: {error}")
          .replace("{error}", error.message);
        console.error(error);
      });
    });
  }

  function save(url, name) {
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  // a spreadsheet would run a cell that starts with = + - @ as a formula: such text gets a leading '
  function csvCell(value) {
    if (value === null || value === undefined) return "";
    var text = String(value);
    if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function csv(rows) {
    var columns = [];
    rows.forEach(function (row) {
      Object.keys(row).forEach(function (key) { if (columns.indexOf(key) < 0) columns.push(key); });
    });
    var lines = [columns.map(csvCell).join(",")].concat(rows.map(function (row) {
      return columns.map(function (key) { return csvCell(row[key]); }).join(",");
    }));
    return lines.join("\r\n") + "\r\n";
  }

  function download(button) {
    var figure = button.closest(".chart");
    var menu = button.closest(".chart-menu");
    var name = menu.getAttribute("data-file") || "chart";
    var type = button.getAttribute("data-download");
    menu.open = false;
    if (type === "csv") {
      var blob = new Blob(["\ufeff" + csv(figure.chartRows || [])], { type: "text/csv;charset=utf-8" });
      save(URL.createObjectURL(blob), name + ".csv");
    } else if (figure.chartView) {
      figure.chartView.toImageURL(type, type === "png" ? 2 : 1).then(function (url) {
        save(url, name + "." + type);
      }).catch(function (error) { console.error(error); });
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".chart-menu [data-download]") : null;
    if (button) download(button);
  });

  var collator = window.Intl ? new Intl.Collator(document.documentElement.lang || undefined, { numeric: true }) : null;

  // a cell's sort key: its data-value (a number, an ISO day, or "" for n/a), else its text
  function sortKey(cell) {
    if (!cell) return { missing: true };
    if (cell.hasAttribute("data-value")) {
      var raw = cell.getAttribute("data-value");
      if (raw === "") return { missing: true };
      var number = Number(raw);
      return isNaN(number) ? { text: raw } : { number: number };
    }
    return { text: cell.textContent.trim() };
  }

  function compare(a, b) {
    if (a.number !== undefined && b.number !== undefined) return a.number - b.number;
    var x = a.text !== undefined ? a.text : String(a.number);
    var y = b.text !== undefined ? b.text : String(b.number);
    return collator ? collator.compare(x, y) : (x < y ? -1 : x > y ? 1 : 0);
  }

  function sortTable(table, header, column) {
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.map.call(body.rows, function (row, index) {
      return { row: row, index: index, key: sortKey(row.cells[column]) };
    });
    rows.sort(function (a, b) {
      if (a.key.missing || b.key.missing) return (a.key.missing ? 1 : 0) - (b.key.missing ? 1 : 0) || a.index - b.index;
      var order = compare(a.key, b.key);
      return (ascending ? order : -order) || a.index - b.index;
    });
    rows.forEach(function (entry) { body.appendChild(entry.row); });
  }

  function sortable(table) {
    var body = table.tBodies[0];
    if (!table.tHead || !body || body.rows.length < 2) return;  // nothing to sort
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (header.firstChild) button.appendChild(header.firstChild);
      header.appendChild(button);
      button.addEventListener("click", function () { sortTable(table, header, column); });
    });
  }

  draw();
  document.querySelectorAll("table.data-table").forEach(sortable);
  if (dark && dark.addEventListener) dark.addEventListener("change", draw);
})();

// The report's tables and search, without any library or network request: sorting (by buttons in the
// column heads; levels in level order), a search per long table and one over every unit, the official
// order restored on request and always for printing, more columns on request on a phone.
(function () {
  "use strict";
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  function dataRows(table) {
    return Array.prototype.filter.call(table.tBodies[0].rows, function (r) { return !r.classList.contains("group-row"); });
  }
  function cellValue(row, index, kind) {
    var cell = row.cells[index];
    var raw = cell.getAttribute("data-value");
    if (kind === "number") { var n = parseFloat(raw === null ? cell.textContent : raw); return isNaN(n) ? Infinity : n; }
    return cell.textContent.trim();
  }

  // Each table remembers its official order and, in a grouped appendix, each row's group heading.
  function prepare(table) {
    var group = null;
    each(table.tBodies[0].rows, function (row, position) {
      row.setAttribute("data-official", position);
      if (row.classList.contains("group-row")) { group = row; row.members = []; } else if (group) { group.members.push(row); }
    });
  }
  // Group headings stand only above their own units: in the official order, over rows still shown.
  function showGroups(table) {
    var sorted = table.getAttribute("data-sorted") === "1";
    each(table.tBodies[0].querySelectorAll("tr.group-row"), function (g) {
      g.hidden = sorted || !g.members.some(function (r) { return !r.hidden; });
    });
  }
  function setSorted(table, sorted) {
    table.setAttribute("data-sorted", sorted ? "1" : "0");
    var reset = document.querySelector('button.official-order[data-table="' + table.id + '"]');
    if (reset) { reset.hidden = !sorted; }
  }
  function sortTable(table, header) {
    var index = Array.prototype.indexOf.call(header.parentNode.children, header);
    var kind = header.getAttribute("data-sort");
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = dataRows(table);
    rows.sort(function (a, b) {
      var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
      var order = kind === "number" ? (x === y ? 0 : x < y ? -1 : 1) : x.localeCompare(y, "vi");
      if (order === 0) { order = a.getAttribute("data-official") - b.getAttribute("data-official"); return order; }
      return ascending ? order : -order;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    each(header.parentNode.children, function (h) { h.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    setSorted(table, true);
    showGroups(table);
  }
  function officialOrder(table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) { return a.getAttribute("data-official") - b.getAttribute("data-official"); });
    rows.forEach(function (r) { body.appendChild(r); });
    each(table.tHead.rows[0].children, function (h) { h.removeAttribute("aria-sort"); });
    setSorted(table, false);
    showGroups(table);
  }
  function filterTable(input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    var query = fold(input.value.trim());
    var shown = 0;
    dataRows(table).forEach(function (row) {
      var match = query === "" || fold(row.textContent + " " + (row.getAttribute("data-code") || "")).indexOf(query) !== -1;
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    showGroups(table);
    var counter = document.querySelector('.table-count[data-table="' + table.id + '"]');
    if (counter) { counter.textContent = shown + " đơn vị"; }
  }

  // One search over every unit of the report: its row in an appendix and its scorecard.
  function unitIndex() {
    var units = {};
    each(document.querySelectorAll("section.appendix"), function (section) {
      var appendix = section.querySelector(".appendix-no").textContent.trim();
      each(section.querySelectorAll("tr[data-code]"), function (row) {
        var name = row.querySelector("td.unit").textContent.trim();
        units[row.getAttribute("data-code")] = { name: name, where: appendix, row: row.id, text: fold(name + " " + row.getAttribute("data-code")) };
      });
    });
    each(document.querySelectorAll("article.card"), function (card) {
      var code = card.id.replace(/^don-vi-/, "");
      if (!units[code]) {
        var title = card.querySelector(".card-title").firstChild.textContent.trim();
        units[code] = { name: title, where: "", row: null, text: fold(title + " " + code) };
      }
      units[code].card = card.id;
    });
    return units;
  }
  function link(href, text) { var a = document.createElement("a"); a.href = "#" + href; a.textContent = text; return a; }
  function searchUnits(input, units, list, status) {
    var query = fold(input.value.trim());
    list.textContent = "";
    if (query === "") { status.textContent = ""; return; }
    var found = Object.keys(units).filter(function (code) { return units[code].text.indexOf(query) !== -1; });
    status.textContent = found.length + " đơn vị" + (found.length > 30 ? ", hiện 30 đơn vị đầu" : "");
    found.slice(0, 30).forEach(function (code) {
      var unit = units[code], item = document.createElement("li");
      item.appendChild(document.createTextNode(unit.name + " (" + code + ")"));
      if (unit.row) { item.appendChild(document.createTextNode(" — ")); item.appendChild(link(unit.row, unit.where)); }
      if (unit.card) { item.appendChild(document.createTextNode(" · ")); item.appendChild(link(unit.card, "phiếu kết quả")); }
      list.appendChild(item);
    });
  }

  each(document.querySelectorAll("table.sortable"), function (table) {
    prepare(table);
    each(table.querySelectorAll("th[data-sort]"), function (header) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.title = "Sắp xếp theo cột này";
      while (header.firstChild) { button.appendChild(header.firstChild); }
      header.appendChild(button);
      button.addEventListener("click", function () { sortTable(table, header); });
    });
  });
  each(document.querySelectorAll("input.table-search"), function (input) {
    input.addEventListener("input", function () { filterTable(input); });
    filterTable(input);
  });
  each(document.querySelectorAll("button.official-order"), function (button) {
    button.addEventListener("click", function () { officialOrder(document.getElementById(button.getAttribute("data-table"))); });
  });
  each(document.querySelectorAll("button.show-secondary"), function (button) {
    button.addEventListener("click", function () {
      var table = document.getElementById(button.getAttribute("data-table"));
      var shown = table.classList.toggle("show-secondary");
      button.setAttribute("aria-pressed", shown ? "true" : "false");
      button.textContent = shown ? "Ẩn bớt cột" : "Hiện thêm cột";
      hints();
    });
  });
  // A table or chart wider than the screen says so, and can be scrolled from the keyboard.
  function hints() {
    each(document.querySelectorAll(".table-wrap, figure.chart-figure"), function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      wrap.classList.toggle("scrolls", scrolls);
      if (scrolls) { wrap.setAttribute("tabindex", "0"); } else if (wrap.tagName === "FIGURE") { wrap.removeAttribute("tabindex"); }
    });
  }
  hints();
  window.addEventListener("resize", hints);
  var search = document.getElementById("tim-don-vi");
  if (search) {
    var units = unitIndex();
    var list = document.getElementById("ket-qua-tim"), status = document.getElementById("so-ket-qua-tim");
    search.addEventListener("input", function () { searchUnits(search, units, list, status); });
  }
  // Printing from the browser prints the official order and every row, as the decision does.
  window.addEventListener("beforeprint", function () {
    each(document.querySelectorAll("input.table-search"), function (input) { input.value = ""; filterTable(input); });
    each(document.querySelectorAll("table.sortable"), officialOrder);
  });
}());

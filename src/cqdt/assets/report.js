// Sorting and searching of the report's tables, without any library or network request.
(function () {
  "use strict";
  function cellValue(row, index, kind) {
    var cell = row.cells[index];
    var raw = cell.getAttribute("data-value");
    if (kind === "number") { var n = parseFloat(raw === null ? cell.textContent : raw); return isNaN(n) ? -Infinity : n; }
    return cell.textContent.trim();
  }
  function sortTable(table, header) {
    var index = Array.prototype.indexOf.call(header.parentNode.children, header);
    var kind = header.getAttribute("data-sort");
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.filter.call(body.rows, function (r) { return !r.classList.contains("group-row"); });
    Array.prototype.forEach.call(body.querySelectorAll("tr.group-row"), function (r) { r.hidden = true; });
    rows.sort(function (a, b) {
      var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
      var order = kind === "number" ? x - y : x.localeCompare(y, "vi");
      return ascending ? order : -order;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(header.parentNode.children, function (h) { h.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  function fold(text) { return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase(); }
  function filterTable(input) {
    var table = document.getElementById(input.getAttribute("data-table"));
    var query = fold(input.value.trim());
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      if (row.classList.contains("group-row")) { row.hidden = query !== ""; return; }
      var match = query === "" || fold(row.textContent + " " + (row.getAttribute("data-code") || "")).indexOf(query) !== -1;
      row.hidden = !match;
      if (match) { shown += 1; }
    });
    var counter = document.querySelector('.table-count[data-table="' + table.id + '"]');
    if (counter) { counter.textContent = shown + " đơn vị"; }
  }
  document.querySelectorAll("table.sortable th[data-sort]").forEach(function (header) {
    header.setAttribute("tabindex", "0");
    header.setAttribute("title", "Bấm để sắp xếp");
    var table = header.closest("table");
    header.addEventListener("click", function () { sortTable(table, header); });
    header.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortTable(table, header); } });
  });
  document.querySelectorAll("input.table-search").forEach(function (input) {
    input.addEventListener("input", function () { filterTable(input); });
    filterTable(input);
  });
}());

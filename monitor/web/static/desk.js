// Keyboard shortcuts of the desk: j/k move, o open, r relevant, x irrelevant, s star, / search, ? help.
// Every action is a button of a form already on the page: without this file the desk works the same.
(function () {
  "use strict";
  let current = -1;

  function rows() { return Array.from(document.querySelectorAll("tr.hit-row")); }

  function select(index) {
    const all = rows();
    if (!all.length) { return; }
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) { row.classList.toggle("selected", i === current); });
    all[current].scrollIntoView({ block: "nearest" });
  }

  function selected() {
    const all = rows();
    if (current < 0 || current >= all.length) { return null; }
    return all[current];
  }

  function press(selector) {
    const row = selected();
    const button = row && row.querySelector(selector + " button");
    if (button) { button.click(); }
  }

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    const help = document.getElementById("help");
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "o": { const row = selected(); if (row) { window.location.assign(row.dataset.open); } break; }
      case "r": press(".act-relevant"); break;
      case "x": press(".act-irrelevant"); break;
      case "s": press(".act-star"); break;
      case "/": { const box = document.getElementById("search"); if (box) { box.focus(); box.select(); } break; }
      case "?": if (help.open) { help.close(); } else { help.showModal(); } break;
      default: return;
    }
    event.preventDefault();
  });

  // A row swapped by htmx after a change stays the selected one.
  document.addEventListener("htmx:afterSwap", function () { if (current >= 0) { select(current); } });
})();

// Keyboard shortcuts of the desk: j/k move, o open, e unfold a story, r relevant, x irrelevant, s star,
// / search, ? help. On a story's row, r and x mark every hit of the story.
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
      case "e": { const row = selected(); const toggle = row && row.querySelector(".act-expand"); if (toggle) { toggle.click(); } break; }
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

// The rule workshop: a concept name inserted into the query where the caret is; an article from triage
// added as an example. Both fire an input event so that the check and the preview run again.
(function () {
  "use strict";
  function changed(field) { field.dispatchEvent(new Event("input", { bubbles: true })); }

  document.addEventListener("click", function (event) {
    const concept = event.target.closest("button.concept[data-insert]");
    if (concept) {
      const query = document.getElementById("query");
      if (!query) { return; }
      const start = query.selectionStart, end = query.selectionEnd;
      const text = concept.dataset.insert;
      query.value = query.value.slice(0, start) + text + query.value.slice(end);
      query.focus();
      query.setSelectionRange(start + text.length, start + text.length);
      changed(query);
      return;
    }
    const example = event.target.closest("button.add-example[data-target]");
    if (example) {
      const field = document.getElementById(example.dataset.target);
      if (!field) { return; }
      field.value = (field.value.trim() ? field.value.replace(/\s*$/, "\n") : "") + example.dataset.text;
      example.disabled = true;
      changed(field);
    }
  });
})();

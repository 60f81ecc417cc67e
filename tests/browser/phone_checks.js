// What would trouble a phone on the current page: its width, controls under
// 24 × 24 px, form fields past the right edge, and table cells that are not
// labelled (data-label) or not reflowed into stacked rows.
() => {
  const visible = (el) =>
    el.checkVisibility() && !el.closest(".wm-visually-hidden, [hidden]");
  const describe = (el) => el.outerHTML.slice(0, 80);
  const controls =
    "button, input:not([type=hidden]), select, textarea, summary, " +
    "a.wm-button, .wm-tabs a, .wm-pagination a, .site-nav a";
  const small = [];
  for (const el of document.querySelectorAll(controls)) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 24 || r.height < 24) {
      small.push(`${describe(el)} ${Math.round(r.width)}×${Math.round(r.height)}`);
    }
  }
  const outside = [];
  const fields = "input:not([type=hidden]), select, textarea, button";
  for (const el of document.querySelectorAll(fields)) {
    if (visible(el) && el.getBoundingClientRect().right > window.innerWidth + 0.5) {
      outside.push(describe(el));
    }
  }
  const unlabelled = [];
  const unstacked = [];
  for (const td of document.querySelectorAll(".wm table td")) {
    if (!td.dataset.label && !td.classList.contains("wm-table__actions")) {
      unlabelled.push(describe(td));
    }
    if (getComputedStyle(td).display === "table-cell") unstacked.push(describe(td));
  }
  return {
    width: document.documentElement.scrollWidth,
    small,
    outside,
    unlabelled,
    unstacked,
  };
}

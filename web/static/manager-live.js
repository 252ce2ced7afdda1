/* The manager's live figures: sales so far, the open checks' bills and covers, and both
   by hour of today. Redrawn on the live events of orders and payments (a send, a void, a
   payment, a close on any device), one read per burst of events, never on a timer. */
"use strict";
(() => {
  const { h, $, mount, money, api, debounce } = POS;
  let shown = null; // the section's show(), while the live figures are on screen

  const stat = (label, value, key) => h("div.stat", { "data-figure": key }, h("span.muted", label), h("b", value));

  function byHour(rows, m) {
    const top = Math.max(1, ...rows.map((r) => r.closed + r.open));
    const pct = (v) => `${(v / top) * 100}%`;
    return h("table.grid.hours-sales", { "aria-label": "sales by hour" },
      h("thead", h("tr", h("th", "Hour"), h("th", "Sales"), h("th.amount", "Closed"), h("th.amount", "Open"))),
      h("tbody", rows.map((r) => h("tr", { "data-hour": r.hour },
        h("td", `${String(r.hour).padStart(2, "0")}:00`),
        h("td.barcell", h("span.hbar.closed", { style: { width: pct(r.closed) } }), h("span.hbar.open", { style: { width: pct(r.open) } })),
        h("td.amount", m(r.closed)), h("td.amount", m(r.open))))));
  }

  async function live({ show }) {
    shown = show;
    const x = await api("GET", "/api/reports/live");
    const m = (v) => money(v, x.currency);
    return h("div", { "data-live-figures": "" },
      h("h2", `Live · ${x.business_date}`),
      h("div.cards", stat("Sales so far", m(x.sales_total), "sales"), stat("Closed checks", x.checks, "checks"),
        stat("Open checks", x.open_checks, "open-checks"), stat("Open bills", m(x.open_total), "open-total"),
        stat("Covers seated", x.open_covers, "covers")),
      h("h2", "Sales by hour"),
      x.by_hour.length ? byHour(x.by_hour, m) : h("p.muted", "No sales yet today."),
      h("p.muted", "Open bills are not sales until their checks close. Updated as it happens."));
  }

  POS.managerSections.live = ["Live", live];
  POS.managerStarts.push(() => {
    const redraw = debounce(() => { if (shown && $("#view [data-live-figures]")) shown("live", true); }, 250);
    POS.live(["orders", "payments"], { event: redraw, ready: redraw });
  });
})();

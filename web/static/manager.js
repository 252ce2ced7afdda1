/* The manager's page: reports with charts, menu counts (86), floor, printers, approvals
   and the end of the day. */
"use strict";
(() => {
  const { h, $, mount, toast, money, api, ApiError, debounce, clock, t } = POS;
  const { date, number, decimal } = POS.intl;
  const box = POS.outbox("manager");
  const view = $("#view");
  const S = { section: "reports" };
  const failed = (err) => toast(err instanceof ApiError ? err.message : t("No connection"), "error");
  const SVG = "http://www.w3.org/2000/svg";

  /** Minimal SVG element builder (attributes only; text via ``text``). */
  function s(tag, attrs = {}, text) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  /** Horizontal bar chart of ``rows`` [{label, value, value2?}] with ``fmt`` for the values. */
  function barChart(title, rows, fmt, legend) {
    const W = 560, L = 170, R = 90, ROW = 28;
    const max = Math.max(1, ...rows.flatMap((r) => [r.value, r.value2 || 0]));
    const svg = s("svg", { viewBox: `0 0 ${W} ${Math.max(1, rows.length) * ROW + 8}`, role: "img", "aria-label": title });
    rows.forEach((r, i) => {
      const y = i * ROW + 4, bw = (W - L - R) * (r.value / max);
      svg.append(s("text", { x: L - 8, y: y + 17, "text-anchor": "end" }, r.label.length > 24 ? `${r.label.slice(0, 23)}…` : r.label));
      svg.append(s("rect", { class: "bar", x: L, y: y + 3, width: Math.max(1, bw), height: r.value2 === undefined ? 20 : 10, rx: 3 }));
      if (r.value2 !== undefined) svg.append(s("rect", { class: "bar2", x: L, y: y + 14, width: Math.max(1, (W - L - R) * (r.value2 / max)), height: 10, rx: 3 }));
      svg.append(s("text", { x: L + bw + 6, y: y + 17 }, fmt(r.value)));
    });
    return h("div.chart", h("h2", title), legend ? h("p.muted", legend) : null, rows.length ? svg : h("p.muted", t("Nothing yet today.")));
  }

  /** Payment methods, incidents and table states as staff read them (the API sends codes). */
  const METHODS = { cash: t("cash"), card: t("card"), gift_card: t("gift card"), none: t("unpaid") };
  const methodName = (code) => METHODS[code] || code;
  const KINDS = { void: t("void"), discount: t("discount"), comp: t("comp"), refund: t("refund"), return: t("return") };
  const STATUS = { free: t("free"), seated: t("seated"), ordered: t("ordered"), course_ready: t("course ready"), bill_requested: t("bill requested"), paid: t("paid"), to_clean: t("to clean") };

  const stat = (label, value) => h("div.stat", h("span.muted", label), h("b", value));
  const seconds = (x) => `${Math.floor(x / 60)}:${String(Math.round(x % 60)).padStart(2, "0")}`;

  async function reports() {
    const [x, prep] = await Promise.all([api("GET", "/api/reports/x"), api("GET", "/api/kitchen/prep-times")]);
    money.use(x.currency);
    const m = (v) => money(v, x.currency);
    return [
      h("h2", t("X report · business day {date} · at {time}", { date: date(x.business_date), time: clock(new Date(x.generated_at)) })),
      h("div.cards", stat(t("Sales"), m(x.sales_total)), stat(t("Checks"), number(x.checks)), stat(t("Covers"), number(x.covers)),
        stat(t("Per cover"), m(x.covers ? Math.round(x.sales_total / x.covers) : 0)), stat(t("Tips"), m(x.tips)),
        stat(t("Cash expected"), m(x.cash_expected)), stat(t("Voids"), number(x.voids.length)), stat(t("Discounts + comps"), number(x.discounts.length + x.comps.length))),
      h("div.charts",
        barChart(t("Sales by category"), x.by_category.map((c) => ({ label: t("{category} ({n})", { category: c.category || t("no category"), n: number(c.quantity) }), value: c.net })), m),
        barChart(t("Payments by method"), x.by_method.map((c) => ({ label: `${methodName(c.method)} (${number(c.count)})`, value: c.amount })), m),
        barChart(t("Sales by waiter"), x.by_staff.map((c) => ({ label: `${c.name} (${number(c.checks)})`, value: c.sales })), m),
        barChart(t("Kitchen prep times"), prep.rows.slice(0, 14).map((r) => ({ label: `${r.item} · ${r.station}`, value: r.avg_seconds, value2: r.p90_seconds })), seconds,
          t("average (blue) and 90th percentile (amber), {start} to {end}", { start: date(prep.start), end: date(prep.end) }))),
      h("p.muted", t("Sales are counted when checks close. The X report has no sales by hour, so none is drawn.")),
    ];
  }

  async function menu() {
    const data = await api("GET", "/api/menu");
    const patch = (item, body, what) => box.push("PATCH", `/api/menu/items/${item.id}`, body, what).then(() => { toast(what, "ok"); show(); }, failed);
    return data.categories.map((c) => [h("h2", c.name), h("table.grid",
      h("tr", h("th", t("Item")), h("th.amount", t("Price")), h("th", t("Available")), h("th", t("Left (empty: not counted)"))),
      c.items.map((i) => {
        const left = h("input", { type: "number", min: 0, value: i.remaining ?? "", "aria-label": t("{name} left", { name: i.name }) });
        return h("tr", h("td", i.name), h("td.amount", money(i.price, data.currency)),
          h("td", h(`button${i.available ? "" : ".danger"}`, { onclick: () => patch(i, { available: !i.available }, i.available ? t("{name} 86'd", { name: i.name }) : t("{name} back", { name: i.name })) }, i.available ? t("On · 86 it") : t("86'd · bring back"))),
          h("td.row", left, h("button", { onclick: () => patch(i, { remaining: left.value === "" ? null : Number(left.value) }, t("{name}: count saved", { name: i.name })) }, t("Save"))));
      }))]);
  }

  async function floor() {
    const data = await api("GET", "/api/floor");
    return [h("p.muted", t("Live state of every table (change the layout under Floor plan).")),
      h("div.row", { style: { alignItems: "flex-start" } }, data.areas.map((a) => {
        const xs = a.tables.map((tb) => tb.x), ys = a.tables.map((tb) => tb.y);
        const x0 = Math.min(...xs) - 60, y0 = Math.min(...ys) - 60, w = Math.max(...xs) + 60 - x0, hh = Math.max(...ys) + 60 - y0;
        return h("div.grow", { style: { minWidth: "22rem" } }, h("h2", a.name), h("div.floor", { style: { aspectRatio: `${w} / ${hh}` } }, a.tables.map((tb) =>
          h(`div.table.s-${tb.status}${tb.shape === "round" ? ".round" : ""}`, { style: { left: `${((tb.x - x0) / w) * 100}%`, top: `${((tb.y - y0) / hh) * 100}%` } },
            tb.name, h("small", tb.open_check ? t("{covers}p {waiter}", { covers: tb.open_check.covers, waiter: tb.open_check.waiter }) : STATUS[tb.status] || tb.status)))));
      })),
      h("div.legend", Object.entries(STATUS).map(([st, label]) => h(`span.s-${st}`, label)))];
  }

  async function approvals() {
    const x = await api("GET", "/api/reports/x");
    const names = new Map(x.by_staff.map((st) => [st.staff_id, st.name]));
    const who = (id) => (id === null ? "–" : names.get(id) || `#${id}`);
    const rows = [...x.voids, ...x.discounts, ...x.comps, ...x.refunds].sort((a, b) => b.at.localeCompare(a.at));
    return [h("p.muted", t("Voids, discounts, comps and refunds since the last close, with who approved them. Approvals are given with a manager PIN on the device that asks.")),
      rows.length ? h("table.grid", h("tr", [t("Time"), t("Kind"), t("Check"), t("Item"), t("Amount"), t("Reason"), t("By"), t("Approved by")].map((c) => h("th", c))),
        rows.map((r) => h("tr", h("td", clock(new Date(r.at))), h("td", KINDS[r.kind] || r.kind), h("td", r.check_id), h("td", r.name || "–"),
          h("td.amount", money(r.amount, x.currency)), h("td", r.reason || "–"), h("td", r.by_name || who(r.by)), h("td", r.approved_by_name || who(r.approved_by))))) : h("p", t("Nothing to review."))];
  }

  /** "123.45" or "123,45" in major units -> minor units, without floating point. */
  function minor(text) {
    const m = /^\s*(\d+)(?:[.,](\d{0,2}))?\s*$/.exec(text);
    return m ? Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0")) : null;
  }

  async function day() {
    const x = await api("GET", "/api/reports/x");
    const counted = h("input", { inputMode: "decimal", placeholder: decimal(0), "aria-label": t("counted cash") });
    const close = () => {
      const value = minor(counted.value);
      if (value === null) return toast(t("Enter the counted cash, e.g. {amount}", { amount: decimal(812.5) }), "error");
      if (!confirm(t("Close business day {date} with {amount} counted?", { date: date(x.business_date), amount: money(value, x.currency) }))) return;
      box.push("POST", "/api/days/close", { counted_cash: value }, t("Close the day")).then((z) => {
        mount(view, h("h2", t("Z report · {date}", { date: date(z.business_date) })), h("div.cards", stat(t("Sales"), money(z.sales_total, z.currency)), stat(t("Checks"), number(z.checks)),
          stat(t("Cash expected"), money(z.cash_expected, z.currency)), stat(t("Counted"), money(z.counted_cash, z.currency)),
          stat(t("Difference"), money(z.cash_difference, z.currency))));
      }, failed);
    };
    return [h("h2", t("End of day · {date}", { date: date(x.business_date) })),
      h("div.cards", stat(t("Sales"), money(x.sales_total, x.currency)), stat(t("Checks"), number(x.checks)), stat(t("Cash expected"), money(x.cash_expected, x.currency))),
      h("label", t("Cash counted in the drawer"), counted),
      h("button.danger", { onclick: close }, t("Close the day (Z report)"))];
  }

  // Editors in their own files (manager-*.js) add or replace sections through
  // POS.managerSections: key -> [label, render(ctx)], ctx = { view, show, failed, box }.
  const SECTIONS = { reports: [t("Reports"), reports], menu: [t("Menu & 86"), menu], floor: [t("Floor"), floor], approvals: [t("Approvals"), approvals], day: [t("End of day"), day],
    ...(POS.managerSections || {}) };
  const LIVE = { floor: "floor", plan: "floor", printers: "printers" };

  /** Whether the manager is in the middle of something a redraw would undo: dragging a
      table, or typing into a form of the section. */
  const editing = () => (POS.busy && POS.busy()) || !!(document.activeElement && document.activeElement.closest("#view form"));

  async function show(section = S.section, live = false) {
    S.section = section;
    mount($("#nav"), Object.entries(SECTIONS).map(([k, [label]]) => h(`button${k === S.section ? ".on" : ""}`, { "data-section": k, onclick: () => show(k) }, label)));
    // The manager's own show() wins over an earlier one; a live refresh gives way to any
    // show() begun meanwhile and to an edit in progress; nothing is redrawn under a drag.
    const ticket = live ? S.ticket || 0 : (S.ticket = (S.ticket || 0) + 1);
    try {
      const content = await SECTIONS[section][1]({ view, show, failed, box });
      if (ticket === (S.ticket || 0) && !(POS.busy && POS.busy()) && !(live && editing())) mount(view, content);
    } catch (err) { if (!live) failed(err); }
  }

  box.badge($("#outbox"));
  POS.boot({
    roles: ["manager"],
    start() {
      const changed = debounce((msg) => { if (msg && LIVE[S.section] === msg.topic && !editing()) show(S.section, true); }, 300);
      POS.live(["floor", "printers"], { ready: () => box.flush(), event: changed });
      POS.managerStarts.forEach((f) => f());
      show();
    },
    resumed: () => box.flush(),
  });
})();

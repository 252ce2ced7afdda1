/* The manager's live figures: sales so far, tips, the open checks' bills and covers, and
   both by hour of today. Read once (GET /api/reports/live, a snapshot with its event
   seq), then kept by applying the events of orders and payments to it: a check opened,
   a line added, changed or voided, a bill adjusted, a payment, a check closed or merged,
   on any device. Read again only after a gap the socket cannot replay (a snapshot
   message) or when the day is closed; never per event, never on a timer (docs/live.md,
   "Page reducers: the manager's live figures"). */
"use strict";
(() => {
  const { h, $, mount, money, api, t } = POS;
  const { date, number } = POS.intl;
  /** Events of the payments domain are recorded on ``payments`` and ``orders`` alike:
      applied once, from ``payments``. */
  const PAYMENTS = new Set(["payment.changed", "check.closed", "bill.adjusted", "bill.requested", "bill.split", "gift_card.issued"]);
  const L = { figures: null, loading: null, early: [], stale: false };
  /** The socket is live (its first ``ready``): a snapshot read after it misses nothing. */
  let connected;
  const ready = new Promise((resolve) => { connected = resolve; });
  const atMost = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // ---- the reducer ---------------------------------------------------------------
  /** The figures as the page keeps them, from the snapshot of /api/reports/live. */
  function fromSnapshot(x) {
    const open = new Map(x.open.map((c) => {
      const lines = new Map(Object.entries(c.lines).map(([id, amount]) => [Number(id), amount]));
      return [c.check_id, { covers: c.covers, hour: c.hour, total: c.total, lines, extra: c.total - sum(lines) }];
    }));
    const opened = new Set(x.open.map((c) => c.hour));
    // an hour with no open check opened in it is there for its closed checks
    const hours = new Map(x.by_hour.map((r) => [r.hour, { closed: r.closed, open: r.open, sales: r.closed || !opened.has(r.hour) ? 1 : 0 }]));
    const zone = new Intl.DateTimeFormat("en-GB", { timeZone: x.timezone, hour: "2-digit", hourCycle: "h23" });
    return { ...x, open, hours, hourOf: (at) => Number(zone.format(new Date(at))) % 24 };
  }
  const sum = (lines) => [...lines.values()].reduce((a, b) => a + b, 0);
  const hour = (F, n) => { if (!F.hours.has(n)) F.hours.set(n, { closed: 0, open: 0, sales: 0 }); return F.hours.get(n); };
  /** A check's bill is now ``total``: the figures follow by the difference. */
  function setTotal(F, c, total) {
    F.open_total += total - c.total;
    hour(F, c.hour).open += total - c.total;
    c.total = total;
  }
  /** A line's amount changed (0: voided): the bill follows by the lines' sum plus what the
      bill adds or takes off beyond its lines (as last told by an event carrying it). */
  function setLine(F, c, id, amount) {
    if (amount) c.lines.set(id, amount); else c.lines.delete(id);
    setTotal(F, c, sum(c.lines) + c.extra);
  }
  /** The bill's own total, told by an event: what it adds beyond the lines is kept. */
  function told(F, c, total) {
    c.extra = total - sum(c.lines);
    setTotal(F, c, total);
  }
  function drop(F, id) {
    const c = F.open.get(id);
    setTotal(F, c, 0);
    F.open.delete(id);
    F.open_checks -= 1;
    F.open_covers -= c.covers;
    const row = F.hours.get(c.hour);
    if (row && !row.sales && ![...F.open.values()].some((o) => o.hour === c.hour)) F.hours.delete(c.hour);
    return c;
  }

  /** Apply one event to the figures; false when the figures cannot follow it and must be
      read again (the day was closed). */
  function apply(F, msg) {
    const d = msg.data;
    if (PAYMENTS.has(msg.type) && msg.topic !== "payments") return true;
    const c = F.open.get(d.check_id);
    switch (msg.type) {
      case "check.opened":
        if (!c) {
          const opened = { covers: d.covers, hour: F.hourOf(msg.at), total: 0, lines: new Map(), extra: 0 };
          F.open.set(d.check_id, opened);
          hour(F, opened.hour);
          F.open_checks += 1;
          F.open_covers += d.covers;
        }
        break;
      case "line.added": case "line.changed":
        if (c) setLine(F, c, d.line.id, d.line.state === "voided" ? 0 : d.line.amount);
        break;
      case "line.voided":
        if (c) setLine(F, c, d.line_id, 0);
        break;
      case "check.merged": {
        const gone = F.open.get(d.merged_check_id);
        if (c && gone) {
          drop(F, d.merged_check_id);
          gone.lines.forEach((amount, id) => c.lines.set(id, amount));
          c.covers += gone.covers;
          F.open_covers += gone.covers;
          c.extra += gone.extra;
          setTotal(F, c, sum(c.lines) + c.extra);
        }
        break;
      }
      case "bill.adjusted": case "bill.requested":
        if (c) told(F, c, d.total);
        break;
      case "payment.changed":
        if (d.status === "approved") F.tips += d.tip;
        if (c && typeof d.total === "number") told(F, c, d.total);
        break;
      case "check.closed":
        if (c) drop(F, d.check_id);
        F.sales_total += d.total;
        F.checks += 1;
        { const row = hour(F, F.hourOf(msg.at)); row.closed += d.total; row.sales += 1; }
        break;
      case "day.closed":
        return false;
      default:
    }
    return true;
  }

  // ---- drawing -------------------------------------------------------------------
  const stat = (label, value, key) => h("div.stat", { "data-figure": key }, h("span.muted", label), h("b", value));

  function byHour(rows, m) {
    const top = Math.max(1, ...rows.map((r) => r.closed + r.open));
    const pct = (v) => `${(v / top) * 100}%`;
    return h("table.grid.hours-sales", { "aria-label": t("sales by hour") },
      h("thead", h("tr", h("th", t("Hour")), h("th", t("Sales")), h("th.amount", t("Closed")), h("th.amount", t("Open")))),
      h("tbody", rows.map((r) => h("tr", { "data-hour": r.hour },
        h("td", `${String(r.hour).padStart(2, "0")}:00`),
        h("td.barcell", h("span.hbar.closed", { style: { width: pct(r.closed) } }), h("span.hbar.open", { style: { width: pct(r.open) } })),
        h("td.amount", m(r.closed)), h("td.amount", m(r.open))))));
  }

  function draw(F) {
    const m = (v) => money(v, F.currency);
    const rows = [...F.hours.entries()].sort((a, b) => a[0] - b[0]).map(([n, r]) => ({ hour: n, closed: r.closed, open: r.open }));
    return h("div", { "data-live-figures": "", "data-seq": F.seq },
      h("h2", t("Live · {date}", { date: date(F.business_date) })),
      h("div.cards", stat(t("Sales so far"), m(F.sales_total), "sales"), stat(t("Closed checks"), number(F.checks), "checks"),
        stat(t("Tips"), m(F.tips), "tips"),
        stat(t("Open checks"), number(F.open_checks), "open-checks"), stat(t("Open bills"), m(F.open_total), "open-total"),
        stat(t("Covers seated"), number(F.open_covers), "covers")),
      h("h2", t("Sales by hour")),
      rows.length ? byHour(rows, m) : h("p.muted", t("No sales yet today.")),
      h("p.muted", t("Open bills are not sales until their checks close. Updated as it happens.")));
  }

  /** Redraw the figures where they are shown (once per frame, however many events). */
  let frame = 0;
  function redraw() {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      const el = $("#view [data-live-figures]");
      if (el && L.figures) el.replaceWith(draw(L.figures));
    });
  }

  // ---- reading ---------------------------------------------------------------------
  /** Read the snapshot, then apply what arrived meanwhile after its seq. */
  function load() {
    if (L.loading) return L.loading;
    L.stale = false;
    L.loading = Promise.race([ready, atMost(5000)]).then(() => api("GET", "/api/reports/live")).then((x) => {
      const F = fromSnapshot(x);
      const early = L.early;
      L.early = [];
      L.figures = F;
      for (const msg of early) {
        if (msg.seq <= F.seq) continue;
        F.seq = msg.seq;
        if (!apply(F, msg)) L.stale = true;
      }
      return F;
    }).finally(() => { L.loading = null; if (L.stale) reload(); });
    return L.loading;
  }
  function reload() {
    L.figures = null;
    load().then(redraw, () => { /* shown as the section's error on its next show */ });
  }

  /** A reconnect's gap could not be replayed: one snapshot message per topic, one read. */
  const gap = POS.debounce(() => { if (L.loading) L.stale = true; else if (L.figures) reload(); }, 100);

  function event(msg) {
    if (msg.type === "snapshot") return gap();
    if (L.loading) { L.early.push(msg); return; }
    const F = L.figures;
    if (!F || msg.seq <= F.seq) return;
    F.seq = msg.seq;
    if (!apply(F, msg)) return reload();
    redraw();
  }

  async function live() {
    const F = L.figures || (await load());
    return draw(F);
  }

  POS.managerSections.live = [t("Live"), live];
  POS.managerStarts.push(() => POS.live(["orders", "payments", "reports"], { event, ready: () => connected() }));
})();

/* The manager page's Roster and Labour sections. Roster: plan shifts per week (person,
   role, station or section, start, end, break), copy last week, publish, cancel. Labour:
   labour cost per hour beside sales per hour today, the week by day, and hourly wages;
   redrawn from the live events of clocking and payments while it is shown. Times are
   the venue's local times, whatever the browser's timezone. */
"use strict";
(() => {
  const { h, toast, money, api, ApiError, debounce, t, tn } = POS;
  const { date, number, decimal, percent, weekday } = POS.intl;
  const S = { week: null, tz: "UTC", show: null };
  const refuse = (err) => toast(err instanceof ApiError && err.problem.field ? `${err.message} (${err.problem.field})` : (err.message || t("No connection")), "error");
  const DAY = 86400000;

  /** Parts of an instant in the venue's timezone. */
  function local(at, tz = S.tz) {
    const parts = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", weekday: "short" }).formatToParts(new Date(at));
    const get = (t) => parts.find((p) => p.type === t).value;
    return { date: `${get("year")}-${get("month")}-${get("day")}`, time: `${get("hour")}:${get("minute")}`, weekday: get("weekday") };
  }
  /** A local date and time of the venue as an ISO instant (with its offset, as UTC). */
  function instant(date, time, tz = S.tz) {
    const guess = Date.parse(`${date}T${time}:00Z`);
    const seen = local(guess, tz);
    const shown = Date.parse(`${seen.date}T${seen.time}:00Z`);
    return new Date(guess - (shown - guess)).toISOString();
  }
  const addDays = (date, n) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
  const monday = (date) => addDays(date, -((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7));
  const hours = (seconds) => number(seconds / 3600, 2);
  /** Each role's name as staff read it. */
  const ROLE_NAMES = { waiter: t("waiter"), host: t("host"), kitchen: t("kitchen"), bar: t("bar"), manager: t("manager"), owner: t("owner") };
  const STATES = { cancelled: t("cancelled"), draft: t("draft"), changed: t("changed"), published: t("published") };

  async function venueZone() {
    const v = await api("GET", "/api/venue");
    S.tz = v.timezone;
    money.use(v.currency);
    return v;
  }

  // ---- roster ---------------------------------------------------------------------
  async function roster({ show, box }) {
    S.show = show;
    await venueZone();
    const today = local(Date.now()).date;
    if (!S.week) S.week = monday(today);
    const [week, staff, sections] = await Promise.all([
      api("GET", `/api/rosters?week=${S.week}`), api("GET", "/api/staff"), api("GET", "/api/sections"),
    ]);
    const people = staff.filter((m) => m.active && !m.roles.every((r) => r === "printer"));
    const write = (method, path, body, label) => box.push(method, path, body, label).then(() => { toast(label, "ok"); show("roster"); }, refuse);
    const go = (n) => { S.week = addDays(S.week, 7 * n); show("roster"); };

    const person = h("select", { name: "staff_id", id: "plan-staff", "aria-label": t("person") }, people.map((m) => h("option", { value: m.id }, m.name)));
    const role = h("select", { name: "role", id: "plan-role", "aria-label": t("role") });
    const section = h("select", { name: "section_id", id: "plan-section", "aria-label": t("section") }, h("option", { value: "" }, t("no section")), sections.map((s) => h("option", { value: s.id }, s.name)));
    const fillRoles = () => {
      const m = people.find((x) => String(x.id) === person.value);
      role.replaceChildren(...(m ? m.roles.filter((r) => r !== "printer") : []).map((r) => h("option", { value: r }, ROLE_NAMES[r] || r)));
    };
    person.addEventListener("change", fillRoles);
    fillRoles();
    const form = h("form.panel", { id: "plan-shift", onsubmit: (ev) => {
      ev.preventDefault();
      const e = form.elements;
      const body = {
        staff_id: Number(person.value), role: role.value,
        starts_at: instant(e.day.value, e.start.value), ends_at: instant(e.day.value, e.end.value),
        break_minutes: Number(e.break_minutes.value || 0), station: e.station.value.trim(),
      };
      if (section.value) body.section_id = Number(section.value);
      write("POST", "/api/rosters/shifts", body, t("Shift planned for {name}", { name: person.selectedOptions[0].textContent }));
    } },
    h("h2", t("Plan a shift")),
    h("div.form-grid",
      h("label", t("Person"), person), h("label", t("Role"), role),
      h("label", t("Day"), h("input", { name: "day", type: "date", required: true, value: today >= S.week && today <= addDays(S.week, 6) ? today : S.week, min: S.week, max: addDays(S.week, 6) })),
      h("label", t("From"), h("input", { name: "start", type: "time", required: true, value: "17:00" })),
      h("label", t("Until"), h("input", { name: "end", type: "time", required: true, value: "23:00" })),
      h("label", t("Break (minutes)"), h("input", { name: "break_minutes", type: "number", min: 0, max: 720, value: 0 })),
      h("label", t("Station"), h("input", { name: "station", maxLength: 64, placeholder: t("e.g. bar") })),
      h("label", t("Section"), section)),
    h("button.primary", { type: "submit" }, t("Add shift")));

    const drafts = week.shifts.filter((x) => !x.published).length;
    const state = (x) => (x.cancelled ? "cancelled" : !x.published ? "draft" : x.changed ? "changed" : "published");
    const rows = week.shifts.map((x) => {
      const a = local(x.starts_at), b = local(x.ends_at);
      return h(`tr${x.cancelled ? ".muted" : ""}`, { "data-shift": x.id, "data-state": state(x) },
        h("td", `${weekday(((new Date(`${a.date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1)} ${date(a.date)}`), h("td", `${a.time}–${b.time}`), h("td", x.staff_name), h("td", ROLE_NAMES[x.role] || x.role),
        h("td", x.section_name || x.station || ""), h("td.amount", x.break_minutes ? t("{n} min", { n: number(x.break_minutes) }) : ""),
        h("td", h(`span.tag`, STATES[state(x)])),
        h("td", x.cancelled ? "" : h("button", { onclick: () => {
          if (x.published && !confirm(t("Cancel the published shift of {name}? They will see it.", { name: x.staff_name }))) return;
          write("DELETE", `/api/rosters/shifts/${x.id}`, undefined, x.published ? t("Shift cancelled") : t("Shift removed"));
        } }, x.published ? t("Cancel") : t("Remove"))));
    });
    return [
      h("div.row", { id: "roster-week" },
        h("button", { onclick: () => go(-1), "aria-label": t("previous week") }, "‹"),
        h("h2.grow", { "data-week": S.week }, t("Week of {date}", { date: date(S.week) })),
        h("button", { onclick: () => go(1), "aria-label": t("next week") }, "›"),
        h("button", { id: "roster-copy", onclick: () => write("POST", "/api/rosters/copy-previous", { week: S.week }, t("Last week copied")) }, t("Copy last week")),
        h("button.primary", { id: "roster-publish", disabled: !drafts, onclick: () => write("POST", "/api/rosters/publish", { week: S.week }, t("Week published")) },
          drafts ? tn("Publish {n} draft", "Publish {n} drafts", drafts) : t("Published"))),
      h("table.grid", { id: "roster" },
        h("tr", [t("Day"), t("Time"), t("Person"), t("Role"), t("Where"), t("Break"), t("State"), ""].map((x) => h("th", x))),
        rows.length ? rows : h("tr", h("td.muted", { colSpan: 8 }, t("No shifts planned this week.")))),
      form,
    ];
  }

  // ---- labour ---------------------------------------------------------------------
  /** Save a CSV the API answers (it needs the session's token, so no plain link). */
  async function download(path) {
    const r = await fetch(path, { headers: { Authorization: `Bearer ${POS.session.token}`, Accept: "text/csv" } });
    if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => null));
    const name = (/filename="?([^";]+)/.exec(r.headers.get("content-disposition") || "") || [])[1] || "performance.csv";
    const a = h("a", { href: URL.createObjectURL(await r.blob()), download: name });
    document.body.append(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  async function labour({ show, box }) {
    S.show = show;
    const v = await venueZone();
    const today = await api("GET", "/api/reports/labour");
    const from = monday(today.start);
    const [week, wages, staff] = await Promise.all([
      api("GET", `/api/reports/labour?from=${from}&to=${addDays(from, 6)}`), api("GET", "/api/wages"), api("GET", "/api/staff"),
    ]);
    const cur = v.currency;
    const share = (cost, sales) => (sales ? percent(Math.round((cost / sales) * 100) / 100) : "–");
    const wageOf = Object.fromEntries(wages.map((w) => [w.staff_id, w.hourly_wage]));
    const minor = (text) => { const m = /^\s*(\d+)(?:[.,](\d{0,2}))?\s*$/.exec(text); return m ? Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0")) : null; };
    const wageRows = staff.filter((m) => m.active && !m.roles.every((r) => r === "printer" || r === "owner")).map((m) => {
      const input = h("input", { inputMode: "decimal", value: m.id in wageOf ? decimal(wageOf[m.id] / 100) : "", placeholder: decimal(0), "aria-label": t("hourly wage of {name}", { name: m.name }) });
      return h("tr", { "data-staff": m.name }, h("td", m.name), h("td", input), h("td", h("button", { onclick: () => {
        const value = minor(input.value);
        if (value === null) return toast(t("Enter the hourly wage, e.g. {amount}", { amount: decimal(14.5) }), "error");
        box.push("PUT", "/api/wages", { staff_id: m.id, hourly_wage: value }, t("{name}: wage saved", { name: m.name })).then(() => { toast(t("{name}: wage saved", { name: m.name }), "ok"); show("labour"); }, refuse);
      } }, t("Save"))));
    });
    return [
      h("h2", t("Labour · {date}", { date: date(today.start) })),
      h("div.cards", { id: "labour-today" },
        h("div.stat", h("span.muted", t("Sales")), h("b", money(today.sales, cur))),
        h("div.stat", h("span.muted", t("Labour cost")), h("b", money(today.labour_cost, cur))),
        h("div.stat", h("span.muted", t("Labour %")), h("b", share(today.labour_cost, today.sales))),
        h("div.stat", h("span.muted", t("Hours")), h("b", hours(today.labour_seconds || 0)))),
      h("table.grid", { id: "labour-hours" },
        h("tr", h("th", t("Hour")), h("th.amount", t("Sales")), h("th.amount", t("Labour cost")), h("th.amount", t("Labour %")), h("th.amount", t("Hours"))),
        today.rows.length ? today.rows.map((r) => h("tr", { "data-hour": r.hour },
          h("td", r.label), h("td.amount", money(r.sales, cur)), h("td.amount", money(r.labour_cost, cur)),
          h("td.amount", share(r.labour_cost, r.sales)), h("td.amount", hours(r.labour_seconds))))
          : h("tr", h("td.muted", { colSpan: 5 }, t("Nobody clocked in and nothing sold yet today.")))),
      h("h2", t("Week of {date}", { date: date(from) })),
      h("table.grid", { id: "labour-week" },
        h("tr", h("th", t("Day")), h("th.amount", t("Sales")), h("th.amount", t("Labour cost")), h("th.amount", t("Labour %")), h("th.amount", t("Hours"))),
        week.days.map((d) => h("tr", { "data-day": d.business_date },
          h("td", date(d.business_date)), h("td.amount", money(d.sales, cur)), h("td.amount", money(d.labour_cost, cur)),
          h("td.amount", share(d.labour_cost, d.sales)), h("td.amount", hours(d.labour_seconds)))),
        h("tr", h("th", t("Week")), h("th.amount", money(week.sales, cur)), h("th.amount", money(week.labour_cost, cur)),
          h("th.amount", share(week.labour_cost, week.sales)), h("th.amount", hours(week.labour_seconds || 0)))),
      h("p", h("button", { id: "performance-csv", onclick: () => download(`/api/reports/performance?from=${from}&to=${addDays(from, 6)}&format=csv`).catch(refuse) },
        t("Performance of the week (CSV, with hours for payroll)"))),
      h("h2", t("Hourly wages")),
      h("p.muted", t("Seen by owners and managers only.")),
      h("table.grid", { id: "wages" }, h("tr", h("th", t("Name")), h("th", t("Per hour")), h("th", "")), wageRows),
    ];
  }

  /** While the labour view is shown, redraw it when someone clocks in or out or a
      check is paid; the roster when a shift changes (live events of the manager's
      socket, never polling). */
  function follow() {
    const shown = () => { const on = document.querySelector("#nav button.on"); return on && on.dataset.section; };
    const redraw = debounce((msg) => {
      const now = shown();
      if (S.show && (now === "labour" || (now === "roster" && msg.topic === "rosters"))) S.show(now, true);
    }, 400);
    POS.live(["staff", "payments", "orders", "rosters"], { event: redraw });
  }

  POS.managerSections.roster = [t("Roster"), roster];
  POS.managerSections.labour = [t("Labour"), labour];
  POS.managerStarts.push(follow);
})();

/* The handheld's clock and "my shifts": a button in the bar opens a sheet with the
   member's clock (clock in, break, clock out; a manager's PIN when the clock-in is
   early, late or unplanned) and their published shifts of the week. A change to the
   roster that touches the member (live topic staff:<id>) marks the button until seen. */
"use strict";
(() => {
  const { h, $, mount, toast, api, ApiError, uuid, t } = POS;
  const S = { button: null, tz: undefined };
  const failed = (err) => toast(err instanceof ApiError ? err.message : t("No connection"), "error");
  const fmt = (at, opts) => new Intl.DateTimeFormat(POS.language, { timeZone: S.tz, ...opts }).format(new Date(at));
  const time = (at) => fmt(at, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const day = (at) => fmt(at, { weekday: "short", day: "numeric", month: "short" });
  const WHY = { early: t("before your shift"), late: t("after your shift began"), unplanned: t("outside your shifts") };

  const sheet = () => $("#sheet");
  const close = () => { sheet().hidden = true; sheet().replaceChildren(); };

  function mark(changed) {
    S.button.classList.toggle("warn", changed);
    S.button.dataset.changed = changed ? "yes" : "";
    S.button.textContent = changed ? `${t("Shifts")} •` : t("Shifts");
  }

  /** Call a clock route; a clock-in refused for want of approval asks for a manager's PIN. */
  async function clockCall(path, body) {
    try {
      await api("POST", path, body, { key: uuid() });
      toast({ "/api/staff/clock-in": t("Clocked in"), "/api/staff/clock-out": t("Clocked out"), "/api/staff/breaks/start": t("Break started"), "/api/staff/breaks/end": t("Back from break") }[path], "ok");
      open();
    } catch (err) {
      if (err instanceof ApiError && err.status === 403 && err.problem.field === "approval" && !body) return approve(err);
      failed(err);
    }
  }

  function approve(err) {
    const pin = h("input", { id: "clock-approval-pin", type: "password", inputMode: "numeric", maxLength: 8, placeholder: t("Manager PIN"), autocomplete: "off", "aria-label": t("manager PIN") });
    const form = h("form", { id: "clock-approval", onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        // the member's own token given: a wrong manager PIN (401) must not sign them out
        const r = await api("POST", "/api/auth/approve", { pin: pin.value, action: "clock_in" }, { token: POS.session.token });
        await clockCall("/api/staff/clock-in", { approval: r.approval });
      } catch (e) { pin.value = ""; failed(e); }
    } },
    h("p.error", err.message),
    h("p.muted", t("A manager approves a clock-in {why}.", { why: WHY[err.problem.reason] || "" })),
    pin, h("div.row", h("button.primary", { type: "submit" }, t("Approve and clock in")), h("button", { type: "button", onclick: open }, t("Back"))));
    mount(sheet(), h("h2", t("Manager approval")), form);
    pin.focus();
  }

  function clockPanel(clock) {
    const s = clock.shift, p = clock.planned;
    const planned = p ? h("p", { id: "clock-planned" }, t("Your shift: {when}", { when: `${day(p.starts_at)} ${time(p.starts_at)}–${time(p.ends_at)} · ${p.role}` }),
      p.section_name ? ` · ${p.section_name}` : "", p.station ? ` · ${p.station}` : "") : h("p.muted", t("No shift planned now."));
    let state, buttons;
    if (!s) {
      state = clock.needs_approval ? t("Not clocked in · a clock-in now needs a manager ({why})", { why: WHY[clock.needs_approval] }) : t("Not clocked in");
      buttons = [h("button.primary", { id: "clock-in", onclick: () => clockCall("/api/staff/clock-in") }, t("Clock in"))];
    } else if (s.on_break_since) {
      state = t("On a break since {time}", { time: time(s.on_break_since) });
      buttons = [h("button.primary", { id: "break-end", onclick: () => clockCall("/api/staff/breaks/end") }, t("End break"))];
    } else {
      state = t("Clocked in since {time}", { time: time(s.clock_in) });
      buttons = [h("button", { id: "break-start", onclick: () => clockCall("/api/staff/breaks/start") }, t("Start break")),
        h("button.danger", { id: "clock-out", onclick: () => { if (confirm(t("Clock out now?"))) clockCall("/api/staff/clock-out"); } }, t("Clock out"))];
    }
    return h("div", { id: "clock", "data-state": !s ? "out" : s.on_break_since ? "break" : "in" }, h("p", h("b", { id: "clock-state" }, state)), planned, h("div.row", buttons));
  }

  function shiftList(week) {
    if (!week.shifts.length) return h("p.muted", t("No published shifts this week."));
    return h("ul.lines", { id: "my-shifts" }, week.shifts.map((x) => h(`li${x.cancelled ? ".voided" : ""}`, { "data-shift": x.id },
      h("span.what", `${day(x.starts_at)} ${time(x.starts_at)}–${time(x.ends_at)}`),
      h("small", ` ${x.role}${x.section_name ? ` · ${x.section_name}` : ""}${x.station ? ` · ${x.station}` : ""}${x.break_minutes ? ` · ${t("{n} min break", { n: x.break_minutes })}` : ""}`),
      x.cancelled ? h("span.tag", t("cancelled")) : x.changed ? h("span.tag", t("changed")) : null)));
  }

  async function open() {
    mark(false);
    try {
      const [clock, week] = await Promise.all([api("GET", "/api/rosters/clock"), api("GET", "/api/rosters/mine")]);
      mount(sheet(), h("div.head", h("h2", t("My shifts")), h("button", { onclick: close }, t("Close"))), clockPanel(clock), h("h2", t("This week")), shiftList(week));
      sheet().hidden = false;
    } catch (err) { failed(err); }
  }

  function start({ timezone } = {}) {
    const me = POS.session.staff;
    if (!me || S.button) return;
    S.tz = timezone || undefined;
    S.button = h("button.link", { id: "my-shifts-button", onclick: open }, t("Shifts"));
    $("header.bar .spacer").before(S.button);
    POS.live([`staff:${me.id}`], {
      event(msg) {
        if (msg.type !== "roster.published" && msg.type !== "roster.shift_changed") return;
        mark(true);
        toast(msg.type === "roster.published" ? t("Your shifts are published") : t("One of your shifts changed"), "info");
      },
    });
  }

  (POS.handheldStarts = POS.handheldStarts || []).push(start);
})();

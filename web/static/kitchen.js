/* A station's kitchen screen (?station=hot) or the pass (?mode=expo). Tickets in arrival
   order with timers, flowing in columns; more than a screenful goes on pages with a count.
   Touch: tap an item to bump it, tap the header to bump the ticket. A bump bar (keys):
   1-9 select the n-th ticket of the page, arrows move, Enter or Space bump, PgUp/PgDn
   turn the page, R recalls. The pass: ready courses are called up for pickup (the
   waiter's handheld shows it) and marked served.
   The screen keeps its state by applying its topic's events in seq order with the
   server's reducer (kds-reducer.js, docs/live.md): it reads the API only when it starts,
   when a snapshot replaces its state, when the pass meets an event it cannot apply, or
   when a write of its own was refused. */
"use strict";
/** Where a ticket goes: its table, or a takeaway order's pickup ("Pickup 19:30 Anna"). */
const place = (table) => (table && table.startsWith("Pickup ") ? table : POS.t("Table {table}", { table: table || "–" }));
(() => {
  const { h, $, mount, toast, api, ApiError, elapsed, now, syncClock, debounce, clock, t, tn } = POS;
  const station = document.body.dataset.station;
  const expo = document.body.dataset.mode === "expo";
  const box = POS.outbox(expo ? "expo" : `kitchen-${station}`);
  const board = $("#tickets");
  // screen: the station's tickets by id (KDS.apply); pass: GET /api/kitchen/expo (KDS.expo)
  const S = { screen: {}, pass: { orders: [], courses: [] }, warn: 10, late: 20, live: false, loaded: false, audio: null };
  const kept = `pos.cache.kitchen.${expo ? "expo" : station}`; // the last screen, for a start offline
  let timers = [];
  let held = null; // events that came while the page was reading: applied after the answer
  const bumping = new Set(); // tickets bumped here whose bump the server has not confirmed yet
  let reading = null;

  const failed = (err) => toast(err instanceof ApiError ? err.message : t("No connection to the server"), "error");
  const q = encodeURIComponent(station);
  const byArrival = (a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id;
  /** A table's band or an item's flags in the reader's words (codes named, notes as written). */
  const allergies = (list) => list.map(POS.allergens.name).join(", ");
  const shown = () => KDS.tickets(S.screen).filter((x) => x.state !== "bumped").sort(byArrival);

  const load = () => api("GET", expo ? "/api/kitchen/expo" : `/api/kitchen/tickets?station=${q}`);

  /** Take a read (or a topic's snapshot, the same answer) as the page's whole state. */
  function take(r) {
    syncClock(r.at);
    if (expo) S.pass = { orders: r.orders.map((o) => ({ tickets: [], closed: false, ...o })), courses: r.courses || [] };
    else {
      const mine = (r.stations || []).find((s) => s.name === station);
      if (mine) { S.warn = mine.warn_minutes; S.late = mine.late_minutes; }
      S.screen = KDS.screen(r.tickets);
      bumping.clear();
    }
  }

  /** One event of the page's topic, folded into its state; the pass re-reads what its
      reducer cannot apply exactly. */
  function fold(msg) {
    if (!expo) {
      S.screen = KDS.apply(S.screen, msg);
      if (msg.type === "ticket.bumped") bumping.delete(msg.data.ticket_id);
      return;
    }
    const next = KDS.expo(S.pass, msg);
    if (next === null) reload();
    else S.pass = next;
  }

  /** Read the whole state once; events arriving meanwhile are applied after the answer
      (each sets what it changes, so one the answer already holds changes nothing). */
  function reload() {
    if (reading) return reading;
    if (held === null) held = [];
    reading = (async () => {
      try {
        take(await load());
      } catch (err) {
        if (err instanceof ApiError || localStorage.getItem(kept) === null) failed(err);
        else take(JSON.parse(localStorage.getItem(kept)));
      }
      const later = held || [];
      held = null;
      later.forEach(fold);
      S.loaded = true;
      paint();
    })().finally(() => { reading = null; });
    return reading;
  }

  /** What a start without the server shows: the last screen this device drew. */
  const remember = debounce(() => {
    const at = new Date(now()).toISOString();
    const r = expo ? { at, ...S.pass } : { at, stations: [{ name: station, warn_minutes: S.warn, late_minutes: S.late }], tickets: shown() };
    try { localStorage.setItem(kept, JSON.stringify(r)); } catch (err) { /* storage full: no offline start */ }
  }, 1000);

  let painting = false;
  /** Redraw once after the events of this turn (a replay brings many). */
  function paint() {
    if (painting) return;
    painting = true;
    setTimeout(() => { painting = false; render(); remember(); }, 0);
  }

  function write(path, data, what) {
    // the change comes back as an event; a refused one leaves a guess on screen: re-read
    box.push("POST", path, data, what).then(null, (err) => { failed(err); reload(); });
  }

  // ---- station screen ----------------------------------------------------------------
  function age(t) { return t.fired_at ? now() - Date.parse(t.fired_at) : null; }
  function level(t) {
    const a = age(t);
    if (t.late_at || (a !== null && a >= S.late * 60000)) return "late";
    return a !== null && a >= S.warn * 60000 ? "warn" : "ok";
  }
  function tag(item) {
    if (item.status === "waiting" && item.release_at) {
      return t("starts in {n} min", { n: Math.max(0, Math.ceil((Date.parse(item.release_at) - now()) / 60000)) });
    }
    return { held: t("held"), started: t("started"), bumped: t("done"), voided: t("VOID") }[item.status] || "";
  }

  function itemRow(tk, item) {
    const tagEl = h("span.tag", tag(item));
    if (item.status === "waiting") timers.push(() => { tagEl.textContent = tag(item); });
    const bumpable = ["waiting", "released", "started"].includes(item.status) && tk.state !== "bumped" && !bumping.has(tk.id);
    return h(`li.${item.status}`, {
      "data-item": item.name,
      onclick: () => {
        if (!bumpable) return;
        item.status = "bumped";
        render();
        write(`/api/kitchen/tickets/${tk.id}/items/${item.id}/bump`, undefined, `bump ${item.name}`);
      },
    }, tagEl, h("span.q", `${item.quantity}×`), item.name,
    item.seat ? h("span.muted", ` ${t("s{seat}", { seat: item.seat })}`) : null,
    item.modifiers.length ? h("small", item.modifiers.join(", ")) : null,
    item.note ? h("small.note", `“${item.note}”`) : null,
    item.allergy_flags.length ? h("small.flag", `⚠ ${t("ALLERGY: {allergies}", { allergies: allergies(item.allergy_flags) })}`) : null,
    item.status === "voided" && item.void_reason ? h("small", item.void_reason) : null);
  }

  /** Bump a ticket: greyed at once, gone when its ``ticket.bumped`` event comes. */
  function bumpTicket(tk) {
    if (tk.state === "bumped" || bumping.has(tk.id)) return;
    bumping.add(tk.id);
    render();
    write(`/api/kitchen/tickets/${tk.id}/bump`, undefined, `bump #${tk.number}`);
  }

  /** "Ticket 12, table 5" (with ", allergy"): what a screen reader says of a card. */
  function cardLabel(tk) {
    const label = t("Ticket {number}, table {table}", { number: tk.number, table: tk.table || t("none") });
    return tk.allergies.length ? `${label}, ${t("allergy")}` : label;
  }

  function ticketCard(tk) {
    const timer = h("span.timer", tk.fired_at ? elapsed(age(tk)) : t("held"));
    const look = bumping.has(tk.id) ? "bumped" : tk.state;
    const card = h(`article.ticket.${level(tk)}${look === "bumped" || look === "held" ? `.${look}` : ""}`, {
      "data-ticket": tk.number, "data-id": tk.id, tabindex: 0, "aria-label": cardLabel(tk),
    });
    timers.push(() => {
      if (!tk.fired_at) return;
      timer.textContent = elapsed(age(tk));
      card.classList.remove("ok", "warn", "late");
      card.classList.add(level(tk));
    });
    const courses = [...new Set(tk.items.map((i) => i.course))];
    return mount(card,
      h("header", { title: t("tap to bump the ticket"), onclick: () => bumpTicket(tk) },
        h("span.num", `#${tk.number}`), h("span", place(tk.table)), timer,
        h("span.meta", `${tk.waiter} · ${tn("{n} cover", "{n} covers", tk.covers)} · ${clock(new Date(tk.created_at))}`)),
      tk.moved ? h("div.moved", tk.moved) : null,
      tk.allergies.length ? h("div.allergy", t("ALLERGY: {allergies}", { allergies: allergies(tk.allergies) })) : null,
      courses.map((c) => [courses.length > 1 ? h("h3.course-h", c) : null,
        h("ul", tk.items.filter((i) => i.course === c).map((i) => itemRow(tk, i)))]));
  }

  /** The all-day counts, derived from the tickets the screen holds (KDS.allDay). */
  function allDayPanel() {
    const a = KDS.allDay(S.screen);
    return [h("h2", t("All day")),
      a.items.length ? h("table", a.items.map((i) => h("tr", h("td.n", i.quantity), h("td", i.name, i.held ? h("span.muted", ` (${t("{n} held", { n: i.held })})`) : null)))) : h("p.muted", t("Nothing outstanding")),
      a.modifiers.length ? [h("h2", t("Modifiers")), h("table", a.modifiers.map((m) => h("tr", h("td.n", m.quantity), h("td", `${m.item}: ${m.modifier}`))))] : null];
  }

  // ---- expo ----------------------------------------------------------------------------
  const SINCE = {
    fired: ["fired_at", (time) => t("cooking {time}", { time })],
    ready: ["ready_at", (time) => t("waiting {time}", { time })],
    pickup: ["pickup_at", (time) => t("called {time}", { time })],
  };
  const COURSE_STATE = { held: () => t("held"), fired: () => t("cooking"), ready: () => t("READY"), pickup: () => t("CALLED"), served: () => t("served") };

  function pass(o, c, action) {
    c.state = action === "served" ? "served" : "pickup";
    c[`${c.state === "served" ? "served" : "pickup"}_at`] = new Date(now()).toISOString();
    render();
    write(`/api/kitchen/expo/${o.check_id}/${action}`, { course: c.course }, `${c.course} ${action}`);
  }

  function expoCourse(o, c) {
    const since = SINCE[c.state];
    const running = () => since[1](elapsed(now() - Date.parse(c[since[0]])));
    const timer = h("span.timer", since && c[since[0]] ? running() : "");
    if (since && c[since[0]]) timers.push(() => { timer.textContent = running(); });
    const up = c.state === "ready" || c.state === "pickup";
    return h(`div.expo-course.${c.state}`, { "data-course": c.course },
      h("div.expo-head", h("b", c.course),
        h("span.state", COURSE_STATE[c.state] ? COURSE_STATE[c.state]() : c.state), timer,
        up ? h("button.pickup", { onclick: () => pass(o, c, "pickup") }, c.state === "pickup" ? t("Call again") : t("Call waiter")) : null,
        up ? h("button.served", { onclick: () => pass(o, c, "served") }, t("Served")) : null),
      h("div.expo-items", c.items.map((i) => `${i.quantity}× ${i.name} (${i.station})${i.status === "bumped" ? " ✓" : ""}`).join(", ")));
  }

  function orderCard(o) {
    const done = o.courses.filter((c) => ["ready", "pickup", "served"].includes(c.state)).length;
    return h("article.ticket", { "data-check": o.check_id, tabindex: 0, "aria-label": place(o.table) },
      h("header", h("span.num", place(o.table)), h("span.timer", `${done}/${o.courses.length}`),
        h("span.meta", `${o.waiter} · ${tn("{n} cover", "{n} covers", o.covers)} · ${t("check {id}", { id: o.check_id })}`)),
      o.allergies.length ? h("div.allergy", t("ALLERGY: {allergies}", { allergies: allergies(o.allergies) })) : null,
      o.courses.map((c) => expoCourse(o, c)));
  }

  // ---- pages and the bump bar -------------------------------------------------------------
  const cards = () => [...board.querySelectorAll(".ticket")];
  const GAP = () => parseFloat(getComputedStyle(board).columnGap) || 0;
  const pageWidth = () => board.clientWidth + GAP();
  const pageOf = (el) => Math.floor((el.offsetLeft + 1) / pageWidth()); // .tickets is the offsetParent
  function pages() { return Math.max(1, ...cards().map((c) => pageOf(c) + 1)); }
  let current = 0; // the page on screen: the columns are shifted, never scrolled
  function page() { return Math.min(current, pages() - 1); }
  function turn(n) {
    current = Math.max(0, Math.min(n, pages() - 1));
    $("#pages").scrollLeft = 0;
    board.style.transform = current ? `translateX(${-current * pageWidth()}px)` : "";
    counted();
  }
  function counted() {
    const all = cards(), p = page();
    const here = all.filter((c) => pageOf(c) === p).length;
    $("#page-count").textContent = t("Page {page} of {pages} · {here} of {all} here", { page: p + 1, pages: pages(), here, all: all.length });
    $("#page-prev").disabled = p === 0;
    $("#page-next").disabled = p >= pages() - 1;
    $("#pager").classList.toggle("more", pages() > 1);
  }
  function select(card) {
    if (!card) return;
    card.focus({ preventScroll: true });
    turn(pageOf(card));
  }
  function onKey(ev) {
    if (!$("#login").hidden || !$("#pair").hidden || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const target = document.activeElement;
    if (target && target.matches("input, textarea, select")) return;
    const all = cards(), at = all.indexOf(target);
    const onPage = all.filter((c) => pageOf(c) === page());
    let done = true;
    if (/^[1-9]$/.test(ev.key)) select(onPage[Number(ev.key) - 1]);
    else if (ev.key === "ArrowRight" || ev.key === "ArrowDown") select(all[at < 0 ? 0 : Math.min(at + 1, all.length - 1)]);
    else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") select(all[Math.max(at - 1, 0)]);
    else if (ev.key === "PageDown") { turn(page() + 1); select(all.find((c) => pageOf(c) === page())); }
    else if (ev.key === "PageUp") { turn(page() - 1); select(all.find((c) => pageOf(c) === page())); }
    else if (ev.key === "Home") select(all[0]);
    else if (ev.key === "End") select(all[all.length - 1]);
    else if ((ev.key === "Enter" || ev.key === " ") && at >= 0 && !expo) {
      const tk = S.screen[target.dataset.id];
      const next = all[at + 1] || all[at - 1]; // the bump bar stays on the next ticket
      if (tk) { bumpTicket(tk); select(next && cards().find((c) => c.dataset.id === next.dataset.id)); }
    } else if ((ev.key === "r" || ev.key === "R") && !expo) recallLast();
    else done = false;
    if (done) ev.preventDefault();
  }

  function render() {
    timers = [];
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest(".ticket");
    const keep = focused && (focused.dataset.id || focused.dataset.check);
    if (expo) {
      const open = KDS.expoOrders(S.pass);
      const ready = open.reduce((n, o) => n + o.courses.filter((c) => c.state === "ready").length, 0);
      mount(board, open.length ? open.map(orderCard) : h("p.muted", t("No open orders")));
      $("#summary").textContent = `${tn("{n} order", "{n} orders", open.length)} · ${t("{n} ready", { n: ready })}`;
    } else {
      const all = shown(), live = all.filter((x) => !bumping.has(x.id));
      mount(board, all.length ? all.map(ticketCard) : h("p.muted", t("No tickets. All clear.")));
      mount($("#allday"), allDayPanel());
      $("#summary").textContent = `${tn("{n} ticket", "{n} tickets", live.length)} · ${t("{n} late", { n: live.filter((x) => level(x) === "late").length })}`;
    }
    turn(current);
    if (keep) {
      const again = cards().find((c) => (c.dataset.id || c.dataset.check) === keep);
      if (again) again.focus({ preventScroll: true });
    }
    counted();
  }

  function recallLast() { write("/api/kitchen/recall", { station }, "recall"); }

  function beep() {
    try {
      const ctx = S.audio || (S.audio = new AudioContext());
      [880, 1320].forEach((f, i) => {
        const o = ctx.createOscillator(), g = ctx.createGain(), t0 = ctx.currentTime + i * 0.18;
        o.type = "square"; o.frequency.value = f;
        g.gain.setValueAtTime(0.15, t0);
        g.gain.exponentialRampToValueAtTime(0.001, t0 + 0.16);
        o.connect(g).connect(ctx.destination);
        o.start(t0); o.stop(t0 + 0.17);
      });
    } catch (err) { /* no audio device: the screen still updates */ }
  }

  setInterval(() => {
    timers.forEach((f) => f());
    $("#clock").textContent = clock(new Date(now()));
  }, 1000);

  $("#page-prev").addEventListener("click", () => turn(page() - 1));
  $("#page-next").addEventListener("click", () => turn(page() + 1));
  board.addEventListener("focusin", (ev) => { // a Tab to a ticket of another page turns to it
    const card = ev.target.closest(".ticket");
    if (card && pageOf(card) !== page()) turn(pageOf(card));
    else $("#pages").scrollLeft = 0;
  });
  window.addEventListener("resize", debounce(() => turn(page()), 100));
  document.addEventListener("keydown", onKey);
  box.badge($("#outbox"));
  POS.boot({
    roles: ["kitchen", "bar"],
    start() {
      const cache = localStorage.getItem(kept);
      if (cache !== null) { take(JSON.parse(cache)); paint(); } // until the server answers
      POS.live([expo ? "expo" : `kitchen:${station}`], {
        // the first ready: read the state, now that no later event can be missed; a
        // reconnect's replay came before its ready and is applied already
        ready: () => { S.live = true; box.flush(); if (!S.loaded) reload(); },
        state: (s) => { if (s !== "live") S.live = false; },
        event: (msg) => {
          if (msg.type === "snapshot") { // the topic's whole state: replaces the page's
            take(msg.data);
            if (held !== null) held = [];
            paint();
            return;
          }
          if (msg.type === "ticket.created" && msg.topic === `kitchen:${station}` && S.live) beep();
          if (held !== null) held.push(msg);
          else {
            fold(msg);
            if (S.live) { render(); remember(); } else paint(); // a replay is drawn once, at its end
          }
        },
      });
      const recall = $("#recall");
      if (recall) recall.addEventListener("click", recallLast);
    },
    resumed: () => box.flush(),
  });
})();

/* A station's kitchen screen (?station=hot) or the pass (?mode=expo). Tickets in arrival
   order with timers, flowing in columns; more than a screenful goes on pages with a count.
   Touch: tap an item to bump it, tap the header to bump the ticket. A bump bar (keys):
   1-9 select the n-th ticket of the page, arrows move, Enter or Space bump, PgUp/PgDn
   turn the page, R recalls. The pass: ready courses are called up for pickup (the
   waiter's handheld shows it) and marked served. */
"use strict";
/** Where a ticket goes: its table, or a takeaway order's pickup ("Pickup 19:30 Anna"). */
const place = (table) => (table && table.startsWith("Pickup ") ? table : `Table ${table || "–"}`);
(() => {
  const { h, $, mount, toast, api, ApiError, elapsed, now, syncClock, debounce, clock } = POS;
  const station = document.body.dataset.station;
  const expo = document.body.dataset.mode === "expo";
  const box = POS.outbox(expo ? "expo" : `kitchen-${station}`);
  const board = $("#tickets");
  const S = { tickets: [], orders: [], allDay: null, warn: 10, late: 20, live: false, audio: null };
  const kept = `pos.cache.kitchen.${expo ? "expo" : station}`; // the last screen, for a start offline
  let timers = [];

  const failed = (err) => toast(err instanceof ApiError ? err.message : "No connection", "error");
  const q = encodeURIComponent(station);
  const byArrival = (a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id;

  async function load() {
    if (expo) {
      const r = await api("GET", "/api/kitchen/expo");
      return { at: r.at, orders: r.orders };
    }
    const [r, allDay] = await Promise.all([
      api("GET", `/api/kitchen/tickets?station=${q}`), api("GET", `/api/kitchen/all-day?station=${q}`)]);
    const mine = r.stations.find((s) => s.name === station);
    return { at: r.at, tickets: r.tickets, allDay, warn: mine && mine.warn_minutes, late: mine && mine.late_minutes };
  }

  async function refresh() {
    let r = null;
    try {
      r = await load();
      localStorage.setItem(kept, JSON.stringify(r));
    } catch (err) {
      if (err instanceof ApiError || localStorage.getItem(kept) === null) failed(err);
      else r = JSON.parse(localStorage.getItem(kept));
    }
    if (r) {
      syncClock(r.at);
      if (expo) S.orders = r.orders;
      else {
        if (r.warn) { S.warn = r.warn; S.late = r.late; }
        S.tickets = r.tickets.sort(byArrival);
        S.allDay = r.allDay;
      }
    }
    render();
  }

  function write(path, data, what) {
    box.push("POST", path, data, what).then(refresh, failed);
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
      return `starts in ${Math.max(0, Math.ceil((Date.parse(item.release_at) - now()) / 60000))} min`;
    }
    return { held: "held", started: "started", bumped: "done", voided: "VOID" }[item.status] || "";
  }

  function itemRow(t, item) {
    const tagEl = h("span.tag", tag(item));
    if (item.status === "waiting") timers.push(() => { tagEl.textContent = tag(item); });
    const bumpable = ["waiting", "released", "started"].includes(item.status) && t.state !== "bumped";
    return h(`li.${item.status}`, {
      "data-item": item.name,
      onclick: () => {
        if (!bumpable) return;
        item.status = "bumped";
        render();
        write(`/api/kitchen/tickets/${t.id}/items/${item.id}/bump`, undefined, `bump ${item.name}`);
      },
    }, tagEl, h("span.q", `${item.quantity}×`), item.name,
    item.seat ? h("span.muted", ` s${item.seat}`) : null,
    item.modifiers.length ? h("small", item.modifiers.join(", ")) : null,
    item.note ? h("small.note", `“${item.note}”`) : null,
    item.allergy_flags.length ? h("small.flag", `⚠ ALLERGY: ${item.allergy_flags.join(", ")}`) : null,
    item.status === "voided" && item.void_reason ? h("small", item.void_reason) : null);
  }

  function bumpTicket(t) {
    if (t.state === "bumped") return;
    t.state = "bumped";
    render();
    write(`/api/kitchen/tickets/${t.id}/bump`, undefined, `bump #${t.number}`);
  }

  function ticketCard(t) {
    const timer = h("span.timer", t.fired_at ? elapsed(age(t)) : "held");
    const card = h(`article.ticket.${level(t)}${t.state === "bumped" || t.state === "held" ? `.${t.state}` : ""}`, {
      "data-ticket": t.number, "data-id": t.id, tabindex: 0,
      "aria-label": `Ticket ${t.number}, table ${t.table || "none"}${t.allergies.length ? ", allergy" : ""}`,
    });
    timers.push(() => {
      if (!t.fired_at) return;
      timer.textContent = elapsed(age(t));
      card.classList.remove("ok", "warn", "late");
      card.classList.add(level(t));
    });
    const courses = [...new Set(t.items.map((i) => i.course))];
    return mount(card,
      h("header", { title: "tap to bump the ticket", onclick: () => bumpTicket(t) },
        h("span.num", `#${t.number}`), h("span", place(t.table)), timer,
        h("span.meta", `${t.waiter} · ${t.covers} covers · ${clock(new Date(t.created_at))}`)),
      t.moved ? h("div.moved", t.moved) : null,
      t.allergies.length ? h("div.allergy", `ALLERGY: ${t.allergies.join(", ")}`) : null,
      courses.map((c) => [courses.length > 1 ? h("h3.course-h", c) : null,
        h("ul", t.items.filter((i) => i.course === c).map((i) => itemRow(t, i)))]));
  }

  function allDayPanel() {
    const a = S.allDay;
    if (!a) return [];
    return [h("h2", "All day"),
      a.items.length ? h("table", a.items.map((i) => h("tr", h("td.n", i.quantity), h("td", i.name, i.held ? h("span.muted", ` (${i.held} held)`) : null)))) : h("p.muted", "Nothing outstanding"),
      a.modifiers.length ? [h("h2", "Modifiers"), h("table", a.modifiers.map((m) => h("tr", h("td.n", m.quantity), h("td", `${m.item}: ${m.modifier}`))))] : null];
  }

  // ---- expo ----------------------------------------------------------------------------
  const SINCE = { fired: ["fired_at", "cooking"], ready: ["ready_at", "waiting"], pickup: ["pickup_at", "called"] };

  function pass(o, c, action) {
    c.state = action === "served" ? "served" : "pickup";
    c[`${c.state === "served" ? "served" : "pickup"}_at`] = new Date(now()).toISOString();
    render();
    write(`/api/kitchen/expo/${o.check_id}/${action}`, { course: c.course }, `${c.course} ${action}`);
  }

  function expoCourse(o, c) {
    const since = SINCE[c.state];
    const timer = h("span.timer", since && c[since[0]] ? `${since[1]} ${elapsed(now() - Date.parse(c[since[0]]))}` : "");
    if (since && c[since[0]]) timers.push(() => { timer.textContent = `${since[1]} ${elapsed(now() - Date.parse(c[since[0]]))}`; });
    const up = c.state === "ready" || c.state === "pickup";
    return h(`div.expo-course.${c.state}`, { "data-course": c.course },
      h("div.expo-head", h("b", c.course),
        h("span.state", { ready: "READY", pickup: "CALLED", served: "served" }[c.state] || c.state), timer,
        up ? h("button.pickup", { onclick: () => pass(o, c, "pickup") }, c.state === "pickup" ? "Call again" : "Call waiter") : null,
        up ? h("button.served", { onclick: () => pass(o, c, "served") }, "Served") : null),
      h("div.expo-items", c.items.map((i) => `${i.quantity}× ${i.name} (${i.station})${i.status === "bumped" ? " ✓" : ""}`).join(", ")));
  }

  function orderCard(o) {
    const done = o.courses.filter((c) => ["ready", "pickup", "served"].includes(c.state)).length;
    return h("article.ticket", { "data-check": o.check_id, tabindex: 0, "aria-label": place(o.table) },
      h("header", h("span.num", place(o.table)), h("span.timer", `${done}/${o.courses.length}`),
        h("span.meta", `${o.waiter} · ${o.covers} covers · check ${o.check_id}`)),
      o.allergies.length ? h("div.allergy", `ALLERGY: ${o.allergies.join(", ")}`) : null,
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
    $("#page-count").textContent = `Page ${p + 1} of ${pages()} · ${here} of ${all.length} here`;
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
      const t = S.tickets.find((x) => String(x.id) === target.dataset.id);
      const next = all[at + 1] || all[at - 1]; // the bump bar stays on the next ticket
      if (t) { bumpTicket(t); select(next && cards().find((c) => c.dataset.id === next.dataset.id)); }
    } else if ((ev.key === "r" || ev.key === "R") && !expo) recallLast();
    else done = false;
    if (done) ev.preventDefault();
  }

  function render() {
    timers = [];
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest(".ticket");
    const keep = focused && (focused.dataset.id || focused.dataset.check);
    if (expo) {
      const open = S.orders;
      mount(board, open.length ? open.map(orderCard) : h("p.muted", "No open orders"));
      $("#summary").textContent = `${open.length} orders · ${S.orders.reduce((n, o) => n + o.courses.filter((c) => c.state === "ready").length, 0)} ready`;
    } else {
      const live = S.tickets.filter((t) => t.state !== "bumped");
      mount(board, S.tickets.length ? S.tickets.map(ticketCard) : h("p.muted", "No tickets. All clear."));
      mount($("#allday"), allDayPanel());
      $("#summary").textContent = `${live.length} tickets · ${live.filter((t) => level(t) === "late").length} late`;
    }
    turn(current);
    if (keep) {
      const again = cards().find((c) => (c.dataset.id || c.dataset.check) === keep);
      if (again) again.focus({ preventScroll: true });
    }
    counted();
  }

  /** A new ticket from its ``ticket.created`` event, painted at once (the counts follow). */
  function created(ticket) {
    if (expo || !ticket || S.tickets.some((t) => t.id === ticket.id)) return;
    S.tickets = [...S.tickets, ticket].sort(byArrival);
    render();
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
      const changed = debounce(refresh);
      POS.live([expo ? "expo" : `kitchen:${station}`], {
        ready: () => { S.live = true; box.flush(); refresh(); },
        state: (s) => { if (s !== "live") S.live = false; },
        event: (msg) => {
          if (msg.type === "ticket.created" && msg.topic === `kitchen:${station}`) {
            if (S.live) beep();
            created(msg.data.ticket);
          }
          changed();
        },
      });
      const recall = $("#recall");
      if (recall) recall.addEventListener("click", recallLast);
      refresh();
    },
    resumed: () => box.flush(),
  });
})();

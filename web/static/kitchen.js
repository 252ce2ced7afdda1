/* A station's kitchen screen (?station=hot) or the pass (?mode=expo). Tickets in arrival
   order with timers, tap an item to bump it, tap the header to bump the ticket. */
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
  let timers = [];

  const failed = (err) => toast(err instanceof ApiError ? err.message : "No connection", "error");
  const q = encodeURIComponent(station);

  async function refresh() {
    try {
      if (expo) {
        const r = await api("GET", "/api/kitchen/expo");
        syncClock(r.at);
        S.orders = r.orders;
      } else {
        const [r, allDay] = await Promise.all([
          api("GET", `/api/kitchen/tickets?station=${q}`), api("GET", `/api/kitchen/all-day?station=${q}`)]);
        syncClock(r.at);
        const mine = r.stations.find((s) => s.name === station);
        if (mine) { S.warn = mine.warn_minutes; S.late = mine.late_minutes; }
        S.tickets = r.tickets.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
        S.allDay = allDay;
      }
    } catch (err) { failed(err); }
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

  function ticketCard(t) {
    const timer = h("span.timer", t.fired_at ? elapsed(age(t)) : "held");
    const card = h(`article.ticket.${level(t)}${t.state === "bumped" || t.state === "held" ? `.${t.state}` : ""}`, { "data-ticket": t.number });
    timers.push(() => {
      if (!t.fired_at) return;
      timer.textContent = elapsed(age(t));
      card.classList.remove("ok", "warn", "late");
      card.classList.add(level(t));
    });
    const courses = [...new Set(t.items.map((i) => i.course))];
    return mount(card,
      h("header", {
        title: "tap to bump the ticket",
        onclick: () => { t.state = "bumped"; render(); write(`/api/kitchen/tickets/${t.id}/bump`, undefined, `bump #${t.number}`); },
      }, h("span.num", `#${t.number}`), h("span", place(t.table)), timer,
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
  function orderCard(o) {
    const ready = o.courses.filter((c) => c.state === "ready").length;
    return h("article.ticket", { "data-check": o.check_id },
      h("header", h("span.num", place(o.table)), h("span.timer", `${ready}/${o.courses.length}`),
        h("span.meta", `${o.waiter} · ${o.covers} covers · check ${o.check_id}`)),
      o.allergies.length ? h("div.allergy", `ALLERGY: ${o.allergies.join(", ")}`) : null,
      o.courses.map((c) => h(`div.expo-course.${c.state}`, h("b", c.course),
        h("span", c.state === "ready" ? "READY" : c.state, " · ",
          c.items.map((i) => `${i.quantity}× ${i.name} (${i.station})${i.status === "bumped" ? " ✓" : ""}`).join(", ")))));
  }

  function render() {
    timers = [];
    if (expo) {
      mount(board, S.orders.length ? S.orders.map(orderCard) : h("p.muted", "No open orders"));
      $("#summary").textContent = `${S.orders.length} orders`;
      return;
    }
    const live = S.tickets.filter((t) => t.state !== "bumped");
    mount(board, S.tickets.length ? S.tickets.map(ticketCard) : h("p.muted", "No tickets. All clear."));
    mount($("#allday"), allDayPanel());
    $("#summary").textContent = `${live.length} tickets · ${live.filter((t) => level(t) === "late").length} late`;
  }

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

  box.badge($("#outbox"));
  POS.boot({
    roles: ["kitchen", "bar"],
    start() {
      const changed = debounce(refresh);
      POS.live([expo ? "expo" : `kitchen:${station}`], {
        ready: () => { S.live = true; box.flush(); refresh(); },
        state: (s) => { if (s !== "live") S.live = false; },
        event: (msg) => {
          if (S.live && msg.type === "ticket.created") beep();
          changed();
        },
      });
      const recall = $("#recall");
      if (recall) recall.addEventListener("click", () => write("/api/kitchen/recall", { station }, "recall"));
      refresh();
    },
    resumed: () => box.flush(),
  });
})();

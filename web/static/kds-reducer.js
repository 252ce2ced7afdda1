/* kds-reducer.js: the kitchen screen and the pass as pure functions of their events.

   ``apply(state, event)`` is a line by line port of pos_service/kitchen/screen.py (the
   server rebuilds a station's screen with it): a station's tickets by id, exactly as
   ``GET /api/kitchen/tickets`` gives them. ``allDay(state)`` is screen.py's ``all_day``.
   ``expo(state, event)`` folds an ``expo`` event into ``GET /api/kitchen/expo``'s answer;
   it returns null for an event it cannot apply exactly (the page then re-reads).
   tests/kitchen/test_reducer_vectors.py runs both sides on the same recorded events.
   No DOM, no POS: loads in a page (``window.KDS``) and in a test. See docs/live.md. */
(function (root) {
  "use strict";

  /** The status a screen shows an item in, from its timestamps. */
  function itemStatus(firedAt, releasedAt, startedAt, bumpedAt, voidedAt) {
    if (voidedAt !== null && voidedAt !== undefined) return "voided";
    if (bumpedAt !== null && bumpedAt !== undefined) return "bumped";
    if (firedAt === null || firedAt === undefined) return "held";
    if (releasedAt === null || releasedAt === undefined) return "waiting";
    return startedAt !== null && startedAt !== undefined ? "started" : "released";
  }

  const pick = (obj, keys) => Object.fromEntries(keys.map((k) => [k, obj[k]]));

  /** A copy of ``ticket`` with the given fields of its items replaced. */
  function withItems(ticket, changes) {
    const items = ticket.items.map((item) => {
      if (!changes.has(item.id)) return item;
      const next = { ...item, ...changes.get(item.id) };
      next.status = itemStatus(next.fired_at, next.released_at, next.started_at, next.bumped_at, next.voided_at);
      return next;
    });
    return { ...ticket, items };
  }

  const each = (ids, change) => new Map(ids.map((i) => [i, change]));

  const CHANGES = {
    "ticket.fired": (t, d) => withItems(
      { ...t, ...pick(d, ["state", "fired_at", "started_at", "bumped_at", "late_at"]) },
      new Map(d.items.map((i) => [i.id, pick(i, ["fired_at", "release_at", "released_at"])]))),
    "ticket.item_released": (t, d) => withItems(t, new Map([[d.item_id, { released_at: d.released_at }]])),
    "ticket.started": (t, d) => withItems({ ...t, state: "started", started_at: d.started_at },
      each(d.item_ids, { started_at: d.started_at })),
    "ticket.item_bumped": (t, d) => withItems({ ...t, state: d.state, bumped_at: d.ticket_bumped_at },
      new Map([[d.item_id, { bumped_at: d.bumped_at }]])),
    "ticket.bumped": (t, d) => withItems({ ...t, state: d.state, bumped_at: d.bumped_at },
      each(d.item_ids, { bumped_at: d.at })),
    "ticket.recalled": (t, d) => withItems({ ...t, state: d.state, bumped_at: null },
      each(d.item_ids, { bumped_at: null })),
    "ticket.item_voided": (t, d) => withItems(t, new Map([[d.item_id, { voided_at: d.voided_at, void_reason: d.reason }]])),
    "ticket.late": (t, d) => ({ ...t, late_at: d.late_at }),
    "ticket.moved": (t, d) => ({ ...t, ...pick(d, ["check_id", "table_id", "table", "moved"]) }),
    "ticket.allergies_changed": (t, d) => ({ ...t, allergies: [...d.allergies] }),
  };

  const holds = (state, id) => id !== null && id !== undefined && Object.prototype.hasOwnProperty.call(state, id);

  /** The screen after ``event`` (``{type, data}``); pure. Events of other kinds, and of
      tickets the screen does not hold, leave it unchanged; a recall that carries its
      ticket puts it back whole. */
  function apply(state, event) {
    const kind = event.type, data = event.data;
    if (kind === "ticket.created" || (kind === "ticket.recalled" && data.ticket)) {
      return { ...state, [data.ticket.id]: data.ticket };
    }
    const change = CHANGES[kind];
    if (change === undefined || !holds(state, data.ticket_id)) return state;
    return { ...state, [data.ticket_id]: change(state[data.ticket_id], data) };
  }

  /** The screen's tickets in the order the server lists them (by id). */
  const tickets = (state) => Object.keys(state).map(Number).sort((a, b) => a - b).map((id) => state[id]);

  /** A screen's state from ``GET /api/kitchen/tickets``'s (or a snapshot's) tickets. */
  const screen = (list) => Object.fromEntries(list.map((t) => [t.id, t]));

  const byText = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

  /** The all-day counts of the screen's tickets, as ``GET /api/kitchen/all-day``. */
  function allDay(state) {
    const items = new Map(), modifiers = new Map();
    for (const t of tickets(state)) {
      for (const i of t.items) {
        if (i.status === "bumped" || i.status === "voided") continue;
        if (!items.has(i.name)) items.set(i.name, { name: i.name, quantity: 0, held: 0 });
        const row = items.get(i.name);
        row.quantity += i.quantity;
        if (i.fired_at === null || i.fired_at === undefined) row.held += i.quantity;
        for (const m of i.modifiers) {
          const key = JSON.stringify([i.name, m]);
          modifiers.set(key, (modifiers.get(key) || 0) + i.quantity);
        }
      }
    }
    return {
      items: [...items.keys()].sort(byText).map((n) => items.get(n)),
      modifiers: [...modifiers.keys()].map((k) => JSON.parse(k))
        .sort((a, b) => byText(a[0], b[0]) || byText(a[1], b[1]))
        .map(([item, modifier]) => ({ item, modifier, quantity: modifiers.get(JSON.stringify([item, modifier])) })),
    };
  }

  // ---- the pass ------------------------------------------------------------------------
  const LIVE = new Set(["held", "open", "started"]);

  /** A course's state from its row (kitchen/service/_common.py ``course_state``). */
  function courseState(c) {
    if (c.served_at) return "served";
    if (c.pickup_at) return "pickup";
    return c.ready_at ? "ready" : "fired";
  }
  const rank = (courses, course) => (courses.includes(course) ? courses.indexOf(course) : courses.length);
  const held = (c) => c.state === "held"; // no row yet: the course was never fired

  /** A deep copy: the pass's reducer edits its copy in place. */
  const copy = (value) => JSON.parse(JSON.stringify(value));

  function orderOfTicket(state, id) {
    return state.orders.find((o) => o.tickets.some((t) => t.id === id));
  }
  function itemsOfTicket(order, id) {
    return order.courses.flatMap((c) => c.items.filter((i) => i.ticket_id === id));
  }
  function setItems(order, ticketId, ids, status) {
    for (const i of itemsOfTicket(order, ticketId)) if (ids === null || ids.includes(i.id)) i.status = status(i);
  }
  function setTicket(order, id, state) {
    const t = order.tickets.find((x) => x.id === id);
    if (t) t.state = state;
  }

  /** A new ticket on its order: items by course (the venue's order), a course it fires
      gets its row as the send's upsert writes it. */
  function addTicket(state, order, t) {
    order.tickets.push({ id: t.id, state: t.state });
    order.allergies = [...t.allergies]; // the band of the latest ticket
    for (const i of t.items) {
      let c = order.courses.find((x) => x.course === i.course);
      if (!c) {
        c = { course: i.course, state: "held", fired_at: null, ready_at: null, pickup_at: null, served_at: null, items: [] };
        const r = rank(state.courses, i.course);
        const at = order.courses.findIndex((x) => rank(state.courses, x.course) > r);
        order.courses.splice(at < 0 ? order.courses.length : at, 0, c);
      }
      c.items.push({ id: i.id, ticket_id: t.id, number: t.number, station: t.station, name: i.name, quantity: i.quantity, seat: i.seat, status: i.status });
      if (i.fired_at) {
        if (held(c)) c.fired_at = i.fired_at;
        c.ready_at = null;
        c.state = courseState(c);
      }
    }
  }

  /** The pass after ``event``, or null when it cannot be applied exactly (re-read). */
  function expo(state, event) {
    const kind = event.type, d = event.data;
    const next = copy(state);
    if (kind === "ticket.created") {
      const t = d.ticket;
      let order = next.orders.find((o) => o.check_id === t.check_id);
      if (order && order.tickets.some((x) => x.id === t.id)) return state; // seen: a re-read held it
      if (!order) {
        if (d.earlier_tickets) return null; // the pass shows the check's earlier tickets too
        order = { check_id: t.check_id, table_id: t.table_id, table: t.table, waiter: t.waiter, covers: t.covers, allergies: [], courses: [], tickets: [], closed: false };
        next.orders.push(order);
      }
      addTicket(next, order, t);
    } else if (kind.startsWith("ticket.")) {
      const order = orderOfTicket(next, d.ticket_id);
      if (!order) return kind === "ticket.recalled" || kind === "ticket.fired" ? null : state;
      const id = d.ticket_id;
      if (kind === "ticket.fired") {
        setTicket(order, id, d.state);
        for (const f of d.items) setItems(order, id, [f.id], () => itemStatus(f.fired_at, f.released_at, null, null, null));
      } else if (kind === "ticket.item_released") {
        setItems(order, id, [d.item_id], (i) => (i.status === "waiting" ? "released" : i.status));
      } else if (kind === "ticket.started") {
        setTicket(order, id, "started");
        setItems(order, id, d.item_ids, () => "started");
      } else if (kind === "ticket.item_bumped") {
        setTicket(order, id, d.state);
        setItems(order, id, [d.item_id], () => "bumped");
      } else if (kind === "ticket.bumped") {
        setTicket(order, id, d.state);
        setItems(order, id, d.item_ids, () => "bumped");
      } else if (kind === "ticket.recalled") {
        if (!d.ticket) return null;
        setTicket(order, id, d.state);
        const now = new Map(d.ticket.items.map((i) => [i.id, i]));
        setItems(order, id, null, (i) => (now.has(i.id) ? now.get(i.id).status : i.status));
        const back = new Set(d.ticket.items.filter((i) => d.item_ids.includes(i.id)).map((i) => i.course));
        for (const c of order.courses) if (back.has(c.course) && !held(c)) { c.ready_at = null; c.state = courseState(c); }
      } else if (kind === "ticket.item_voided") {
        setItems(order, id, [d.item_id], () => "voided");
      } else if (kind === "ticket.allergies_changed") {
        if (Math.max(...order.tickets.map((t) => t.id)) === id) order.allergies = [...d.allergies];
      } else if (kind === "ticket.moved") {
        return null; // a merge or a transfer regroups the pass
      } else {
        return state;
      }
    } else if (kind.startsWith("course.")) {
      const order = next.orders.find((o) => o.check_id === d.check_id);
      const c = order && order.courses.find((x) => x.course === d.course);
      if (!c) return null;
      if (kind === "course.fired") {
        if (held(c)) c.fired_at = d.fired_at;
        c.ready_at = c.pickup_at = c.served_at = null;
      } else if (kind === "course.ready") c.ready_at = d.ready_at;
      else if (kind === "course.pickup") c.pickup_at = d.pickup_at;
      else if (kind === "course.served") c.served_at = d.served_at;
      else return state;
      c.state = courseState(c);
    } else if (kind === "check.closed") {
      const order = next.orders.find((o) => o.check_id === d.check_id);
      if (!order) return state;
      order.closed = true;
    } else {
      return state;
    }
    return next;
  }

  /** The orders the pass shows: a check leaves it when none of its tickets is live and no
      course waits there, or it is paid (the state keeps it: a bump and the course's
      ``course.ready`` come one after the other, and a check may come back with its next
      round). */
  const expoOrders = (state) => state.orders.filter((o) => o.tickets.some((t) => LIVE.has(t.state))
    || (!o.closed && o.courses.some((c) => c.ready_at && !c.served_at)));

  const KDS = { itemStatus, apply, tickets, screen, allDay, expo, expoOrders };
  if (typeof module === "object" && module.exports) module.exports = KDS;
  else root.KDS = KDS;
})(typeof self !== "undefined" ? self : this);

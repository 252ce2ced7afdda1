/* The host stand: the day's book as a timeline per table, availability and booking, the
   waitlist with quoted times, and seating with a tap on the live floor.

   It keeps its state by applying the `floor` and `reservations` events in `seq` order
   (docs/live.md, "Page reducers: the host stand"): it fetches the floor, the day's book
   and the waitlist on start, after a snapshot for another day than the one shown, when the
   host chooses another day, and when an event names something it does not hold. */
"use strict";
(() => {
  const { h, $, mount, toast, api, ApiError, debounce } = POS;
  const box = POS.outbox("host");
  const dayInput = $("#day");
  const S = {
    tz: undefined, floor: null, book: new Map(), waitlist: new Map(), gone: new Map(),
    tab: "waitlist", area: null, seating: null, party: 2, slots: null,
  };
  const draft = { allergies: { allergens: [], allergy_note: "" } };
  /** An input whose value survives the live re-renders. */
  const field = (key, attrs) => h("input", { "aria-label": attrs.placeholder, ...attrs, value: draft[key] ?? attrs.value ?? "", oninput: (e) => { draft[key] = e.target.value; } });
  const failed = (err) => toast(err instanceof ApiError ? err.message : POS.t("No connection"), "error");
  const sheet = $("#sheet");
  const closeSheet = () => { sheet.hidden = true; };
  const openSheet = (...c) => { mount(sheet, c); sheet.hidden = false; };

  /** A reservation's and a table's states as the host reads them. */
  const STATUS = {
    booked: POS.t("booked"), confirmed: POS.t("confirmed"), arrived: POS.t("arrived"), seated: POS.t("seated"),
    completed: POS.t("completed"), cancelled: POS.t("cancelled"), no_show: POS.t("no-show"),
  };
  const TABLE_STATUS = {
    free: POS.t("free"), seated: POS.t("seated"), ordered: POS.t("ordered"), course_ready: POS.t("course ready"),
    bill_requested: POS.t("bill requested"), to_clean: POS.t("to clean"),
  };
  const status = (s) => STATUS[s] || s;

  /** The venue's date and hour now (its timezone, not the tablet's). */
  const venueNow = () => {
    const p = Object.fromEntries(new Intl.DateTimeFormat("en-GB", { timeZone: S.tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
      .formatToParts(new Date()).map((x) => [x.type, x.value]));
    return { day: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour) + Number(p.minute) / 60 };
  };
  /** Hours since midnight of a venue-local RFC 3339 time (the API writes the venue's offset). */
  const hourOf = (iso) => Number(iso.slice(11, 13)) + Number(iso.slice(14, 16)) / 60;
  const hhmm = (iso) => iso.slice(11, 16);
  const endOf = (r) => { const e = hourOf(r.ends_at); return e <= hourOf(r.starts_at) ? e + 24 : e; };
  const tables = () => S.floor.areas.flatMap((a) => a.tables);
  const tableOf = (id) => tables().find((t) => t.id === id);
  const tableName = (id) => (tableOf(id) || { name: "?" }).name;
  const book = () => [...S.book.values()].sort((a, b) => a.starts_at.localeCompare(b.starts_at) || a.id - b.id);
  /** The waiting parties in queue order (as the server orders them: arrival, then id). */
  const queue = () => [...S.waitlist.values()].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.id - b.id);

  // ---- the state: fetched on start, then kept by the events ---------------------------
  /** An incoming copy replaces the held one unless the held one is newer (a fetch made
      after the event was committed); copies without a version always replace. */
  const newer = (held, incoming) => !held || held.version === undefined || incoming.version === undefined || incoming.version > held.version;

  let loading = 0;
  const held = []; // events that arrive while a fetch is under way, applied after it
  async function load(what) {
    loading++;
    try {
      const day = dayInput.value;
      const [floor, resv, waitlist] = await Promise.all([
        what.floor ? api("GET", "/api/floor") : null,
        what.book ? api("GET", `/api/reservations?date=${day}`) : null,
        what.waitlist ? api("GET", "/api/waitlist") : null,
      ]);
      if (floor) S.floor = floor;
      if (resv && day === dayInput.value) S.book = new Map(resv.map((r) => [r.id, r]));
      if (waitlist) { S.waitlist = new Map(waitlist.map((e) => [e.id, e])); S.gone.clear(); }
    } catch (err) { failed(err); } finally { loading--; }
    if (!loading) held.splice(0).forEach(apply);
    render();
  }
  /** Something an event names is not held: read it again (rare; a page that missed nothing never does). */
  const stale = { floor: debounce(() => load({ floor: true }), 300), waitlist: debounce(() => load({ waitlist: true }), 300) };

  function reservation(r) {
    if (r.day !== dayInput.value) { S.book.delete(r.id); return; }
    if (newer(S.book.get(r.id), r)) S.book.set(r.id, r);
    if (S.slots !== null) slotsAgain(); // the day's load changed: its free times too
  }
  function entry(e) {
    const gone = S.gone.get(e.id);
    if (gone !== undefined && e.version !== undefined && e.version <= gone) return;
    if (e.status !== "waiting") {
      S.waitlist.delete(e.id);
      S.gone.set(e.id, e.version ?? Infinity);
    } else if (newer(S.waitlist.get(e.id), e)) S.waitlist.set(e.id, e);
  }
  function tableReady(d) {
    const e = S.waitlist.get(d.entry_id);
    if (!e) { if (!S.gone.has(d.entry_id)) stale.waitlist(); return; }
    if (newer(e, d)) S.waitlist.set(e.id, { ...e, ready_table_ids: d.table_ids, version: d.version });
  }
  function tableState(d, change) {
    const t = S.floor && tableOf(d.table_id);
    if (!t) { stale.floor(); return; }
    change(t);
  }
  function tableChanged(d) {
    if (!S.floor) return;
    const t = d.table;
    const old = tableOf(t.id);
    if (old && !newer(old, t) && !d.archived) return;
    for (const a of S.floor.areas) a.tables = a.tables.filter((x) => x.id !== t.id);
    if (d.archived) return;
    const area = S.floor.areas.find((a) => a.id === t.area_id);
    if (!area) { stale.floor(); return; }
    area.tables.push(old ? { ...old, ...t } : t);
    area.tables.sort((a, b) => a.id - b.id);
  }
  function areaChanged(d) {
    if (!S.floor) return;
    const a = d.area;
    const old = S.floor.areas.find((x) => x.id === a.id);
    if (d.archived) { S.floor.areas = S.floor.areas.filter((x) => x.id !== a.id); return; }
    if (old && !newer(old, a)) return;
    if (old) Object.assign(old, a, { tables: old.tables });
    else S.floor.areas.push({ ...a, tables: a.tables || [] });
    S.floor.areas.sort((x, y) => (x.position ?? 0) - (y.position ?? 0) || x.id - y.id);
  }
  function snapshot(msg) {
    if (msg.topic === "floor") { S.floor = msg.data; return; }
    S.waitlist = new Map(msg.data.waitlist.map((e) => [e.id, e]));
    S.gone.clear();
    if (msg.data.date === dayInput.value) S.book = new Map(msg.data.reservations.map((r) => [r.id, r]));
    else load({ book: true }); // a gap on another day than today's: read that day again
  }

  /** Apply one event of `floor` or `reservations` (in `seq` order, each once: pos.js). */
  function apply(msg) {
    if (loading) { held.push(msg); return; }
    const d = msg.data;
    if (msg.type === "snapshot") snapshot(msg);
    else if (msg.type.startsWith("reservation.") && d.reservation) reservation(d.reservation);
    else if (msg.type === "waitlist.table_ready") tableReady(d);
    else if (msg.type.startsWith("waitlist.") && d.entry) entry(d.entry);
    else if (msg.type === "table.status_changed") {
      tableState(d, (t) => {
        t.status = d.status;
        if (!d.check_id) t.open_check = null;
        else if (!t.open_check || t.open_check.id !== d.check_id) t.open_check = { id: d.check_id };
      });
    } else if (msg.type === "table.next_reservation_changed") tableState(d, (t) => { t.next_reservation = d.next_reservation; });
    else if (msg.type === "table.changed") tableChanged(d);
    else if (msg.type === "area.changed") areaChanged(d);
    else return;
    redraw();
  }
  const redraw = debounce(() => render(), 30);

  function write(path, data, what) {
    return box.push("POST", path, data, what).then((r) => {
      toast(POS.t("{what}: done", { what }), "ok");
      // the answer is the new state: shown at once, the event that follows is then not newer
      if (r && r.party_size !== undefined && "starts_at" in r) reservation(r);
      else if (r && r.party_size !== undefined && "quoted_minutes" in r) entry(r);
      render();
      return r;
    }, failed);
  }

  // ---- the book ----------------------------------------------------------------------
  function timeline() {
    const { day, hour: nowH } = venueNow();
    const today = dayInput.value === day;
    const shown = book();
    const hours = shown.flatMap((r) => [hourOf(r.starts_at), endOf(r)]);
    if (today) hours.push(nowH);
    const h0 = Math.max(0, Math.floor(Math.min(...hours, 24) - 1)), h1 = Math.min(26, Math.max(h0 + 6, Math.ceil(Math.max(...hours, 0) + 0.5)));
    const pos = (x) => `${((x - h0) / (h1 - h0)) * 100}%`;
    const lane = (t) => h("div.lane", { style: { "--hour": `${100 / (h1 - h0)}%` } },
      today && nowH >= h0 && nowH <= h1 ? h("div.now-line", { style: { left: pos(nowH) } }) : null,
      shown.filter((r) => r.table_ids.includes(t.id)).map((r) => h(`button.resv.${r.status}`, {
        style: { left: pos(hourOf(r.starts_at)), width: `calc(${pos(h0 + endOf(r) - hourOf(r.starts_at))} - 2px)` },
        title: `${r.name} · ${r.party_size} · ${status(r.status)}`, "data-reservation": r.id, onclick: () => reservationSheet(r),
      }, `${hhmm(r.starts_at)} ${r.name} (${r.party_size})`)));
    const hourMarks = [];
    for (let x = h0; x <= h1; x++) hourMarks.push(h("span", { style: { left: pos(x) } }, `${x % 24}:00`));
    // an hour is at least --hour-px wide (pos.css): a long day scrolls sideways, its labels never overlap
    const line = h("div.timeline", h("div.corner"), h("div.hours", hourMarks),
      tables().map((t) => [h(`div.tname.s-${t.status}`, { style: { background: "var(--bg)" } }, h("i"), t.name), lane(t)]));
    line.style.setProperty("--hours", h1 - h0);
    return line;
  }

  /** On the first drawing of today, scroll the timeline so that the hour before now is first. */
  let scrolledFor = null;
  function nowInView() {
    const line = $("#book .now-line");
    if (!line || scrolledFor === dayInput.value) return;
    scrolledFor = dayInput.value;
    const hourPx = line.parentElement.clientWidth / Number($("#book .timeline").style.getPropertyValue("--hours"));
    $("#book").scrollLeft = Math.max(0, line.offsetLeft - hourPx); // the names column stays in front
  }

  function reservationSheet(r) {
    const step = (name, label, cls = "") => h(`button${cls}`, { onclick: () => { closeSheet(); write(`/api/reservations/${r.id}/${name}`, undefined, `${label} ${r.name}`); } }, label);
    const [confirm, arrived, seat, noShow, cancel] = [
      step("confirm", POS.t("Confirm")), step("arrive", POS.t("Arrived")), step("seat", POS.t("Seat"), ".primary"),
      step("no-show", POS.t("No-show")), step("cancel", POS.t("Cancel"), ".danger")];
    const steps = {
      booked: [confirm, arrived, seat, noShow, cancel],
      confirmed: [arrived, seat, noShow, cancel],
      arrived: [seat, cancel],
      seated: [step("complete", POS.t("Complete"))],
    }[r.status] || [];
    const guests = POS.tn("{n} guest", "{n} guests", r.party_size);
    openSheet(h("h2", `${hhmm(r.starts_at)}–${hhmm(r.ends_at)} · ${r.name} · ${guests}`),
      h("p", POS.t("Tables {tables} · {status}", { tables: r.table_ids.map(tableName).join(" + "), status: status(r.status) })),
      r.phone ? h("p.muted", r.phone) : null,
      r.allergens.length || r.allergy_note ? h("p.allergy-band", h("span", POS.t("Allergies: {allergies}", { allergies: POS.allergens.band(r.allergens, r.allergy_note) }))) : null,
      r.tags.length ? h("p", r.tags.join(" · ")) : null,
      r.notes ? h("p.muted", r.notes) : null,
      h("div.actions", steps, h("button", { onclick: closeSheet }, POS.t("Close"))));
  }

  // ---- side panel: waitlist, booking, floor --------------------------------------------
  function waitlistTab() {
    const name = field("wname", { placeholder: POS.t("Name"), maxLength: 100, required: true });
    const size = field("wsize", { type: "number", min: 1, max: 99, value: 2, "aria-label": POS.t("party size") });
    const phone = field("wphone", { placeholder: POS.t("Phone (optional)"), maxLength: 40 });
    const minutesSince = (at) => Math.max(0, Math.round((POS.now() - Date.parse(at)) / 60000));
    // the estimate told by the server counts down here; it is told again with the entry's next change
    const estimate = (e) => (e.estimated_at ? String(Math.max(0, Math.round((Date.parse(e.estimated_at) - POS.now()) / 60000))) : e.estimated_minutes ?? "–");
    // tables announced ready for a party, as long as they are still free
    const ready = (e) => (e.ready_table_ids || []).filter((id) => { const t = tableOf(id); return t && t.status === "free" && !t.open_check; });
    const waiting = queue();
    return [
      h("h2", POS.t("Waitlist · {n}", { n: waiting.length })),
      waiting.length ? null : h("p.muted", POS.t("Nobody is waiting.")),
      waiting.map((e, i) => h("div.wait", { "data-entry": e.id },
        h("div.grow", h("b", `${i + 1}. ${e.name} (${e.party_size})`),
          h("small", POS.t("quoted {quoted} min · now ~{now} min · waited {waited} min", { quoted: e.quoted_minutes ?? "–", now: estimate(e), waited: minutesSince(e.created_at) })),
          ready(e).length ? h("small", POS.t("ready: table {tables}", { tables: ready(e).map(tableName).join(", ") })) : null),
        h("button.primary", { onclick: () => { S.seating = e; S.tab = "floor"; render(); } }, POS.t("Seat")),
        h("button", { "aria-label": POS.t("remove"), onclick: () => write(`/api/waitlist/${e.id}/cancel`, undefined, POS.t("{name} left", { name: e.name })) }, "✕"))),
      h("form", { onsubmit: (ev) => { ev.preventDefault(); write("/api/waitlist", { name: name.value, party_size: Number(size.value), phone: phone.value || null }, POS.t("{name} added", { name: name.value })).then(() => { draft.wname = draft.wphone = ""; render(); }); } },
        h("h2", POS.t("Add a walk-in")), name, h("div.row", size, phone), h("button.primary", { type: "submit", style: { width: "100%", marginTop: ".5rem" } }, POS.t("Add to waitlist"))),
    ];
  }

  async function findSlots() {
    try { S.slots = (await api("GET", `/api/reservations/availability?date=${dayInput.value}&party_size=${S.party}`)).slots; } catch (err) { failed(err); }
    render();
  }
  /** Free times depend on every booking of the day and the planning rules: the server's
      answer is asked again, once per burst of bookings, while they are shown. */
  const slotsAgain = debounce(() => { if (S.slots !== null) findSlots(); }, 500);

  function bookTab() {
    const name = field("bname", { placeholder: POS.t("Name"), maxLength: 100 });
    const phone = field("bphone", { placeholder: POS.t("Phone"), maxLength: 40 });
    const notes = field("bnotes", { placeholder: POS.t("Notes"), maxLength: 500 });
    const allergies = draft.allergies;
    const reserve = (slot) => {
      if (!name.value) return toast(POS.t("Name first"), "error");
      write("/api/reservations", {
        name: name.value, party_size: S.party, starts_at: slot.starts_at, phone: phone.value || null, notes: notes.value,
        allergens: allergies.allergens, allergy_note: allergies.allergy_note.trim(),
      }, POS.t("Booked {name}", { name: name.value }))
        .then(() => { S.slots = null; draft.bname = draft.bphone = draft.bnotes = ""; draft.allergies = { allergens: [], allergy_note: "" }; render(); });
    };
    return [
      h("h2", POS.t("Book for {day}", { day: dayInput.value })),
      h("div.choices", [1, 2, 3, 4, 5, 6, 8, 10].map((n) => h(`button${n === S.party ? ".on" : ""}`, { onclick: () => { S.party = n; findSlots(); } }, n))),
      name, phone, notes, POS.allergens.picker(allergies),
      h("h2", POS.t("Free times")),
      S.slots === null ? h("button", { onclick: findSlots }, POS.t("Find free times")) :
        S.slots.length ? h("div.slots", S.slots.map((s) => h("button", { title: POS.t("tables {tables}", { tables: s.table_ids.map(tableName).join("+") }), onclick: () => reserve(s) }, hhmm(s.starts_at)))) : h("p.muted", POS.t("No table free that day for this party.")),
    ];
  }

  function floorTab() {
    const areas = S.floor.areas;
    const area = areas.find((a) => a.id === S.area) || areas[0];
    if (!area) return [h("h2", POS.t("Floor"))];
    const xs = area.tables.map((t) => t.x), ys = area.tables.map((t) => t.y);
    const x0 = Math.min(...xs) - 60, y0 = Math.min(...ys) - 60, w = Math.max(...xs) + 60 - x0, hh = Math.max(...ys) + 60 - y0;
    const seat = (t) => {
      if (!S.seating) {
        if (t.status === "to_clean") {
          openSheet(h("h2", POS.t("Table {table} is being cleaned", { table: t.name })), h("div.actions",
            h("button.primary", { onclick: () => { closeSheet(); write(`/api/tables/${t.id}/clean`, undefined, POS.t("Table {table} clean", { table: t.name })); } }, POS.t("Clean")),
            h("button", { onclick: closeSheet }, POS.t("Close"))));
        }
        return;
      }
      const e = S.seating;
      S.seating = null;
      write(`/api/waitlist/${e.id}/seat`, { table_id: t.id }, POS.t("{name} seated at {table}", { name: e.name, table: t.name }));
    };
    return [
      S.seating ? h("p.row", h("b.grow", POS.t("Tap a table for {name} ({n})", { name: S.seating.name, n: S.seating.party_size })), h("button", { onclick: () => { S.seating = null; render(); } }, POS.t("Cancel"))) : h("h2", POS.t("Floor")),
      h("div.tabs", areas.map((a) => h(`button${a === area ? ".on" : ""}`, { onclick: () => { S.area = a.id; render(); } }, a.name))),
      h(`div.floor.mini${S.seating ? ".picking" : ""}`, { style: { aspectRatio: `${w} / ${hh}` } }, area.tables.map((t) =>
        h(`button.table.s-${t.status}${t.shape === "round" ? ".round" : ""}`, {
          style: { left: `${((t.x - x0) / w) * 100}%`, top: `${((t.y - y0) / hh) * 100}%` }, "data-table": t.name, "data-status": t.status, onclick: () => seat(t),
        }, t.name, h("small", t.next_reservation ? hhmm(t.next_reservation.starts_at) : POS.t("{n}p", { n: t.capacity }))))),
      h("div.legend", Object.entries(TABLE_STATUS).map(([s, label]) => h(`span.s-${s}`, label))),
    ];
  }

  function renderBook() {
    if (!S.floor) return;
    const live = book().filter((r) => !["cancelled", "no_show"].includes(r.status));
    const covers = live.reduce((n, r) => n + r.party_size, 0);
    const coversText = POS.tn("{n} cover", "{n} covers", covers);
    mount($("#book"), h("h2", POS.t("Reservations · {n} · {covers}", { n: live.length, covers: coversText })), timeline());
    nowInView();
  }

  // ---- the forms and the tab, kept over a reload of this tab ---------------------------
  const PLACE = "pos.host.place";
  function keepPlace() {
    sessionStorage.setItem(PLACE, JSON.stringify({ tab: S.tab, party: S.party, draft }));
  }
  function restorePlace() {
    const kept = JSON.parse(sessionStorage.getItem(PLACE) || "null");
    if (!kept) return;
    if (["waitlist", "book", "floor"].includes(kept.tab)) S.tab = kept.tab;
    if (Number.isInteger(kept.party)) S.party = kept.party;
    Object.assign(draft, kept.draft);
  }
  document.addEventListener("input", keepPlace);

  function render() {
    if (!S.floor) return;
    keepPlace();
    renderBook();
    const focused = document.activeElement && document.activeElement.closest("#side input");
    const [ph, at] = focused ? [focused.placeholder, focused.selectionStart] : [];
    const tabs = { waitlist: [POS.t("Waitlist"), waitlistTab], book: [POS.t("Book"), bookTab], floor: [POS.t("Floor"), floorTab] };
    mount($("#side"), h("div.tabs", Object.entries(tabs).map(([k, [label]]) => h(`button${k === S.tab ? ".on" : ""}`, { "data-tab": k, onclick: () => { S.tab = k; render(); } }, label))),
      tabs[S.tab][1]());
    const again = ph && [...document.querySelectorAll("#side input")].find((i) => i.placeholder === ph);
    if (again) { again.focus(); if (at !== null) again.setSelectionRange(at, at); }
  }

  box.badge($("#outbox"));
  // another day chosen by the host: its book is read; the floor and the waitlist are kept
  dayInput.addEventListener("change", () => { S.slots = null; S.book = new Map(); load({ book: true }); });
  setInterval(() => (S.tab === "waitlist" ? render() : renderBook()), 60000); // the now-line and the waits move on
  POS.boot({
    roles: ["host"],
    async start() {
      try {
        S.tz = (await api("GET", `/api/reservations/availability?date=${new Date().toISOString().slice(0, 10)}&party_size=1`)).timezone;
      } catch (err) { S.tz = undefined; }
      dayInput.value = venueNow().day;
      restorePlace();
      const all = { floor: true, book: true, waitlist: true };
      let started = false;
      loading++; // events before the first reading wait for it
      POS.live(["floor", "reservations"], {
        ready: () => {
          box.flush();
          if (started) return; // a reconnect: pos.js asked with `since`, the replay brings the rest
          started = true;
          loading--;
          load(all); // read after the head: nothing committed falls between the two
        },
        event: apply,
      });
      // no socket yet: show the lists meanwhile; they are read again at the first `ready`
      setTimeout(() => { if (!started && !S.floor) load(all); }, 5000);
    },
    resumed: () => box.flush(),
  });
})();

/* The host stand: the day's book as a timeline per table, availability and booking, the
   waitlist with quoted times, and seating with a tap on the live floor. */
"use strict";
(() => {
  const { h, $, mount, toast, api, ApiError, debounce, clock } = POS;
  const box = POS.outbox("host");
  const dayInput = $("#day");
  const S = { tz: undefined, floor: null, book: [], waitlist: [], tab: "waitlist", area: null, seating: null, party: 2, slots: null };
  const draft = { allergies: { allergens: [], allergy_note: "" } };
  /** An input whose value survives the live re-renders. */
  const field = (key, attrs) => h("input", { "aria-label": attrs.placeholder, ...attrs, value: draft[key] ?? attrs.value ?? "", oninput: (e) => { draft[key] = e.target.value; } });
  const failed = (err) => toast(err instanceof ApiError ? err.message : "No connection", "error");
  const sheet = $("#sheet");
  const closeSheet = () => { sheet.hidden = true; };
  const openSheet = (...c) => { mount(sheet, c); sheet.hidden = false; };

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
  const tableName = (id) => (tables().find((t) => t.id === id) || { name: "?" }).name;

  async function refresh() {
    try {
      [S.floor, S.book, S.waitlist] = await Promise.all([
        api("GET", "/api/floor"), api("GET", `/api/reservations?date=${dayInput.value}`), api("GET", "/api/waitlist")]);
    } catch (err) { failed(err); }
    render();
  }

  function write(path, data, what) {
    return box.push("POST", path, data, what).then((r) => { toast(`${what}: done`, "ok"); refresh(); return r; }, failed);
  }

  // ---- the book ----------------------------------------------------------------------
  function timeline() {
    const { day, hour: nowH } = venueNow();
    const today = dayInput.value === day;
    const hours = S.book.flatMap((r) => [hourOf(r.starts_at), endOf(r)]);
    if (today) hours.push(nowH);
    const h0 = Math.max(0, Math.floor(Math.min(...hours, 24) - 1)), h1 = Math.min(26, Math.max(h0 + 6, Math.ceil(Math.max(...hours, 0) + 0.5)));
    const pos = (x) => `${((x - h0) / (h1 - h0)) * 100}%`;
    const lane = (t) => h("div.lane", { style: { "--hour": `${100 / (h1 - h0)}%` } },
      today && nowH >= h0 && nowH <= h1 ? h("div.now-line", { style: { left: pos(nowH) } }) : null,
      S.book.filter((r) => r.table_ids.includes(t.id)).map((r) => h(`button.resv.${r.status}`, {
        style: { left: pos(hourOf(r.starts_at)), width: `calc(${pos(h0 + endOf(r) - hourOf(r.starts_at))} - 2px)` },
        title: `${r.name} · ${r.party_size} · ${r.status}`, onclick: () => reservationSheet(r),
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
    const steps = {
      booked: [step("confirm", "Confirm"), step("arrive", "Arrived"), step("seat", "Seat", ".primary"), step("no-show", "No-show"), step("cancel", "Cancel", ".danger")],
      confirmed: [step("arrive", "Arrived"), step("seat", "Seat", ".primary"), step("no-show", "No-show"), step("cancel", "Cancel", ".danger")],
      arrived: [step("seat", "Seat", ".primary"), step("cancel", "Cancel", ".danger")],
      seated: [step("complete", "Complete")],
    }[r.status] || [];
    openSheet(h("h2", `${hhmm(r.starts_at)}–${hhmm(r.ends_at)} · ${r.name} · ${r.party_size} guests`),
      h("p", `Tables ${r.table_ids.map(tableName).join(" + ")} · ${r.status}`),
      r.phone ? h("p.muted", r.phone) : null,
      r.allergens.length || r.allergy_note ? h("p.allergy-band", h("span", `Allergies: ${POS.allergens.band(r.allergens, r.allergy_note)}`)) : null,
      r.tags.length ? h("p", r.tags.join(" · ")) : null,
      r.notes ? h("p.muted", r.notes) : null,
      h("div.actions", steps, h("button", { onclick: closeSheet }, "Close")));
  }

  // ---- side panel: waitlist, booking, floor --------------------------------------------
  function waitlistTab() {
    const name = field("wname", { placeholder: "Name", maxLength: 100, required: true });
    const size = field("wsize", { type: "number", min: 1, max: 99, value: 2, "aria-label": "party size" });
    const phone = field("wphone", { placeholder: "Phone (optional)", maxLength: 40 });
    const waited = (e) => Math.round((Date.now() - Date.parse(e.created_at)) / 60000);
    return [
      h("h2", `Waitlist · ${S.waitlist.length}`),
      S.waitlist.length ? null : h("p.muted", "Nobody is waiting."),
      S.waitlist.map((e) => h("div.wait",
        h("div.grow", h("b", `${e.position ?? ""}. ${e.name} (${e.party_size})`),
          h("small", `quoted ${e.quoted_minutes ?? "–"} min · now ~${e.estimated_minutes ?? "–"} min · waited ${waited(e)} min`),
          e.ready_table_ids && e.ready_table_ids.length ? h("small", `ready: table ${e.ready_table_ids.map(tableName).join(", ")}`) : null),
        h("button.primary", { onclick: () => { S.seating = e; S.tab = "floor"; render(); } }, "Seat"),
        h("button", { "aria-label": "remove", onclick: () => write(`/api/waitlist/${e.id}/cancel`, undefined, `${e.name} left`) }, "✕"))),
      h("form", { onsubmit: (ev) => { ev.preventDefault(); write("/api/waitlist", { name: name.value, party_size: Number(size.value), phone: phone.value || null }, `${name.value} added`).then(() => { draft.wname = draft.wphone = ""; render(); }); } },
        h("h2", "Add a walk-in"), name, h("div.row", size, phone), h("button.primary", { type: "submit", style: { width: "100%", marginTop: ".5rem" } }, "Add to waitlist")),
    ];
  }

  async function findSlots() {
    try { S.slots = (await api("GET", `/api/reservations/availability?date=${dayInput.value}&party_size=${S.party}`)).slots; } catch (err) { failed(err); }
    render();
  }

  function bookTab() {
    const name = field("bname", { placeholder: "Name", maxLength: 100 });
    const phone = field("bphone", { placeholder: "Phone", maxLength: 40 });
    const notes = field("bnotes", { placeholder: "Notes", maxLength: 500 });
    const allergies = draft.allergies;
    const book = (slot) => {
      if (!name.value) return toast("Name first", "error");
      write("/api/reservations", {
        name: name.value, party_size: S.party, starts_at: slot.starts_at, phone: phone.value || null, notes: notes.value,
        allergens: allergies.allergens, allergy_note: allergies.allergy_note.trim(),
      }, `Booked ${name.value}`)
        .then(() => { S.slots = null; draft.bname = draft.bphone = draft.bnotes = ""; draft.allergies = { allergens: [], allergy_note: "" }; render(); });
    };
    return [
      h("h2", `Book for ${dayInput.value}`),
      h("div.choices", [1, 2, 3, 4, 5, 6, 8, 10].map((n) => h(`button${n === S.party ? ".on" : ""}`, { onclick: () => { S.party = n; findSlots(); } }, n))),
      name, phone, notes, POS.allergens.picker(allergies),
      h("h2", "Free times"),
      S.slots === null ? h("button", { onclick: findSlots }, "Find free times") :
        S.slots.length ? h("div.slots", S.slots.map((s) => h("button", { title: `tables ${s.table_ids.map(tableName).join("+")}`, onclick: () => book(s) }, hhmm(s.starts_at)))) : h("p.muted", "No table free that day for this party."),
    ];
  }

  function floorTab() {
    const areas = S.floor.areas;
    const area = areas.find((a) => a.id === S.area) || areas[0];
    const xs = area.tables.map((t) => t.x), ys = area.tables.map((t) => t.y);
    const x0 = Math.min(...xs) - 60, y0 = Math.min(...ys) - 60, w = Math.max(...xs) + 60 - x0, hh = Math.max(...ys) + 60 - y0;
    const seat = (t) => {
      if (!S.seating) {
        if (t.status === "to_clean") {
          openSheet(h("h2", `Table ${t.name} is being cleaned`), h("div.actions",
            h("button.primary", { onclick: () => { closeSheet(); write(`/api/tables/${t.id}/clean`, undefined, `Table ${t.name} clean`); } }, "Clean"),
            h("button", { onclick: closeSheet }, "Close")));
        }
        return;
      }
      const e = S.seating;
      S.seating = null;
      write(`/api/waitlist/${e.id}/seat`, { table_id: t.id }, `${e.name} seated at ${t.name}`);
    };
    return [
      S.seating ? h("p.row", h("b.grow", `Tap a table for ${S.seating.name} (${S.seating.party_size})`), h("button", { onclick: () => { S.seating = null; render(); } }, "Cancel")) : h("h2", "Floor"),
      h("div.tabs", areas.map((a) => h(`button${a === area ? ".on" : ""}`, { onclick: () => { S.area = a.id; render(); } }, a.name))),
      h(`div.floor.mini${S.seating ? ".picking" : ""}`, { style: { aspectRatio: `${w} / ${hh}` } }, area.tables.map((t) =>
        h(`button.table.s-${t.status}${t.shape === "round" ? ".round" : ""}`, {
          style: { left: `${((t.x - x0) / w) * 100}%`, top: `${((t.y - y0) / hh) * 100}%` }, "data-table": t.name, "data-status": t.status, onclick: () => seat(t),
        }, t.name, h("small", t.next_reservation ? hhmm(t.next_reservation.starts_at) : `${t.capacity}p`)))),
      h("div.legend", ["free", "seated", "ordered", "course_ready", "bill_requested", "to_clean"].map((s) => h(`span.s-${s}`, s.replace("_", " ")))),
    ];
  }

  function renderBook() {
    if (!S.floor) return;
    mount($("#book"), h("h2", `Reservations · ${S.book.filter((r) => !["cancelled", "no_show"].includes(r.status)).length} · ${S.book.reduce((n, r) => n + (["cancelled", "no_show"].includes(r.status) ? 0 : r.party_size), 0)} covers`), timeline());
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
    const tabs = { waitlist: ["Waitlist", waitlistTab], book: ["Book", bookTab], floor: ["Floor", floorTab] };
    mount($("#side"), h("div.tabs", Object.entries(tabs).map(([k, [label]]) => h(`button${k === S.tab ? ".on" : ""}`, { onclick: () => { S.tab = k; render(); } }, label))),
      tabs[S.tab][1]());
    const again = ph && [...document.querySelectorAll("#side input")].find((i) => i.placeholder === ph);
    if (again) { again.focus(); if (at !== null) again.setSelectionRange(at, at); }
  }

  box.badge($("#outbox"));
  dayInput.addEventListener("change", () => { S.slots = null; refresh(); });
  setInterval(renderBook, 60000);
  POS.boot({
    roles: ["host"],
    async start() {
      try {
        S.tz = (await api("GET", `/api/reservations/availability?date=${new Date().toISOString().slice(0, 10)}&party_size=1`)).timezone;
      } catch (err) { S.tz = undefined; }
      dayInput.value = venueNow().day;
      restorePlace();
      POS.live(["floor", "reservations"], { ready: () => { box.flush(); refresh(); }, event: debounce(refresh) });
      refresh();
    },
    resumed: () => box.flush(),
  });
})();

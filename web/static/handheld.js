/* The waiter's handheld: floor, check, menu with modifiers, send, fire, void, split, pay.
   Every write goes through the outbox, so a dead spot in the garden loses nothing.
   The floor, the menu and the open check are kept by applying live events (docs/live.md,
   "Page reducers: the handheld"): the page reads them on start, after a gap the server
   cannot replay, and when an event cannot be applied to what it holds. */
"use strict";
(() => {
  const { h, $, mount, toast, money, taxLabel, api, ApiError, debounce, t, tn } = POS;
  const main = $("#main");
  const box = POS.outbox("handheld");
  const S = { view: "floor", area: null, floor: null, menu: null, check: null, bill: null, category: null, search: "" };
  const STATUS = {
    free: t("free"), seated: t("seated"), ordered: t("ordered"), course_ready: t("course ready"),
    bill_requested: t("bill requested"), paid: t("paid"), to_clean: t("to clean"),
  };

  /** GET with a copy kept for when the network is gone. */
  async function get(path) {
    try {
      const data = await api("GET", path);
      localStorage.setItem(`pos.cache.${path}`, JSON.stringify(data));
      return data;
    } catch (err) {
      const kept = localStorage.getItem(`pos.cache.${path}`);
      if (err instanceof ApiError || kept === null) throw err;
      return JSON.parse(kept);
    }
  }

  const show = (view) => { S.view = view; closeSheet(); render(); main.scrollTop = 0; keepPlace(); };
  const sheet = $("#sheet");
  const closeSheet = () => { sheet.hidden = true; sheet.replaceChildren(); };
  const openSheet = (...children) => { mount(sheet, children); sheet.hidden = false; };
  const failed = (err) => toast(err instanceof ApiError ? err.message : t("No connection"), "error");
  const label = (s) => STATUS[s] || s.replace("_", " ");
  /** Redraw after a change, unless a sheet is open over the view. */
  const redraw = () => { if (sheet.hidden) render(); };

  function render() {
    if (!S.floor) return;
    const views = { floor: floorView, check: checkView, menu: menuView, pay: payView };
    mount(main, (S.check || S.view === "floor" ? views[S.view] : floorView)());
  }

  // ---- floor ---------------------------------------------------------------------
  function floorPlan(area, onTap) {
    const xs = area.tables.map((t) => t.x), ys = area.tables.map((t) => t.y);
    const x0 = Math.min(...xs) - 60, y0 = Math.min(...ys) - 60;
    const w = Math.max(...xs) + 60 - x0, hgt = Math.max(...ys) + 60 - y0;
    return h("div.floor", { style: { aspectRatio: `${w} / ${hgt}` } }, area.tables.map((tb) =>
      h(`button.table.s-${tb.status}${tb.shape === "round" ? ".round" : ""}`, {
        style: { left: `${((tb.x - x0) / w) * 100}%`, top: `${((tb.y - y0) / hgt) * 100}%` },
        "data-table": tb.name, "data-status": tb.status, title: `${tb.name}: ${label(tb.status)}`,
        onclick: () => onTap(tb),
      }, tb.name, h("small", tb.open_check
        ? [t("{n}p", { n: tb.open_check.covers }), tb.open_check.waiter].filter(Boolean).join(" · ")
        : label(tb.status)))));
  }
  const legend = () => h("div.legend", Object.keys(STATUS).map((s) => h(`span.s-${s}`, label(s))));

  function floorView() {
    const areas = S.floor.areas;
    const area = areas.find((a) => a.id === S.area) || areas[0];
    return [
      h("div.tabs", areas.map((a) => h(`button${a === area ? ".on" : ""}`, { onclick: () => { S.area = a.id; render(); } }, a.name))),
      floorPlan(area, tapTable),
      legend(),
    ];
  }

  function tapTable(table) {
    if (table.open_check) return openCheck(table.open_check.id);
    if (table.status === "to_clean") {
      return openSheet(h("h2", t("Table {table} is being cleaned", { table: table.name })), h("div.actions",
        h("button.primary", { onclick: () => cleanTable(table) }, t("Clean")),
        h("button", { onclick: closeSheet }, t("Cancel"))));
    }
    const covers = [...Array(Math.min(12, table.capacity + 2)).keys()].map((i) => i + 1);
    openSheet(
      h("h2", t("Table {table} · how many guests?", { table: table.name })),
      h("div.choices", covers.map((n) => h("button", { onclick: () => startCheck(table, n) }, n))),
      h("div.actions", h("button", { onclick: closeSheet }, t("Cancel"))));
  }

  async function cleanTable(table) {
    closeSheet();
    try {
      await box.push("POST", `/api/tables/${table.id}/clean`, undefined, t("Table {table} clean", { table: table.name }));
    } catch (err) { failed(err); }
    redraw();
  }

  async function startCheck(table, covers) {
    closeSheet();
    const since = live.seq();
    const pending = box.push("POST", "/api/checks", { table_id: table.id, covers }, t("Open table {table}", { table: table.name }));
    if (!navigator.onLine) toast(t("Table {table} opens when the connection is back", { table: table.name }));
    try {
      hold(await pending, since);
      if (S.view === "floor") show("menu");
    } catch (err) {
      if (err.problem && err.problem.check_id) return openCheck(err.problem.check_id);
      failed(err);
    }
  }

  async function openCheck(id) {
    try {
      const since = live.seq();
      hold(await get(`/api/checks/${id}`), since);
      show("check");
    } catch (err) { failed(err); }
  }

  // ---- check ---------------------------------------------------------------------
  const tableName = (id) => {
    for (const a of S.floor.areas) for (const tb of a.tables) if (tb.id === id) return tb.name;
    return "–";
  };
  // lines not yet delivered; the one on its way may already be on the check (its event
  // can come before its answer), so it is not listed twice
  const queuedLines = () => box.list().filter((e) => e.path === `/api/checks/${S.check.id}/lines` && e.key !== box.sending());

  function lineItem(line) {
    const bits = [line.modifiers.map((m) => m.name).join(", "), line.seat ? t("seat {n}", { n: line.seat }) : "", line.note || "",
      line.allergens && line.allergens.length ? `⚠ ${line.allergens.join(", ")}` : ""];
    return h(`li.${line.state}`, { "data-line": line.id, onclick: () => line.state !== "voided" && lineSheet(line) },
      h("span.q", `${line.quantity}×`),
      h("span.what", { "data-pending": line.state === "pending" ? t("not sent") : null }, line.name, h("small", bits.filter(Boolean).join(" · "))),
      h("span.amount", money(line.amount)));
  }

  function checkView() {
    const c = S.check;
    const courses = [...S.menu.courses, ...new Set(c.lines.map((l) => l.course))].filter((x, i, a) => a.indexOf(x) === i);
    const pending = c.lines.filter((l) => l.state === "pending").length + queuedLines().length;
    return [
      h("div.head", h("button", { onclick: () => { hold(null); show("floor"); } }, t("← Floor")),
        h("h2", tn("Table {table} · {n} guest", "Table {table} · {n} guests", c.covers, { table: tableName(c.table_id) })),
        c.status === "closed" ? h("span.badge", { "data-closed": "" }, t("Paid")) : null, h("span.muted", `#${c.id}`)),
      h("div.pane",
        h("p.allergy-band", { hidden: !(c.allergens.length || c.allergy_note) },
          h("span", t("Allergies: {band}", { band: POS.allergens.band(c.allergens, c.allergy_note) }))),
        c.notes ? h("p.muted", c.notes) : null,
        guestOrderBox(c), tableQrButton(c),
        courses.map((course) => {
          const lines = c.lines.filter((l) => l.course === course);
          return lines.length ? [h("h3.course-h", course), h("ul.lines", lines.map(lineItem))] : null;
        }),
        queuedLines().length ? [h("h3.course-h", t("waiting for the connection")),
          h("ul.lines", queuedLines().map((e) => h("li.queued", h("span.q", `${e.body.quantity}×`), h("span.what", e.label))))] : null,
        c.lines.length + queuedLines().length === 0 ? h("p.muted.center", t("No items yet")) : null,
        h("p.row", h("span.grow", t("Subtotal")), h("span.amount.total", money(c.subtotal)))),
      h("div.actions",
        h("button", { onclick: () => show("menu") }, t("+ Items")),
        h("button.primary", { disabled: pending === 0, onclick: send }, pending ? t("Send ({n})", { n: pending }) : t("Send")),
        h("button", { onclick: fireSheet }, t("Fire…")),
        h("button", { onclick: allergySheet }, t("Allergies…")),
        lastRound().length ? h("button", { onclick: repeatRound }, t("Repeat round")) : null,
        h("button", { onclick: moveSheet }, t("Move…")),
        h("button", { onclick: openBill }, t("Bill & pay"))),
    ];
  }

  /** Queue a write; ``done(answer, since)`` with the seq the page had seen when it was
      made. The change itself reaches the page as live events (no read after it). */
  function write(method, path, data, what, done) {
    const since = live.seq();
    const answer = box.push(method, path, data, what).then((a) => { done && done(a, since); redraw(); }, failed);
    if (!navigator.onLine) toast(t("{what}: will be sent when the connection is back", { what }));
    return answer;
  }

  /** A write a double tap must not repeat (Send, Pay): the same write again while the
      first is on its way is dropped, so the second tap shows no "nothing to send". */
  const onTheWay = new Set();
  function writeOnce(method, path, data, what, done) {
    const key = `${method} ${path} ${JSON.stringify(data)}`;
    if (onTheWay.has(key)) return;
    onTheWay.add(key);
    write(method, path, data, what, done).finally(() => onTheWay.delete(key));
  }

  function send() {
    writeOnce("POST", `/api/checks/${S.check.id}/send`, {}, t("Send"), (check) => { took(check); toast(t("Sent to the kitchen"), "ok"); });
  }

  /** The table's allergies: the band on every kitchen station's tickets of this check. */
  function allergySheet() {
    const c = S.check;
    const value = { allergens: [...c.allergens], allergy_note: c.allergy_note };
    const save = () => {
      closeSheet();
      write("PUT", `/api/checks/${c.id}/allergies`, { allergens: value.allergens, allergy_note: value.allergy_note.trim() },
        t("Allergies"), () => toast(t("Allergies sent to the kitchen"), "ok"));
    };
    openSheet(h("h2", t("Table {table} · allergies", { table: tableName(c.table_id) })),
      POS.allergens.picker(value),
      h("div.actions", h("button", { onclick: closeSheet }, t("Cancel")), h("button.primary", { onclick: save }, t("Save"))));
  }

  async function fireSheet() {
    let courses;
    try {
      courses = (await api("GET", `/api/checks/${S.check.id}/courses`)).courses;
    } catch (err) { return failed(err); }
    const held = courses.filter((c) => c.state === "held");
    const STATES = { held: t("held"), fired: t("fired"), ready: t("ready"), served: t("served") };
    openSheet(h("h2", t("Fire a course")),
      held.length ? h("div.choices", held.map((c) => h("button.primary", {
        onclick: () => { closeSheet(); write("POST", `/api/checks/${S.check.id}/fire`, { course: c.course }, t("Fire {course}", { course: c.course }), () => toast(t("{course} fired", { course: c.course }), "ok")); },
      }, t("Fire {course}", { course: c.course })))) : h("p.muted", t("No course is held.")),
      h("p.muted", courses.filter((c) => c.state !== "held").map((c) => `${c.course}: ${STATES[c.state] || c.state}`).join(" · ")),
      h("div.actions", h("button", { onclick: closeSheet }, t("Close"))));
  }

  function voidSheet(line) {
    const sent = line.state === "sent";
    const reason = h("input", { placeholder: t("Reason"), maxLength: 200, value: t("guest changed mind") });
    const pin = sent ? h("input", { type: "password", inputMode: "numeric", placeholder: t("Manager PIN"), maxLength: 8 }) : null;
    const message = h("p.error");
    async function go() {
      let approval = null;
      if (sent) {
        try {
          approval = (await api("POST", "/api/auth/approve", { pin: pin.value, action: "void" })).approval;
        } catch (err) { message.textContent = err instanceof ApiError ? err.message : t("No connection: approvals need the server"); return; }
      }
      closeSheet();
      write("POST", `/api/checks/${S.check.id}/lines/${line.id}/void`, { reason: reason.value || "void", approval }, t("Void {item}", { item: line.name }),
        (check) => { took(check); toast(t("{item} voided", { item: line.name }), "ok"); });
    }
    openSheet(h("h2", t("Void {n}× {item}?", { n: line.quantity, item: line.name })),
      h("label", t("Reason"), reason),
      sent ? h("label", t("Sent to the kitchen: a manager approves"), pin) : null,
      message,
      h("div.actions", h("button", { onclick: closeSheet }, t("Keep")), h("button.danger", { onclick: go }, t("Void"))));
  }

  // ---- menu and the modifier picker -------------------------------------------------
  function menuView() {
    const cats = S.menu.categories;
    const cat = cats.find((c) => c.id === S.category) || cats[0];
    const q = S.search.trim().toLowerCase();
    const listed = (c) => c.items.filter((i) => onMenuNow(i, c));
    const items = q ? cats.flatMap(listed).filter((i) => i.name.toLowerCase().includes(q)) : (cat ? listed(cat) : []);
    const search = h("input", { type: "search", placeholder: t("Search the menu"), "aria-label": t("search the menu"), value: S.search,
      oninput: debounce(() => { S.search = search.value; render(); $("input[type=search]").focus(); }, 200) });
    const queued = queuedLines().length + S.check.lines.filter((l) => l.state === "pending").length;
    return [
      h("div.head", h("button", { onclick: () => show("check") }, t("← Check")), search),
      q ? null : quickGrid(),
      q ? null : h("div.tabs", cats.map((c) => h(`button${c === cat ? ".on" : ""}`, { onclick: () => { S.category = c.id; render(); keepPlace(); } }, c.name))),
      h("div.pane.items", items.map((i) => h(`button${i.available ? "" : ".out"}`, {
        disabled: !i.available || i.remaining === 0, onclick: () => itemSheet(i), "data-item": i.name,
      }, i.name, h("small", money(i.price), i.remaining !== null ? ` · ${t("{n} left", { n: i.remaining })}` : "")))),
      h("div.actions", h("button.primary", { onclick: () => show("check") }, queued ? t("Done · {n} to send", { n: queued }) : t("Done"))),
    ];
  }

  /** The item's sheet: modifiers, quantity, seat, course, note. With ``line`` (a pending
      line of this item) it edits that line instead of adding one. */
  function itemSheet(item, line = null) {
    const chosen = new Set(line ? line.modifiers.map((m) => m.option_id) : []);
    const pick = new Map(item.modifier_groups.map((g) => [g.id, new Set(g.options.filter((o) => chosen.has(o.id)).map((o) => o.id))]));
    const next = kept();
    const choice = line ? { quantity: line.quantity, seat: line.seat, course: line.course }
      : { quantity: 1, seat: next.seat, course: next.course ?? item.default_course };
    const note = h("input", { placeholder: t("Note for the kitchen"), "aria-label": t("note for the kitchen"), maxLength: 200, value: line ? line.note || "" : "" });
    const own = { allergens: line ? [...line.allergens] : [] };
    const ownPicker = POS.allergens.picker(own, () => {}, { withNote: false, legend: t("This guest's allergies") });
    const addButton = h("button.primary", { onclick: () => add(false) }, line ? t("Save") : t("Add"));
    // "Send now": adds this item, then sends the order
    const sendButton = line ? null : h("button", { onclick: () => add(true), title: t("Add this item and send the order") }, t("Send now"));
    const groupsBox = h("div");
    const unmet = (g) => pick.get(g.id).size < g.min_choices;

    function toggle(g, o) {
      const chosen = pick.get(g.id);
      if (chosen.has(o.id)) chosen.delete(o.id);
      else if (g.max_choices === 1) { chosen.clear(); chosen.add(o.id); }
      else if (chosen.size < g.max_choices) chosen.add(o.id);
      else toast(t("{group}: at most {n}", { group: g.name, n: g.max_choices }));
      draw();
    }
    function rule(g) {
      if (g.min_choices === g.max_choices) return t("choose {n}", { n: g.min_choices });
      return g.min_choices ? t("choose {min} to {max}", { min: g.min_choices, max: g.max_choices }) : t("up to {n}", { n: g.max_choices });
    }
    const choices = (values, current, set, name = (v) => v) => h("div.choices", values.map((v) =>
      h(`button${v === current ? ".on" : ""}`, { onclick: () => { set(v); draw(); } }, name(v))));

    function draw() {
      mount(groupsBox, item.modifier_groups.map((g) => h(`div.group${unmet(g) ? ".unmet" : ""}`,
        h("h3", `${g.name} · ${rule(g)}`),
        h("div.choices", g.options.map((o) => h(`button${pick.get(g.id).has(o.id) ? ".on" : ""}`, { onclick: () => toggle(g, o) },
          o.name, o.price_delta ? ` +${money(o.price_delta)}` : ""))))),
        h("h3", t("Quantity")),
        h("div.stepper", h("button", { onclick: () => { choice.quantity = Math.max(1, choice.quantity - 1); draw(); } }, "−"),
          h("output", choice.quantity), h("button", { onclick: () => { choice.quantity = Math.min(99, choice.quantity + 1); draw(); } }, "+")),
        h("h3", t("Seat")),
        choices([null, ...Array.from({ length: S.check.covers }, (_, i) => i + 1)], choice.seat, (v) => { choice.seat = v; }, (v) => v ?? "–"),
        h("h3", t("Course")),
        choices(S.menu.courses, choice.course, (v) => { choice.course = v; }));
      addButton.disabled = item.modifier_groups.some(unmet);
      if (sendButton) sendButton.disabled = addButton.disabled;
    }

    function add(andSend) {
      if (line) return saveLine(item, line, pick, choice, note.value, own.allergens);
      remember(item, choice);
      const refusal = whyNot(item.id, choice.quantity);
      if (refusal) { closeSheet(); render(); return toast(refusal, "error"); }
      const mods = [...pick.values()].flatMap((s) => [...s]);
      const names = item.modifier_groups.flatMap((g) => g.options.filter((o) => pick.get(g.id).has(o.id)).map((o) => o.name));
      const body = { item_id: item.id, quantity: choice.quantity, modifiers: mods, seat: choice.seat, course: choice.course, note: note.value || null, allergens: own.allergens };
      closeSheet();
      write("POST", `/api/checks/${S.check.id}/lines`, body, [item.name, ...names].join(", "), took);
      if (andSend) { send(); return show("check"); }
      render();
    }

    draw();
    openSheet(h("h2", item.name, h("span.muted", ` ${money(item.price)}`)),
      item.allergens.length ? h("p.muted", t("Allergens: {list}", { list: item.allergens.join(", ") })) : null,
      groupsBox, h("h3", t("Note")), note, ownPicker,
      h("div.actions", h("button", { onclick: closeSheet }, t("Cancel")), sendButton, addButton));
  }

  // ---- line actions: edit, repeat, seat and course, move, discount, comp, void --------
  /** The seat and course the next item gets: what the waiter last chose on this check,
      kept until changed (a course only when chosen by hand: else the item's own). */
  const keep = { check: null, seat: null, course: null };
  function kept() {
    if (keep.check !== S.check.id) Object.assign(keep, { check: S.check.id, seat: null, course: null });
    return keep;
  }
  function remember(item, choice) {
    const next = kept();
    next.seat = choice.seat;
    next.course = choice.course === item.default_course ? null : choice.course;
  }

  const describe = (line) => [line.modifiers.map((m) => m.name).join(", "), line.seat ? t("seat {n}", { n: line.seat }) : "", line.course, line.note || ""]
    .filter(Boolean).join(" · ");
  const lineBody = (line) => ({ item_id: line.item_id, quantity: line.quantity, modifiers: line.modifiers.map((m) => m.option_id),
    seat: line.seat, course: line.course, note: line.note, allergens: line.allergens });

  /** What a tapped line offers: a pending one is edited in place; a sent one can be
      repeated, discounted, comped or voided (voids after send need a manager). */
  function lineSheet(line) {
    const c = S.check, pending = line.state === "pending";
    const patch = (body, what) => { closeSheet(); write("PATCH", `/api/checks/${c.id}/lines/${line.id}`, body, what, took); };
    const seats = [null, ...Array.from({ length: c.covers }, (_, i) => i + 1)];
    openSheet(h("h2", `${line.quantity}× ${line.name}`),
      h("p.muted", describe(line)),
      pending ? [
        h("h3", t("Seat")),
        h("div.choices", seats.map((n) => h(`button${n === line.seat ? ".on" : ""}`, { "data-seat": n ?? "-", onclick: () => patch({ seat: n }, `${line.name}: ${t("seat {n}", { n: n ?? "–" })}`) }, n ?? "–"))),
        h("h3", t("Course")),
        h("div.choices", S.menu.courses.map((k) => h(`button${k === line.course ? ".on" : ""}`, { "data-course": k, onclick: () => patch({ course: k }, `${line.name}: ${k}`) }, k))),
      ] : h("p.muted", t("Sent to the kitchen: repeat, discount, comp or void it.")),
      h("div.choices.line-actions",
        pending ? h("button", { onclick: () => editLine(line) }, t("Edit…")) : null,
        h("button", { onclick: () => repeatLines([line]) }, t("Repeat")),
        h("button", { onclick: () => discountSheet(line) }, t("Discount…")),
        h("button", { onclick: () => compSheet(line) }, t("Comp…")),
        h("button", { onclick: moveSheet }, t("Move…")),
        h("button.danger", { onclick: () => voidSheet(line) }, t("Void…"))),
      h("div.actions", h("button", { onclick: closeSheet }, t("Close"))));
  }

  function editLine(line) {
    const [item] = findItem(line.item_id);
    if (!item) return toast(t("That item is no longer on the menu"), "error");
    itemSheet(item, line);
  }

  function saveLine(item, line, pick, choice, note, allergens) {
    const modifiers = [...pick.values()].flatMap((x) => [...x]);
    closeSheet();
    write("PATCH", `/api/checks/${S.check.id}/lines/${line.id}`,
      { quantity: choice.quantity, modifiers, seat: choice.seat, course: choice.course, note: note.trim() || null, allergens },
      t("Edit {item}", { item: item.name }), (check) => { took(check); toast(t("{item} changed", { item: item.name }), "ok"); });
  }

  /** The lines of the last send (a round of drinks): what "Repeat round" orders again. */
  function lastRound() {
    const sent = S.check.lines.filter((l) => l.state === "sent" && l.sent_at);
    const last = sent.map((l) => l.sent_at).sort().pop();
    return sent.filter((l) => l.sent_at === last);
  }
  const repeatRound = () => repeatLines(lastRound());

  function repeatLines(lines) {
    closeSheet();
    for (const line of lines) {
      const refusal = whyNot(line.item_id, line.quantity);
      if (refusal) { toast(refusal, "error"); continue; }
      write("POST", `/api/checks/${S.check.id}/lines`, lineBody(line), t("Again: {item}", { item: line.name }), took);
    }
    toast(lines.length > 1 ? t("{n} items again: send when ready", { n: lines.length }) : t("{item} again: send when ready", { item: lines[0].name }), "ok");
    render();
  }

  /** Move the check to another table; a table with an open check takes this one in (merge). */
  function moveSheet() {
    const c = S.check;
    const area = S.floor.areas.find((a) => a.tables.some((tb) => tb.id === c.table_id)) || S.floor.areas[0];
    const tap = (tb) => {
      if (tb.id === c.table_id) return;
      closeSheet();
      if (tb.open_check) {
        write("POST", `/api/checks/${tb.open_check.id}/merge`, { check_id: c.id }, t("Merge into table {table}", { table: tb.name }),
          (check, since) => { took(check, since, true); keepPlace(); toast(t("Merged into table {table}", { table: tb.name }), "ok"); });
      } else {
        write("POST", `/api/checks/${c.id}/transfer`, { table_id: tb.id }, t("Move to table {table}", { table: tb.name }),
          (check) => { took(check); toast(t("Moved to table {table}", { table: tb.name }), "ok"); });
      }
    };
    openSheet(h("h2", t("Move table {table} to…", { table: tableName(c.table_id) })),
      h("p.muted", t("A free table takes the check; a table with a check takes this one in.")),
      h("div.move", floorPlan(area, tap)),
      h("div.actions", h("button", { onclick: closeSheet }, t("Cancel"))));
  }

  /** A sheet's manager PIN field: a one-use approval for ``action``, or null when empty. */
  function approvalField(action, shown) {
    const pin = h("input", { type: "password", inputMode: "numeric", placeholder: t("Manager PIN"), "aria-label": t("manager PIN"), maxLength: 8 });
    const field = h("label", { hidden: !shown }, t("A manager approves"), pin);
    return {
      field,
      ask() { field.hidden = false; pin.focus(); },
      async approval() {
        if (!pin.value) return null;
        return (await api("POST", "/api/auth/approve", { pin: pin.value, action })).approval;
      },
    };
  }

  /** Discount or comp: online only (an approval needs the server), asked again with a PIN
      when the venue's limit needs one. */
  function adjustSheet(title, action, path, body, fields, done) {
    const reason = h("input", { placeholder: t("Reason"), "aria-label": t("reason"), maxLength: 200, value: action === "comp" ? t("guest complaint") : t("guest goodwill") });
    const approve = approvalField(action, action === "comp");
    const message = h("p.error");
    const key = POS.uuid();
    async function go() {
      message.textContent = "";
      try {
        const approval = await approve.approval();
        S.bill = await api("POST", path, { ...body(), reason: reason.value.trim() || action, approval }, { key });
        closeSheet();
        done();
        redraw();
      } catch (err) {
        if (err instanceof ApiError && err.problem.field === "approval") approve.ask();
        message.textContent = err instanceof ApiError ? err.message : t("No connection: discounts and comps need the server");
      }
    }
    openSheet(h("h2", title), fields, h("label", t("Reason"), reason), approve.field, message,
      h("div.actions", h("button", { onclick: closeSheet }, t("Cancel")), h("button.primary", { onclick: go }, action === "comp" ? t("Comp") : t("Discount"))));
  }

  function discountSheet(line) {
    const pick = { percent: 10 };
    const box = h("div.choices");
    const draw = () => mount(box, [10, 15, 20, 50].map((p) => h(`button${p === pick.percent ? ".on" : ""}`, { onclick: () => { pick.percent = p; draw(); } }, `${p} %`)));
    draw();
    adjustSheet(t("Discount {item}", { item: line.name }), "discount", `/api/checks/${S.check.id}/discounts`,
      () => ({ kind: "percent", value: pick.percent * 100, line_id: line.id }), box,
      () => toast(t("{item}: {percent} % off", { item: line.name, percent: pick.percent }), "ok"));
  }

  function compSheet(line) {
    adjustSheet(t("Comp {n}× {item}", { n: line.quantity, item: line.name }), "comp", `/api/checks/${S.check.id}/comps`,
      () => ({ line_id: line.id }), h("p.muted", t("{amount} comes off the bill.", { amount: money(line.amount) })),
      () => toast(t("{item} comped", { item: line.name }), "ok"));
  }

  // ---- the quick grid: the venue's most ordered items ---------------------------------
  let favourites = [];
  async function loadFavourites() {
    try { favourites = (await get("/api/checks/favourites")).item_ids; } catch (err) { return; }
    if (S.view === "menu" && sheet.hidden && S.check) render();
  }
  function quickGrid() {
    const items = favourites.map((id) => findItem(id)).filter(([i, c]) => i && onMenuNow(i, c)).map(([i]) => i).slice(0, 6);
    if (!items.length) return null;
    return h("div.pane.items.quick", { "aria-label": t("most ordered") }, items.map((i) => h(`button${i.available ? "" : ".out"}`, {
      disabled: !i.available || i.remaining === 0, onclick: () => itemSheet(i), "data-quick": i.name,
    }, i.name, h("small", money(i.price)))));
  }

  // ---- the place kept over a reload (this tab only) ------------------------------------
  const PLACE = "pos.handheld.place";
  function keepPlace() {
    const staff = POS.session.staff;
    sessionStorage.setItem(PLACE, JSON.stringify({ staff: staff && staff.id, view: S.view, check: S.check && S.check.id, category: S.category }));
  }
  async function restorePlace() {
    const place = JSON.parse(sessionStorage.getItem(PLACE) || "null");
    const staff = POS.session.staff;
    if (!place || !place.check || !staff || place.staff !== staff.id) return;
    S.category = place.category ?? null;
    const since = live.seq();
    try { hold(await get(`/api/checks/${place.check}`), since); } catch (err) { hold(null); return keepPlace(); }
    if (S.check.status !== "open" && place.view !== "pay") { hold(null); return show("floor"); }
    if (place.view === "pay") return openBill();
    show(place.view === "menu" ? "menu" : "check");
  }

  // ---- the guest's link as a QR code ---------------------------------------------------
  function guestQrSheet(url, svg) {
    const copy = async () => {
      try { await navigator.clipboard.writeText(url); toast(t("Link copied"), "ok"); } catch (err) { toast(t("Copy is not allowed here: let the guest scan the code")); }
    };
    openSheet(h("h2", t("Guest pays on their phone")),
      svg ? h("img.qr", { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, alt: t("QR code of the guest's link") }) : null,
      h("p.muted.center", t("Let the guest scan this code with their phone's camera.")),
      h("p.link", h("a", { href: url, target: "_blank", rel: "noopener" }, url)),
      h("div.actions", h("button", { onclick: copy }, t("Copy link")), h("button.primary", { onclick: closeSheet }, t("Close"))));
  }

  // ---- bill, split and pay ----------------------------------------------------------
  async function openBill() {
    try {
      S.bill = await api("GET", `/api/checks/${S.check.id}/bill`);
      show("pay");
    } catch (err) { failed(err); }
  }

  function payView() {
    const b = S.bill, id = S.check.id;
    if (!b) return h("p.muted.center", t("Loading the bill…"));
    if (b.status !== "open") {
      return [h("div.head", h("button", { onclick: () => { hold(null); show("floor"); } }, t("← Floor")), h("h2", t("Paid"))),
        h("div.pane", h("p.total.center", t("Paid {amount}", { amount: money(b.paid) })), h("p.muted.center", t("The table is ready to be cleaned.")), receiptButton(id))];
    }
    const parts = b.parts.length ? [...b.parts, b.rest].filter((p) => p.amount > 0) : [b.rest];
    const split = (req, what) => write("POST", `/api/checks/${id}/split`, req, what, (bill) => { S.bill = bill; render(); });
    return [
      h("div.head", h("button", { onclick: () => show("check") }, t("← Check")), h("h2", t("Bill · table {table}", { table: tableName(S.check.table_id) }))),
      h("div.pane",
        h("ul.lines", b.lines.map((l) => h("li", h("span.q", `${l.quantity}×`), h("span.what", l.name, h("small", l.seat ? t("seat {n}", { n: l.seat }) : "")), h("span.amount", money(l.net))))),
        Object.values((b.promotions || []).reduce((by, p) => { (by[p.promotion_id] ||= [p.name, 0])[1] += p.amount; return by; }, {})).map(([name, off]) => h("p.row.muted.promotion", h("span.grow", t("incl. {promotion}", { promotion: name })), h("span.amount", money(-off)))),
        b.service_charge ? h("p.row", h("span.grow", t("Service charge")), h("span.amount", money(b.service_charge))) : null,
        b.taxes.map((x) => h("p.row.muted", h("span.grow", taxLabel(b, x)), h("span.amount", money(x.tax)))),
        h("p.row.total", h("span.grow", t("Total")), h("span.amount", money(b.total))),
        b.paid ? h("p.row", h("span.grow", t("Paid")), h("span.amount", money(b.paid))) : null,
        h("h2", t("Split")),
        h("div.choices", [2, 3, 4].map((n) => h("button", { onclick: () => split({ mode: "even", n }, t("Split in {n}", { n })) }, `÷ ${n}`)),
          h("button", { onclick: () => split({ mode: "seat" }, t("Split by seat")) }, t("By seat"))),
        h("h2", t("Pay")),
        parts.map((p) => h("div.part", h("div.row", h("b.grow", p.id === null && !b.parts.length ? t("Whole check") : p.label),
          h("span.amount", p.due ? t("due {amount}", { amount: money(p.due) }) : t("paid")), p.pending ? h("span.badge", t("card pending")) : null),
        p.due ? h("div.row", h("button.grow", { onclick: () => cashSheet(p) }, t("Cash")), h("button.grow.primary", { onclick: () => pay(p, "card") }, t("Card"))) : null)),
        h("h2", t("At the table")),
        h("div.choices",
          h("button", { onclick: () => write("POST", `/api/checks/${id}/prebill`, undefined, t("Print the bill"), () => toast(t("Bill printed"), "ok")) }, t("Print bill")),
          h("button", { onclick: guestLink }, t("Guest pays on phone")))),
    ];
  }

  /** Cash: what the guest hands over and any tip; the change is shown before and after. */
  function cashSheet(part) {
    const digits = new Intl.NumberFormat("en", { style: "currency", currency: S.menu.currency }).resolvedOptions().maximumFractionDigits;
    const minor = (input) => Math.round(Number((input.value || "0").replace(",", ".")) * 10 ** digits);
    const plain = new Intl.NumberFormat(POS.language, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false });
    const major = (amount) => plain.format(amount / 10 ** digits);
    const tendered = h("input", { name: "tendered", inputMode: "decimal", placeholder: major(part.due), oninput: () => preview() });
    const tip = h("input", { name: "tip", inputMode: "decimal", placeholder: major(0), oninput: () => preview() });
    const change = h("p.row.total", { "data-change": "" });
    const given = () => (tendered.value ? minor(tendered) : part.due + minor(tip));
    function preview() {
      const rest = given() - part.due - minor(tip);
      mount(change, h("span.grow", rest < 0 ? t("Short") : t("Change")), h("span.amount", money(Math.abs(rest))));
    }
    preview();
    openSheet(h("h2", t("Cash · due {amount}", { amount: money(part.due) })),
      h("label", t("Tendered"), tendered), h("label", t("Tip"), tip), change,
      h("div.actions", h("button", { onclick: closeSheet }, t("Cancel")), h("button.primary", {
        onclick: () => { closeSheet(); pay(part, "cash", { tendered: given(), tip: minor(tip) }); },
      }, t("Take cash"))));
  }

  function pay(part, method, extra = {}) {
    const body = { method, part_id: part.id, ...extra };
    const what = { cash: t("Cash {amount}", { amount: money(part.due) }), card: t("Card {amount}", { amount: money(part.due) }) }[method];
    writeOnce("POST", `/api/checks/${S.check.id}/payments`, body, what, (result) => {
      S.bill = result.bill;
      if (result.payment.status === "pending") return poll(result.payment.id);
      toast(result.payment.change ? t("Change: {amount}", { amount: money(result.payment.change) }) : t("Paid"), "ok");
    });
  }

  async function poll(paymentId) {
    toast(t("Waiting for the card terminal…"));
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 1500));
      try {
        const r = await api("POST", `/api/payments/${paymentId}/poll`);
        S.bill = r.bill;
        if (r.payment.status !== "pending") {
          const said = { approved: t("Card approved"), declined: t("Card declined") }[r.payment.status] || t("Card {status}", { status: r.payment.status });
          toast(said, r.payment.status === "approved" ? "ok" : "error");
          return redraw();
        }
      } catch (err) { if (err instanceof ApiError) return failed(err); }
    }
  }

  async function guestLink() {
    try {
      const link = await api("POST", `/api/checks/${S.check.id}/guest-link`);
      const url = new URL(link.url, location.href).href;
      guestQrSheet(url, link.qr_svg);
    } catch (err) { failed(err); }
  }

  // ---- orders from the table's QR code, and receipts (docs/guests.md) ----------------
  /** The guest's own lines waiting on this check (sent from the table tent's page), with
      the waiter's confirm: the ordinary send. */
  function guestOrderBox(c) {
    const waiting = c.lines.filter((l) => l.state === "pending" && l.added_by === 0);
    if (!waiting.length) return null;
    return h("div.guest-order.warn", { "data-guest-order": "" },
      h("h3", t("Ordered by the guest")),
      h("ul.lines", waiting.map((l) => h("li", h("span.q", `${l.quantity}×`),
        h("span.what", l.name, h("small", l.modifiers.map((m) => m.name).join(", ")))))),
      h("button.primary", { onclick: send }, t("Confirm and send")));
  }

  /** The table tent's QR code on the handheld, for a guest to scan there and then. */
  function tableQrButton(c) {
    if (c.table_id === null) return null;
    return h("button.link.table-qr", { onclick: async () => {
      try {
        const link = await api("GET", `/api/tables/${c.table_id}/order-link`);
        openSheet(h("h2", t("Order by QR · table {table}", { table: link.table })),
          h("img", { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(link.qr_svg)}`, alt: t("QR code"), width: 240, height: 240 }),
          h("p.muted", t("Guests scan this to order from their phone (if the venue allows it).")),
          h("div.actions", h("button", { onclick: closeSheet }, t("Close"))));
      } catch (err) { failed(err); }
    } }, t("Table QR"));
  }

  /** A guest ordered at a table: say so on whatever view the waiter is on. */
  function guestOrdered(msg) {
    if (msg.type !== "guest.ordered" || msg.topic !== "floor") return;
    const d = msg.data;
    toast(d.status === "waiting" ? t("Table {table}: a guest order waits for you", { table: d.table }) : t("Table {table}: a guest order went to the kitchen", { table: d.table }), "ok");
  }

  /** Print the receipt of the check on the venue's receipt printer. */
  function receiptButton(checkId) {
    return h("button.receipt", { onclick: () => write("POST", `/api/checks/${checkId}/receipt/print`, undefined, t("Print the receipt"), () => toast(t("Receipt printed"), "ok")) }, t("Print receipt"));
  }

  // ---- the menu, kept live by applying menu.* events (docs/live.md) -------------------
  /** Venue-local ISO weekday (1 = Monday) and minutes since midnight. */
  function venueNow() {
    const parts = new Intl.DateTimeFormat("en-GB", { timeZone: S.menu.timezone || "UTC", weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date());
    const get = (type) => parts.find((p) => p.type === type).value;
    const day = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(get("weekday")) + 1;
    return { day, minutes: Number(get("hour")) * 60 + Number(get("minute")) };
  }
  const minutesOf = (t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  /** The server's rule (pos_service/menu/schedules.py): past-midnight windows belong to their start day. */
  function isOpen(s, now) {
    const a = minutesOf(s.starts), b = minutesOf(s.ends);
    if (a < b) return s.weekdays.includes(now.day) && now.minutes >= a && now.minutes < b;
    if (now.minutes >= a) return s.weekdays.includes(now.day);
    return now.minutes < b && s.weekdays.includes(now.day === 1 ? 7 : now.day - 1);
  }
  function withinSchedules(ids, now) {
    if (!ids || !ids.length) return true;
    return (S.menu.schedules || []).filter((s) => ids.includes(s.id)).some((s) => isOpen(s, now));
  }
  function onMenuNow(item, category) {
    const now = venueNow();
    return withinSchedules(item.schedule_ids, now) && withinSchedules(category.schedule_ids, now);
  }
  function findItem(id) {
    for (const c of S.menu.categories) for (const i of c.items) if (i.id === id) return [i, c];
    return [null, null];
  }
  /** Why ``quantity`` of the item cannot be added now, or null: refused at "Add". */
  function whyNot(id, quantity) {
    const [item, category] = findItem(id);
    if (!item) return t("That item is no longer on the menu");
    if (!item.available) return t("{item} is 86'd", { item: item.name });
    if (item.remaining !== null && item.remaining < quantity) return t("{item}: only {n} left", { item: item.name, n: item.remaining });
    if (!onMenuNow(item, category)) return t("{item} is not on the menu now", { item: item.name });
    return null;
  }
  const byPosition = (a, b) => a.position - b.position || a.id - b.id;
  const MENU_EVENTS = {
    "menu.item_changed": (d) => { const [i] = findItem(d.item_id); if (i) Object.assign(i, { available: d.available, remaining: d.remaining }); },
    "menu.item_saved": (d) => {
      for (const c of S.menu.categories) c.items = c.items.filter((i) => i.id !== d.item.id);
      const c = S.menu.categories.find((x) => x.id === d.item.category_id);
      if (c) { c.items.push(d.item); c.items.sort(byPosition); }
    },
    "menu.item_removed": (d) => { for (const c of S.menu.categories) c.items = c.items.filter((i) => i.id !== d.item_id); },
    "menu.category_saved": (d) => {
      const old = S.menu.categories.find((c) => c.id === d.category.id);
      if (old) Object.assign(old, { ...d.category, items: old.items });
      else S.menu.categories.push({ ...d.category, items: [] });
      S.menu.categories.sort(byPosition);
    },
    "menu.category_removed": (d) => { S.menu.categories = S.menu.categories.filter((c) => c.id !== d.category_id); },
    "menu.group_saved": (d) => { for (const c of S.menu.categories) for (const i of c.items) i.modifier_groups = i.modifier_groups.map((g) => (g.id === d.group.id ? d.group : g)); },
    "menu.group_removed": (d) => { for (const c of S.menu.categories) for (const i of c.items) i.modifier_groups = i.modifier_groups.filter((g) => g.id !== d.group_id); },
    "menu.schedule_saved": (d) => { S.menu.schedules = [...(S.menu.schedules || []).filter((s) => s.id !== d.schedule.id), d.schedule]; },
    "menu.schedule_removed": (d) => {
      S.menu.schedules = (S.menu.schedules || []).filter((s) => s.id !== d.schedule_id);
      for (const c of S.menu.categories) for (const x of [c, ...c.items]) x.schedule_ids = (x.schedule_ids || []).filter((s) => s !== d.schedule_id);
    },
    "menu.courses_changed": (d) => { S.menu.courses = d.courses; S.menu.courses_version = d.version; },
    "menu.station_saved": (d) => { S.menu.stations = [...S.menu.stations.filter((s) => s.id !== d.station.id), d.station]; },
    "menu.station_removed": (d) => { S.menu.stations = S.menu.stations.filter((s) => s.id !== d.station_id); },
  };
  const MENU_RELOAD = new Set(["menu.imported", "menu.copied"]);

  async function reloadMenu() {
    try { S.menu = await get("/api/menu"); } catch (err) { return failed(err); }
    menuChanged();
  }
  function menuChanged() {
    localStorage.setItem("pos.cache./api/menu", JSON.stringify(S.menu));
    if (sheet.hidden && S.check && (S.view === "menu" || S.view === "check")) render();
  }
  /** Apply a live menu event; true if it was one. */
  function applyMenu(msg) {
    if (msg.type === "snapshot") { S.menu = msg.data; menuChanged(); return true; }
    if (!msg.type || !msg.type.startsWith("menu.")) return false;
    if (MENU_RELOAD.has(msg.type)) reloadMenu();
    else if (MENU_EVENTS[msg.type]) { MENU_EVENTS[msg.type](msg.data); menuChanged(); }
    document.body.dataset.menuSeq = msg.seq; // the last menu change applied
    return true;
  }

  // ---- the floor, kept by applying `floor` events -------------------------------------
  function findTable(id) {
    for (const a of S.floor.areas) for (const tb of a.tables) if (tb.id === id) return [tb, a];
    return [null, null];
  }
  /** Each returns false when it cannot apply the event to what the page holds. Every
      one carries the object's whole new state, so applying one twice changes nothing. */
  const FLOOR_EVENTS = {
    "table.status_changed": (d) => {
      const [tb] = findTable(d.table_id);
      if (!tb || !("open_check" in d)) return false;
      Object.assign(tb, { status: d.status, status_changed_at: d.status_changed_at, open_check: d.open_check });
    },
    "table.next_reservation_changed": (d) => {
      const [tb] = findTable(d.table_id);
      if (!tb) return false;
      tb.next_reservation = d.next_reservation;
    },
    "area.changed": (d) => {
      if (d.archived) { S.floor.areas = S.floor.areas.filter((a) => a.id !== d.area.id); return; }
      const old = S.floor.areas.find((a) => a.id === d.area.id);
      if (old) Object.assign(old, { ...d.area, tables: old.tables });
      else S.floor.areas.push({ ...d.area, tables: [] });
      S.floor.areas.sort(byPosition);
    },
    "table.changed": (d) => {
      const [old, area] = findTable(d.table.id);
      if (old && old.version > d.table.version) return; // older than what the page holds
      if (area) area.tables = area.tables.filter((tb) => tb.id !== d.table.id);
      if (d.archived) return;
      const to = S.floor.areas.find((a) => a.id === d.table.area_id);
      if (!to) return false;
      to.tables.push({ ...old, ...d.table });
      to.tables.sort((a, b) => a.id - b.id);
    },
  };
  let floorLoading = false;
  /** The floor again: an event it could not apply (a table it does not know). */
  async function reloadFloor() {
    if (floorLoading) return;
    floorLoading = true;
    try { S.floor = await get("/api/floor"); } catch (err) { failed(err); }
    floorLoading = false;
    redraw();
  }
  function applyFloor(msg) {
    if (msg.type === "snapshot") S.floor = msg.data;
    else if (FLOOR_EVENTS[msg.type] && FLOOR_EVENTS[msg.type](msg.data) === false) return reloadFloor();
    else if (!FLOOR_EVENTS[msg.type]) return guestOrdered(msg); // notices: handheld-notices.js
    if (S.view === "floor" || S.view === "check") redraw();
  }

  // ---- the open check, kept by applying its `check:<id>` events ------------------------
  const upsert = (c, line) => {
    const i = c.lines.findIndex((l) => l.id === line.id);
    if (i < 0) c.lines.push(line); else c.lines[i] = line;
    c.lines.sort((a, b) => a.id - b.id);
  };
  /** The changes of the check's version ``v`` to ``v + 1``; false: cannot apply. */
  const CHECK_EVENTS = {
    "check.opened": () => {},
    "line.added": (c, d) => upsert(c, d.line),
    "line.changed": (c, d) => upsert(c, d.line),
    "order.sent": (c, d) => { if (!d.lines || !d.lines.length) return false; d.lines.forEach((l) => upsert(c, l)); },
    "line.voided": (c, d) => { if (!d.line) return false; upsert(c, d.line); },
    "check.allergies_changed": (c, d) => { c.allergens = d.allergens; c.allergy_note = d.allergy_note; },
    "check.transferred": (c, d) => { c.table_id = d.to_table_id; },
    "check.merged": (c, d) => {
      if (d.covers === undefined || d.covers === null) return false;
      d.lines.forEach((l) => upsert(c, l));
      Object.assign(c, { covers: d.covers, allergens: d.allergens, allergy_note: d.allergy_note });
    },
    "guest.ordered": () => {},
    "bill.adjusted": () => {},
    "bill.split": () => {},
    "check.closed": (c, d, msg) => { c.status = "closed"; c.closed_at = msg.at; },
  };
  let checkLive = null, checkLoading = null;
  const heldBack = []; // events that came while the check was being read again

  /** Follow the check ``id`` (or none) on its own socket from ``since``: the replay
      brings whatever changed after the page's last seq, so nothing falls between the
      read of the check and the socket. */
  function follow(id, since, again = false) {
    if (checkLive && checkLive.id === id && !again) return;
    if (checkLive) checkLive.close();
    checkLive = null;
    if (id !== null && id !== undefined) checkLive = Object.assign(POS.live([`check:${id}`], { event: applyCheck }, { since }), { id });
  }
  /** Hold ``check`` (null: none) as the open check. */
  function hold(check, since = live.seq()) {
    if (!check || !S.check || S.check.id !== check.id) S.bill = null;
    S.check = check;
    follow(check ? check.id : null, since);
  }
  /** A write's answer: the check as it stands, unless events brought the page further.
      Another check (a merge's) is held instead only when ``other`` says so. */
  function took(check, since, other = false) {
    if (!check || !check.lines) return;
    if (!S.check || S.check.id !== check.id) return other ? hold(check, since) : undefined;
    if (check.version >= S.check.version) S.check = check;
  }
  /** The check (and the bill on the pay view) again: a version it cannot explain. */
  async function reloadCheck() {
    if (!S.check || checkLoading) return;
    const id = checkLoading = S.check.id;
    try {
      const check = await get(`/api/checks/${id}`);
      if (S.check && S.check.id === id) S.check = check;
      if (S.view === "pay" && S.check && S.check.id === id) S.bill = await api("GET", `/api/checks/${id}/bill`);
    } catch (err) { failed(err); }
    checkLoading = null;
    heldBack.splice(0).forEach(applyCheck);
    redraw();
  }
  let billLoading = false;
  /** The bill again: lines changed under the pay view (the events carry no bill). */
  async function reloadBill() {
    if (billLoading || !S.check) return;
    billLoading = true;
    try { S.bill = await api("GET", `/api/checks/${S.check.id}/bill`); } catch (err) { failed(err); }
    billLoading = false;
    redraw();
  }
  function applyCheck(msg) {
    const c = S.check, d = msg.data;
    if (!c || msg.topic !== `check:${c.id}`) return;
    if (checkLoading) return heldBack.push(msg);
    if (msg.type === "snapshot") { S.check = d; return redraw(); }
    if (msg.type === "check.merged" && d.merged_check_id === c.id) {
      toast(t("This check was merged into another table's"), "ok");
      return openCheck(d.check_id);
    }
    if (d.check_id !== c.id) return;
    if (d.bill) S.bill = d.bill;
    if (typeof d.version === "number" && d.version > c.version) {
      const apply = CHECK_EVENTS[msg.type];
      if (d.version !== c.version + 1 || !apply || apply(c, d, msg) === false) return reloadCheck();
      c.version = d.version;
      c.subtotal = c.lines.filter((l) => l.state !== "voided").reduce((sum, l) => sum + l.amount, 0);
      if (S.view === "pay" && !d.bill) reloadBill();
    }
    if (S.view !== "floor") redraw();
  }

  // ---- start -----------------------------------------------------------------------
  /** The page's own socket: the floor and the menu (every handheld of the venue follows
      these; a check's lines come only to the handhelds that hold it). */
  let live = { seq: () => null };
  let synced = false, readOnce = false, blind = false, reads = 0;
  const early = []; // events that came before the read they follow
  function applyEvent(msg) {
    if (!synced) return early.push(msg);
    if (msg.topic === "menu") applyMenu(msg);
    else if (msg.topic === "floor") applyFloor(msg);
  }
  /** Read the floor and the menu, then apply what came meanwhile (on start; once more
      when the start read the kept copies before the socket was following). */
  async function load() {
    const read = ++reads;
    synced = false;
    blind = blind || !readOnce;
    const menu = get("/api/menu"), floor = get("/api/floor");
    let got;
    try { got = [await menu, await floor]; } catch (err) { failed(err); return false; }
    if (read !== reads) return false; // a later read is on its way
    [S.menu, S.floor] = got;
    money.use(S.menu.currency);
    synced = true;
    early.splice(0).forEach(applyEvent);
    return true;
  }

  box.badge($("#outbox"));
  box.onchange(() => { if (S.check && sheet.hidden && (S.view === "check" || S.view === "menu")) render(); });
  POS.boot({
    roles: ["waiter"],
    async start() {
      let ready;
      const firstReady = new Promise((r) => { ready = r; });
      live = POS.live(["floor", "menu"], {
        ready: async () => {
          box.flush();
          if (readOnce) return; // a reconnect: the replay (or snapshots) brought the page up to date
          readOnce = true;
          ready();
          if (blind) { // the start read before the socket followed (offline): read once more
            blind = false;
            if (await load()) { if (S.check) { follow(S.check.id, live.seq(), true); reloadCheck(); } redraw(); }
          }
        },
        event: applyEvent,
      });
      await Promise.race([firstReady, new Promise((r) => setTimeout(r, 2000))]);
      if (!(await load())) return;
      (POS.handheldStarts || []).forEach((f) => f({ timezone: S.menu.timezone })); // handheld-shifts.js
      setInterval(() => { if (S.view === "menu" && sheet.hidden && S.check) render(); }, 60000);
      render();
      loadFavourites();
      await restorePlace();
    },
    resumed: () => box.flush(),
  });
})();

/* The waiter's handheld: floor, check, menu with modifiers, send, fire, void, split, pay.
   Every write goes through the outbox, so a dead spot in the garden loses nothing. */
"use strict";
(() => {
  const { h, $, mount, toast, money, taxLabel, api, ApiError, debounce } = POS;
  const main = $("#main");
  const box = POS.outbox("handheld");
  const S = { view: "floor", area: null, floor: null, menu: null, check: null, bill: null, category: null, search: "" };
  const STATUS = ["free", "seated", "ordered", "course_ready", "bill_requested", "paid", "to_clean"];

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
  const failed = (err) => toast(err instanceof ApiError ? err.message : "No connection", "error");
  const label = (s) => s.replace("_", " ");

  async function refresh() {
    try {
      S.floor = await get("/api/floor");
      if (S.check) S.check = await get(`/api/checks/${S.check.id}`);
      if (S.view === "pay" && S.check) S.bill = await api("GET", `/api/checks/${S.check.id}/bill`);
    } catch (err) {
      if (err instanceof ApiError) failed(err);
    }
    if (sheet.hidden) render();
  }

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
    return h("div.floor", { style: { aspectRatio: `${w} / ${hgt}` } }, area.tables.map((t) =>
      h(`button.table.s-${t.status}${t.shape === "round" ? ".round" : ""}`, {
        style: { left: `${((t.x - x0) / w) * 100}%`, top: `${((t.y - y0) / hgt) * 100}%` },
        "data-table": t.name, "data-status": t.status, title: `${t.name}: ${label(t.status)}`,
        onclick: () => onTap(t),
      }, t.name, h("small", t.open_check ? `${t.open_check.covers}p · ${t.open_check.waiter}` : label(t.status)))));
  }
  const legend = () => h("div.legend", STATUS.map((s) => h(`span.s-${s}`, label(s))));

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
      return openSheet(h("h2", `Table ${table.name} is being cleaned`), h("div.actions",
        h("button.primary", { onclick: () => cleanTable(table) }, "Clean"),
        h("button", { onclick: closeSheet }, "Cancel")));
    }
    const covers = [...Array(Math.min(12, table.capacity + 2)).keys()].map((i) => i + 1);
    openSheet(
      h("h2", `Table ${table.name} · how many guests?`),
      h("div.choices", covers.map((n) => h("button", { onclick: () => startCheck(table, n) }, n))),
      h("div.actions", h("button", { onclick: closeSheet }, "Cancel")));
  }

  async function cleanTable(table) {
    closeSheet();
    try {
      await box.push("POST", `/api/tables/${table.id}/clean`, undefined, `Table ${table.name} clean`);
    } catch (err) { failed(err); }
    refresh();
  }

  async function startCheck(table, covers) {
    closeSheet();
    const pending = box.push("POST", "/api/checks", { table_id: table.id, covers }, `Open table ${table.name}`);
    if (!navigator.onLine) toast(`Table ${table.name} opens when the connection is back`);
    try {
      S.check = await pending;
      if (S.view === "floor") show("menu");
    } catch (err) {
      if (err.problem && err.problem.check_id) return openCheck(err.problem.check_id);
      failed(err);
    }
  }

  async function openCheck(id) {
    try {
      S.check = await get(`/api/checks/${id}`);
      show("check");
    } catch (err) { failed(err); }
  }

  // ---- check ---------------------------------------------------------------------
  const tableName = (id) => {
    for (const a of S.floor.areas) for (const t of a.tables) if (t.id === id) return t.name;
    return "–";
  };
  const queuedLines = () => box.list().filter((e) => e.path === `/api/checks/${S.check.id}/lines`);

  function lineItem(line) {
    const bits = [line.modifiers.map((m) => m.name).join(", "), line.seat ? `seat ${line.seat}` : "", line.note || "",
      line.allergens && line.allergens.length ? `⚠ ${line.allergens.join(", ")}` : ""];
    return h(`li.${line.state}`, { "data-line": line.id, onclick: () => line.state !== "voided" && lineSheet(line) },
      h("span.q", `${line.quantity}×`),
      h("span.what", line.name, h("small", bits.filter(Boolean).join(" · "))),
      h("span.amount", money(line.amount)));
  }

  function checkView() {
    const c = S.check;
    const courses = [...S.menu.courses, ...new Set(c.lines.map((l) => l.course))].filter((x, i, a) => a.indexOf(x) === i);
    const pending = c.lines.filter((l) => l.state === "pending").length + queuedLines().length;
    return [
      h("div.head", h("button", { onclick: () => { S.check = null; show("floor"); } }, "← Floor"),
        h("h2", `Table ${tableName(c.table_id)} · ${c.covers} guests`), h("span.muted", `#${c.id}`)),
      h("div.pane",
        h("p.allergy-band", { hidden: !(c.allergens.length || c.allergy_note) },
          h("span", `Allergies: ${POS.allergens.band(c.allergens, c.allergy_note)}`)),
        c.notes ? h("p.muted", c.notes) : null,
        guestOrderBox(c), tableQrButton(c),
        courses.map((course) => {
          const lines = c.lines.filter((l) => l.course === course);
          return lines.length ? [h("h3.course-h", course), h("ul.lines", lines.map(lineItem))] : null;
        }),
        queuedLines().length ? [h("h3.course-h", "waiting for the connection"),
          h("ul.lines", queuedLines().map((e) => h("li.queued", h("span.q", `${e.body.quantity}×`), h("span.what", e.label))))] : null,
        c.lines.length + queuedLines().length === 0 ? h("p.muted.center", "No items yet") : null,
        h("p.row", h("span.grow", "Subtotal"), h("span.amount.total", money(c.subtotal)))),
      h("div.actions",
        h("button", { onclick: () => show("menu") }, "+ Items"),
        h("button.primary", { disabled: pending === 0, onclick: send }, `Send${pending ? ` (${pending})` : ""}`),
        h("button", { onclick: fireSheet }, "Fire…"),
        h("button", { onclick: allergySheet }, "Allergies…"),
        lastRound().length ? h("button", { onclick: repeatRound }, "Repeat round") : null,
        h("button", { onclick: moveSheet }, "Move…"),
        h("button", { onclick: openBill }, "Bill & pay")),
    ];
  }

  function write(method, path, data, what, done) {
    const answer = box.push(method, path, data, what).then((a) => { done && done(a); refresh(); }, failed);
    if (!navigator.onLine) toast(`${what}: will be sent when the connection is back`);
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
    writeOnce("POST", `/api/checks/${S.check.id}/send`, {}, "Send", () => toast("Sent to the kitchen", "ok"));
  }

  /** The table's allergies: the band on every kitchen station's tickets of this check. */
  function allergySheet() {
    const c = S.check;
    const value = { allergens: [...c.allergens], allergy_note: c.allergy_note };
    const save = () => {
      closeSheet();
      write("PUT", `/api/checks/${c.id}/allergies`, { allergens: value.allergens, allergy_note: value.allergy_note.trim() },
        "Allergies", () => toast("Allergies sent to the kitchen", "ok"));
    };
    openSheet(h("h2", `Table ${tableName(c.table_id)} · allergies`),
      POS.allergens.picker(value),
      h("div.actions", h("button", { onclick: closeSheet }, "Cancel"), h("button.primary", { onclick: save }, "Save")));
  }

  async function fireSheet() {
    let courses;
    try {
      courses = (await api("GET", `/api/checks/${S.check.id}/courses`)).courses;
    } catch (err) { return failed(err); }
    const held = courses.filter((c) => c.state === "held");
    openSheet(h("h2", "Fire a course"),
      held.length ? h("div.choices", held.map((c) => h("button.primary", {
        onclick: () => { closeSheet(); write("POST", `/api/checks/${S.check.id}/fire`, { course: c.course }, `Fire ${c.course}`, () => toast(`${c.course} fired`, "ok")); },
      }, `Fire ${c.course}`))) : h("p.muted", "No course is held."),
      h("p.muted", courses.filter((c) => c.state !== "held").map((c) => `${c.course}: ${c.state}`).join(" · ")),
      h("div.actions", h("button", { onclick: closeSheet }, "Close")));
  }

  function voidSheet(line) {
    const sent = line.state === "sent";
    const reason = h("input", { placeholder: "Reason", maxLength: 200, value: "guest changed mind" });
    const pin = sent ? h("input", { type: "password", inputMode: "numeric", placeholder: "Manager PIN", maxLength: 8 }) : null;
    const message = h("p.error");
    async function go() {
      let approval = null;
      if (sent) {
        try {
          approval = (await api("POST", "/api/auth/approve", { pin: pin.value, action: "void" })).approval;
        } catch (err) { message.textContent = err instanceof ApiError ? err.message : "No connection: approvals need the server"; return; }
      }
      closeSheet();
      write("POST", `/api/checks/${S.check.id}/lines/${line.id}/void`, { reason: reason.value || "void", approval }, `Void ${line.name}`, () => toast(`${line.name} voided`, "ok"));
    }
    openSheet(h("h2", `Void ${line.quantity}× ${line.name}?`),
      h("label", "Reason", reason),
      sent ? h("label", "Sent to the kitchen: a manager approves", pin) : null,
      message,
      h("div.actions", h("button", { onclick: closeSheet }, "Keep"), h("button.danger", { onclick: go }, "Void")));
  }

  // ---- menu and the modifier picker -------------------------------------------------
  function menuView() {
    const cats = S.menu.categories;
    const cat = cats.find((c) => c.id === S.category) || cats[0];
    const q = S.search.trim().toLowerCase();
    const listed = (c) => c.items.filter((i) => onMenuNow(i, c));
    const items = q ? cats.flatMap(listed).filter((i) => i.name.toLowerCase().includes(q)) : (cat ? listed(cat) : []);
    const search = h("input", { type: "search", placeholder: "Search the menu", "aria-label": "search the menu", value: S.search,
      oninput: debounce(() => { S.search = search.value; render(); $("input[type=search]").focus(); }, 200) });
    const queued = queuedLines().length + S.check.lines.filter((l) => l.state === "pending").length;
    return [
      h("div.head", h("button", { onclick: () => show("check") }, "← Check"), search),
      q ? null : quickGrid(),
      q ? null : h("div.tabs", cats.map((c) => h(`button${c === cat ? ".on" : ""}`, { onclick: () => { S.category = c.id; render(); keepPlace(); } }, c.name))),
      h("div.pane.items", items.map((i) => h(`button${i.available ? "" : ".out"}`, {
        disabled: !i.available || i.remaining === 0, onclick: () => itemSheet(i), "data-item": i.name,
      }, i.name, h("small", money(i.price), i.remaining !== null ? ` · ${i.remaining} left` : "")))),
      h("div.actions", h("button.primary", { onclick: () => show("check") }, `Done${queued ? ` · ${queued} to send` : ""}`)),
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
    const note = h("input", { placeholder: "Note for the kitchen", "aria-label": "note for the kitchen", maxLength: 200, value: line ? line.note || "" : "" });
    const own = { allergens: line ? [...line.allergens] : [] };
    const ownPicker = POS.allergens.picker(own, () => {}, { withNote: false, legend: "This guest's allergies" });
    const addButton = h("button.primary", { onclick: () => add(false) }, line ? "Save" : "Add");
    // "Send now": adds this item, then sends the order
    const sendButton = line ? null : h("button", { onclick: () => add(true), title: "Add this item and send the order" }, "Send now");
    const groupsBox = h("div");
    const unmet = (g) => pick.get(g.id).size < g.min_choices;

    function toggle(g, o) {
      const chosen = pick.get(g.id);
      if (chosen.has(o.id)) chosen.delete(o.id);
      else if (g.max_choices === 1) { chosen.clear(); chosen.add(o.id); }
      else if (chosen.size < g.max_choices) chosen.add(o.id);
      else toast(`${g.name}: at most ${g.max_choices}`);
      draw();
    }
    function rule(g) {
      if (g.min_choices === g.max_choices) return `choose ${g.min_choices}`;
      return g.min_choices ? `choose ${g.min_choices} to ${g.max_choices}` : `up to ${g.max_choices}`;
    }
    const choices = (values, current, set, name = (v) => v) => h("div.choices", values.map((v) =>
      h(`button${v === current ? ".on" : ""}`, { onclick: () => { set(v); draw(); } }, name(v))));

    function draw() {
      mount(groupsBox, item.modifier_groups.map((g) => h(`div.group${unmet(g) ? ".unmet" : ""}`,
        h("h3", `${g.name} · ${rule(g)}`),
        h("div.choices", g.options.map((o) => h(`button${pick.get(g.id).has(o.id) ? ".on" : ""}`, { onclick: () => toggle(g, o) },
          o.name, o.price_delta ? ` +${money(o.price_delta)}` : ""))))),
        h("h3", "Quantity"),
        h("div.stepper", h("button", { onclick: () => { choice.quantity = Math.max(1, choice.quantity - 1); draw(); } }, "−"),
          h("output", choice.quantity), h("button", { onclick: () => { choice.quantity = Math.min(99, choice.quantity + 1); draw(); } }, "+")),
        h("h3", "Seat"),
        choices([null, ...Array.from({ length: S.check.covers }, (_, i) => i + 1)], choice.seat, (v) => { choice.seat = v; }, (v) => v ?? "–"),
        h("h3", "Course"),
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
      write("POST", `/api/checks/${S.check.id}/lines`, body, [item.name, ...names].join(", "), (check) => { S.check = check; });
      if (andSend) { send(); return show("check"); }
      render();
    }

    draw();
    openSheet(h("h2", item.name, h("span.muted", ` ${money(item.price)}`)),
      item.allergens.length ? h("p.muted", `Allergens: ${item.allergens.join(", ")}`) : null,
      groupsBox, h("h3", "Note"), note, ownPicker,
      h("div.actions", h("button", { onclick: closeSheet }, "Cancel"), sendButton, addButton));
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

  const describe = (line) => [line.modifiers.map((m) => m.name).join(", "), line.seat ? `seat ${line.seat}` : "", line.course, line.note || ""]
    .filter(Boolean).join(" · ");
  const lineBody = (line) => ({ item_id: line.item_id, quantity: line.quantity, modifiers: line.modifiers.map((m) => m.option_id),
    seat: line.seat, course: line.course, note: line.note, allergens: line.allergens });

  /** What a tapped line offers: a pending one is edited in place; a sent one can be
      repeated, discounted, comped or voided (voids after send need a manager). */
  function lineSheet(line) {
    const c = S.check, pending = line.state === "pending";
    const patch = (body, what) => { closeSheet(); write("PATCH", `/api/checks/${c.id}/lines/${line.id}`, body, what, (check) => { S.check = check; }); };
    const seats = [null, ...Array.from({ length: c.covers }, (_, i) => i + 1)];
    openSheet(h("h2", `${line.quantity}× ${line.name}`),
      h("p.muted", describe(line)),
      pending ? [
        h("h3", "Seat"),
        h("div.choices", seats.map((n) => h(`button${n === line.seat ? ".on" : ""}`, { "data-seat": n ?? "-", onclick: () => patch({ seat: n }, `${line.name}: seat ${n ?? "–"}`) }, n ?? "–"))),
        h("h3", "Course"),
        h("div.choices", S.menu.courses.map((k) => h(`button${k === line.course ? ".on" : ""}`, { "data-course": k, onclick: () => patch({ course: k }, `${line.name}: ${k}`) }, k))),
      ] : h("p.muted", "Sent to the kitchen: repeat, discount, comp or void it."),
      h("div.choices.line-actions",
        pending ? h("button", { onclick: () => editLine(line) }, "Edit…") : null,
        h("button", { onclick: () => repeatLines([line]) }, "Repeat"),
        h("button", { onclick: () => discountSheet(line) }, "Discount…"),
        h("button", { onclick: () => compSheet(line) }, "Comp…"),
        h("button", { onclick: moveSheet }, "Move…"),
        h("button.danger", { onclick: () => voidSheet(line) }, "Void…")),
      h("div.actions", h("button", { onclick: closeSheet }, "Close")));
  }

  function editLine(line) {
    const [item] = findItem(line.item_id);
    if (!item) return toast("That item is no longer on the menu", "error");
    itemSheet(item, line);
  }

  function saveLine(item, line, pick, choice, note, allergens) {
    const modifiers = [...pick.values()].flatMap((x) => [...x]);
    closeSheet();
    write("PATCH", `/api/checks/${S.check.id}/lines/${line.id}`,
      { quantity: choice.quantity, modifiers, seat: choice.seat, course: choice.course, note: note.trim() || null, allergens },
      `Edit ${item.name}`, (check) => { S.check = check; toast(`${item.name} changed`, "ok"); });
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
      write("POST", `/api/checks/${S.check.id}/lines`, lineBody(line), `Again: ${line.name}`, (check) => { S.check = check; });
    }
    toast(lines.length > 1 ? `${lines.length} items again: send when ready` : `${lines[0].name} again: send when ready`, "ok");
    render();
  }

  /** Move the check to another table; a table with an open check takes this one in (merge). */
  function moveSheet() {
    const c = S.check;
    const area = S.floor.areas.find((a) => a.tables.some((t) => t.id === c.table_id)) || S.floor.areas[0];
    const tap = (t) => {
      if (t.id === c.table_id) return;
      closeSheet();
      if (t.open_check) {
        write("POST", `/api/checks/${t.open_check.id}/merge`, { check_id: c.id }, `Merge into table ${t.name}`,
          (check) => { S.check = check; keepPlace(); toast(`Merged into table ${t.name}`, "ok"); });
      } else {
        write("POST", `/api/checks/${c.id}/transfer`, { table_id: t.id }, `Move to table ${t.name}`,
          (check) => { S.check = check; toast(`Moved to table ${t.name}`, "ok"); });
      }
    };
    openSheet(h("h2", `Move table ${tableName(c.table_id)} to…`),
      h("p.muted", "A free table takes the check; a table with a check takes this one in."),
      h("div.move", floorPlan(area, tap)),
      h("div.actions", h("button", { onclick: closeSheet }, "Cancel")));
  }

  /** A sheet's manager PIN field: a one-use approval for ``action``, or null when empty. */
  function approvalField(action, shown) {
    const pin = h("input", { type: "password", inputMode: "numeric", placeholder: "Manager PIN", "aria-label": "manager PIN", maxLength: 8 });
    const field = h("label", { hidden: !shown }, "A manager approves", pin);
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
    const reason = h("input", { placeholder: "Reason", "aria-label": "reason", maxLength: 200, value: action === "comp" ? "guest complaint" : "guest goodwill" });
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
        refresh();
      } catch (err) {
        if (err instanceof ApiError && err.problem.field === "approval") approve.ask();
        message.textContent = err instanceof ApiError ? err.message : "No connection: discounts and comps need the server";
      }
    }
    openSheet(h("h2", title), fields, h("label", "Reason", reason), approve.field, message,
      h("div.actions", h("button", { onclick: closeSheet }, "Cancel"), h("button.primary", { onclick: go }, action === "comp" ? "Comp" : "Discount")));
  }

  function discountSheet(line) {
    const pick = { percent: 10 };
    const box = h("div.choices");
    const draw = () => mount(box, [10, 15, 20, 50].map((p) => h(`button${p === pick.percent ? ".on" : ""}`, { onclick: () => { pick.percent = p; draw(); } }, `${p} %`)));
    draw();
    adjustSheet(`Discount ${line.name}`, "discount", `/api/checks/${S.check.id}/discounts`,
      () => ({ kind: "percent", value: pick.percent * 100, line_id: line.id }), box,
      () => toast(`${line.name}: ${pick.percent} % off`, "ok"));
  }

  function compSheet(line) {
    adjustSheet(`Comp ${line.quantity}× ${line.name}`, "comp", `/api/checks/${S.check.id}/comps`,
      () => ({ line_id: line.id }), h("p.muted", `${money(line.amount)} comes off the bill.`),
      () => toast(`${line.name} comped`, "ok"));
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
    return h("div.pane.items.quick", { "aria-label": "most ordered" }, items.map((i) => h(`button${i.available ? "" : ".out"}`, {
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
    try { S.check = await get(`/api/checks/${place.check}`); } catch (err) { S.check = null; return keepPlace(); }
    if (S.check.status !== "open" && place.view !== "pay") { S.check = null; return show("floor"); }
    if (place.view === "pay") return openBill();
    show(place.view === "menu" ? "menu" : "check");
  }

  // ---- the guest's link as a QR code ---------------------------------------------------
  function guestQrSheet(url, svg) {
    const copy = async () => {
      try { await navigator.clipboard.writeText(url); toast("Link copied", "ok"); } catch (err) { toast("Copy is not allowed here: let the guest scan the code"); }
    };
    openSheet(h("h2", "Guest pays on their phone"),
      svg ? h("img.qr", { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, alt: "QR code of the guest's link" }) : null,
      h("p.muted.center", "Let the guest scan this code with their phone's camera."),
      h("p.link", h("a", { href: url, target: "_blank", rel: "noopener" }, url)),
      h("div.actions", h("button", { onclick: copy }, "Copy link"), h("button.primary", { onclick: closeSheet }, "Close")));
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
    if (!b) return h("p.muted.center", "Loading the bill…");
    if (b.status !== "open") {
      return [h("div.head", h("button", { onclick: () => { S.check = null; show("floor"); } }, "← Floor"), h("h2", "Paid")),
        h("div.pane", h("p.total.center", `Paid ${money(b.paid)}`), h("p.muted.center", "The table is ready to be cleaned."), receiptButton(id))];
    }
    const parts = b.parts.length ? [...b.parts, b.rest].filter((p) => p.amount > 0) : [b.rest];
    const split = (req, what) => write("POST", `/api/checks/${id}/split`, req, what, (bill) => { S.bill = bill; render(); });
    return [
      h("div.head", h("button", { onclick: () => show("check") }, "← Check"), h("h2", `Bill · table ${tableName(S.check.table_id)}`)),
      h("div.pane",
        h("ul.lines", b.lines.map((l) => h("li", h("span.q", `${l.quantity}×`), h("span.what", l.name, h("small", l.seat ? `seat ${l.seat}` : "")), h("span.amount", money(l.net))))),
        Object.values((b.promotions || []).reduce((by, p) => { (by[p.promotion_id] ||= [p.name, 0])[1] += p.amount; return by; }, {})).map(([name, off]) => h("p.row.muted.promotion", h("span.grow", `incl. ${name}`), h("span.amount", money(-off)))),
        b.service_charge ? h("p.row", h("span.grow", "Service charge"), h("span.amount", money(b.service_charge))) : null,
        b.taxes.map((t) => h("p.row.muted", h("span.grow", taxLabel(b, t)), h("span.amount", money(t.tax)))),
        h("p.row.total", h("span.grow", "Total"), h("span.amount", money(b.total))),
        b.paid ? h("p.row", h("span.grow", "Paid"), h("span.amount", money(b.paid))) : null,
        h("h2", "Split"),
        h("div.choices", [2, 3, 4].map((n) => h("button", { onclick: () => split({ mode: "even", n }, `Split in ${n}`) }, `÷ ${n}`)),
          h("button", { onclick: () => split({ mode: "seat" }, "Split by seat") }, "By seat")),
        h("h2", "Pay"),
        parts.map((p) => h("div.part", h("div.row", h("b.grow", p.id === null && !b.parts.length ? "Whole check" : p.label),
          h("span.amount", p.due ? `due ${money(p.due)}` : "paid"), p.pending ? h("span.badge", "card pending") : null),
        p.due ? h("div.row", h("button.grow", { onclick: () => cashSheet(p) }, "Cash"), h("button.grow.primary", { onclick: () => pay(p, "card") }, "Card")) : null)),
        h("h2", "At the table"),
        h("div.choices",
          h("button", { onclick: () => write("POST", `/api/checks/${id}/prebill`, undefined, "Print the bill", () => toast("Bill printed", "ok")) }, "Print bill"),
          h("button", { onclick: guestLink }, "Guest pays on phone"))),
    ];
  }

  /** Cash: what the guest hands over and any tip; the change is shown before and after. */
  function cashSheet(part) {
    const digits = new Intl.NumberFormat("en", { style: "currency", currency: S.menu.currency }).resolvedOptions().maximumFractionDigits;
    const minor = (input) => Math.round(Number((input.value || "0").replace(",", ".")) * 10 ** digits);
    const major = (amount) => (amount / 10 ** digits).toFixed(digits);
    const tendered = h("input", { name: "tendered", inputMode: "decimal", placeholder: major(part.due), oninput: () => preview() });
    const tip = h("input", { name: "tip", inputMode: "decimal", placeholder: major(0), oninput: () => preview() });
    const change = h("p.row.total", { "data-change": "" });
    const given = () => (tendered.value ? minor(tendered) : part.due + minor(tip));
    function preview() {
      const rest = given() - part.due - minor(tip);
      mount(change, h("span.grow", rest < 0 ? "Short" : "Change"), h("span.amount", money(Math.abs(rest))));
    }
    preview();
    openSheet(h("h2", `Cash · due ${money(part.due)}`),
      h("label", "Tendered", tendered), h("label", "Tip", tip), change,
      h("div.actions", h("button", { onclick: closeSheet }, "Cancel"), h("button.primary", {
        onclick: () => { closeSheet(); pay(part, "cash", { tendered: given(), tip: minor(tip) }); },
      }, "Take cash")));
  }

  function pay(part, method, extra = {}) {
    const body = { method, part_id: part.id, ...extra };
    writeOnce("POST", `/api/checks/${S.check.id}/payments`, body, `${method} ${money(part.due)}`, (result) => {
      S.bill = result.bill;
      if (result.payment.status === "pending") return poll(result.payment.id);
      toast(result.payment.change ? `Change: ${money(result.payment.change)}` : "Paid", "ok");
    });
  }

  async function poll(paymentId) {
    toast("Waiting for the card terminal…");
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 1500));
      try {
        const r = await api("POST", `/api/payments/${paymentId}/poll`);
        S.bill = r.bill;
        if (r.payment.status !== "pending") {
          toast(`Card ${r.payment.status}`, r.payment.status === "approved" ? "ok" : "error");
          return refresh();
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
      h("h3", "Ordered by the guest"),
      h("ul.lines", waiting.map((l) => h("li", h("span.q", `${l.quantity}×`),
        h("span.what", l.name, h("small", l.modifiers.map((m) => m.name).join(", ")))))),
      h("button.primary", { onclick: send }, "Confirm and send"));
  }

  /** The table tent's QR code on the handheld, for a guest to scan there and then. */
  function tableQrButton(c) {
    if (c.table_id === null) return null;
    return h("button.link.table-qr", { onclick: async () => {
      try {
        const link = await api("GET", `/api/tables/${c.table_id}/order-link`);
        openSheet(h("h2", `Order by QR · table ${link.table}`),
          h("img", { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(link.qr_svg)}`, alt: "QR code", width: 240, height: 240 }),
          h("p.muted", "Guests scan this to order from their phone (if the venue allows it)."),
          h("div.actions", h("button", { onclick: closeSheet }, "Close")));
      } catch (err) { failed(err); }
    } }, "Table QR");
  }

  /** A guest ordered at a table: say so on whatever view the waiter is on. */
  function guestOrdered(msg) {
    if (msg.type !== "guest.ordered" || msg.topic !== "orders") return;
    const d = msg.data;
    toast(d.status === "waiting" ? `Table ${d.table}: a guest order waits for you` : `Table ${d.table}: a guest order went to the kitchen`, "ok");
  }

  /** Print the receipt of the check on the venue's receipt printer. */
  function receiptButton(checkId) {
    return h("button.receipt", { onclick: () => write("POST", `/api/checks/${checkId}/receipt/print`, undefined, "Print the receipt", () => toast("Receipt printed", "ok")) }, "Print receipt");
  }

  // ---- the menu, kept live by applying menu.* events (docs/live.md) -------------------
  /** Venue-local ISO weekday (1 = Monday) and minutes since midnight. */
  function venueNow() {
    const parts = new Intl.DateTimeFormat("en-GB", { timeZone: S.menu.timezone || "UTC", weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date());
    const get = (t) => parts.find((p) => p.type === t).value;
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
    if (!item) return "That item is no longer on the menu";
    if (!item.available) return `${item.name} is 86'd`;
    if (item.remaining !== null && item.remaining < quantity) return `${item.name}: only ${item.remaining} left`;
    if (!onMenuNow(item, category)) return `${item.name} is not on the menu now`;
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
  /** Apply a live menu event; true if it was one (no refetch of the floor or check). */
  function applyMenu(msg) {
    if (!msg.type || !msg.type.startsWith("menu.")) return false;
    if (MENU_RELOAD.has(msg.type)) reloadMenu();
    else if (MENU_EVENTS[msg.type]) { MENU_EVENTS[msg.type](msg.data); menuChanged(); }
    document.body.dataset.menuSeq = msg.seq; // the last menu change applied
    return true;
  }

  // ---- start -----------------------------------------------------------------------
  box.badge($("#outbox"));
  box.onchange(() => { if (S.check && sheet.hidden && (S.view === "check" || S.view === "menu")) render(); });
  POS.boot({
    roles: ["waiter"],
    async start() {
      try {
        S.menu = await get("/api/menu");
      } catch (err) { return failed(err); }
      money.use(S.menu.currency);
      (POS.handheldStarts || []).forEach((f) => f({ timezone: S.menu.timezone })); // handheld-shifts.js
      const changed = debounce(refresh);
      let reconnected = false; // after a gap the log may not reach back far enough: re-read the menu
      POS.live(["floor", "orders", "payments"], {
        ready: () => { box.flush(); refresh(); if (reconnected) reloadMenu(); reconnected = true; },
        event: (msg) => { guestOrdered(msg); applyMenu(msg) || changed(msg); },
      });
      setInterval(() => { if (S.view === "menu" && sheet.hidden && S.check) render(); }, 60000);
      await refresh();
      loadFavourites();
      await restorePlace();
    },
    resumed: () => box.flush(),
  });
})();

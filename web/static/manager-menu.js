/* The menu editor: categories and items (price, tax, station, course, allergens,
   modifier groups, schedules), modifier groups and options, availability schedules,
   stations and courses, import and export. Every save names the version it read: a
   stale one (409) reloads the editor; a refusal (422) is shown beside the form. */
"use strict";
(() => {
  const { h, $, mount, toast, money, api, ApiError, debounce, uuid, t, tn } = POS;
  const view = $("#view");
  const S = { section: "items", menu: null, category: null, file: null };
  const ALLERGENS = ["gluten", "crustaceans", "eggs", "fish", "peanuts", "soybeans", "milk", "nuts",
    "celery", "mustard", "sesame", "sulphites", "lupin", "molluscs"];
  const DAYS = [t("Mon"), t("Tue"), t("Wed"), t("Thu"), t("Fri"), t("Sat"), t("Sun")];
  const failed = (err) => toast(err instanceof ApiError ? err.message : t("No connection"), "error");
  const sheet = $("#sheet");
  const closeSheet = () => { sheet.hidden = true; sheet.replaceChildren(); };
  const openSheet = (...children) => { mount(sheet, children); sheet.hidden = false; };

  // ---- numbers typed by a person ---------------------------------------------------
  const decimals = () => new Intl.NumberFormat("en", { style: "currency", currency: S.menu.currency }).resolvedOptions().maximumFractionDigits;
  /** "12.50" (or "12,50") in major units -> minor units, without floating point; null if not a price. */
  function toMinor(text, signed = false) {
    const d = decimals();
    const m = new RegExp(`^\\s*(${signed ? "[-+]?" : ""})(\\d+)(?:[.,](\\d{0,${d}}))?\\s*$`).exec(text);
    if (!m) return null;
    const value = Number(m[2]) * 10 ** d + Number((m[3] || "").padEnd(d, "0") || 0);
    return m[1] === "-" ? -value : value;
  }
  const fromMinor = (minor) => { const d = decimals(), neg = minor < 0, a = Math.abs(minor); return `${neg ? "-" : ""}${Math.floor(a / 10 ** d)}${d ? `.${String(a % 10 ** d).padStart(d, "0")}` : ""}`; };
  /** "8.875" percent -> 88750 parts per million; null if not a rate. */
  function toPpm(text) {
    const m = /^\s*(\d{1,3})(?:[.,](\d{0,4}))?\s*%?\s*$/.exec(text);
    return m ? Number(m[1]) * 10000 + Number((m[2] || "").padEnd(4, "0")) : null;
  }
  const ppmOf = (item) => item.tax_rate_ppm;
  const percent = (ppm) => `${ppm / 10000}`;

  // ---- talking to the API ----------------------------------------------------------
  async function load() {
    S.menu = await api("GET", "/api/menu?archived=true");
    money.use(S.menu.currency);
  }
  /** A write with its own Idempotency-Key; 409 reloads, 422 is shown in ``message``. */
  async function save(method, path, body, message, done) {
    try {
      const answer = await api(method, path, body, { key: uuid() });
      closeSheet();
      await load();
      show();
      if (done) done(answer);
      return answer;
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.problem.field === "version") {
        closeSheet();
        toast("Someone else changed this meanwhile; the editor shows their version now", "error");
        await load();
        show();
      } else if (err instanceof ApiError && message) {
        message.textContent = err.problem.field ? `${err.problem.field}: ${err.message}` : err.message;
      } else failed(err);
      return null;
    }
  }

  // ---- small form pieces -----------------------------------------------------------
  const field = (label, input) => h("label", label, input);
  const text = (value = "", attrs = {}) => h("input", { value, ...attrs });
  function select(options, value) {
    return h("select", options.map(([v, label]) => h("option", { value: v, selected: String(v) === String(value) }, label)));
  }
  function checks(name, options, chosen) {
    return h("div.checks", { "data-checks": name }, options.map(([v, label]) =>
      h("label", h("input", { type: "checkbox", value: v, checked: chosen.includes(v), name }), label)));
  }
  const checked = (box, number = true) => [...box.querySelectorAll("input:checked")].map((i) => (number ? Number(i.value) : i.value));
  const stationName = (id) => (S.menu.stations.find((s) => s.id === id) || {}).name || "–";
  const allGroups = () => S.menu.modifier_groups;

  // ---- categories and items ----------------------------------------------------------
  function categoryForm(cat) {
    const name = text(cat ? cat.name : "", { maxLength: 100, name: "category-name" });
    const course = select(S.menu.courses.map((c) => [c, c]), cat ? cat.default_course : "main");
    const station = select([["", t("– none –")], ...S.menu.stations.map((s) => [s.id, s.name])], cat ? cat.station_id ?? "" : "");
    const position = text(cat ? cat.position : S.menu.categories.length, { type: "number", min: 0 });
    const schedules = checks("category-schedules", S.menu.schedules.map((s) => [s.id, s.name]), cat ? cat.schedule_ids : []);
    const message = h("p.error");
    const body = () => ({ name: name.value, default_course: course.value, station_id: station.value ? Number(station.value) : null,
      position: Number(position.value || 0), schedule_ids: checked(schedules) });
    openSheet(h("h2", cat ? t("Category · {name}", { name: cat.name }) : t("New category")),
      h("div.form-grid", field(t("Name"), name), field(t("Default course"), course), field(t("Default station"), station), field(t("Position"), position)),
      h("h3", t("Only orderable during")), S.menu.schedules.length ? schedules : h("p.muted", t("No schedules yet: every item is orderable at all times.")),
      message,
      h("div.actions", h("button", { onclick: closeSheet }, t("Cancel")),
        cat ? h("button.danger", { onclick: () => save("DELETE", `/api/menu/categories/${cat.id}?version=${cat.version}`, undefined, message) }, t("Remove")) : null,
        h("button.primary", { "data-save": "category", onclick: () => (cat
          ? save("PATCH", `/api/menu/categories/${cat.id}`, { version: cat.version, ...body() }, message)
          : save("POST", "/api/menu/categories", body(), message, (c) => { S.category = c.id; show(); })) }, t("Save"))));
    name.focus();
  }

  function itemForm(item, category) {
    const v = (k, d) => (item ? item[k] : d);
    const name = text(v("name", ""), { maxLength: 100, name: "item-name" });
    const description = text(v("description", ""), { maxLength: 500, name: "item-description" });
    const price = text(item ? fromMinor(item.price) : "", { inputMode: "decimal", placeholder: "12.50", name: "item-price" });
    const tax = text(item ? percent(ppmOf(item)) : "", { inputMode: "decimal", placeholder: t("7 or 8.875"), name: "item-tax" });
    const cat = select(S.menu.categories.filter((c) => !c.archived).map((c) => [c.id, c.name]), item ? item.category_id : category.id);
    const station = select([["", t("– the category's –")], ...S.menu.stations.map((s) => [s.id, s.name])], "");
    const course = select([["", t("– the category's –")], ...S.menu.courses.map((c) => [c, c])], "");
    const prep = text(v("prep_minutes", 0), { type: "number", min: 0, max: 600, name: "item-prep" });
    const position = text(v("position", category ? category.items.length : 0), { type: "number", min: 0 });
    const allergens = checks("allergens", ALLERGENS.map((a) => [a, POS.allergens.name(a)]), v("allergens", []));
    const groups = checks("groups", allGroups().map((g) => [g.id, `${g.name} (${g.min_choices}–${g.max_choices})`]), v("modifier_groups", []).map((g) => g.id));
    const schedules = checks("item-schedules", S.menu.schedules.map((s) => [s.id, s.name]), v("schedule_ids", []));
    const message = h("p.error");
    if (item) { station.value = item.station_id ?? ""; course.value = item.default_course ?? ""; }
    function body() {
      const minor = toMinor(price.value), ppm = toPpm(tax.value);
      if (minor === null) { message.textContent = t("price: enter an amount such as 12.50"); return null; }
      if (ppm === null) { message.textContent = t("tax: enter a percentage such as 7 or 8.875"); return null; }
      return { name: name.value, description: description.value, price: minor, tax_rate_ppm: ppm, category_id: Number(cat.value),
        station_id: station.value ? Number(station.value) : null, default_course: course.value || null,
        prep_minutes: Number(prep.value || 0), position: Number(position.value || 0),
        allergens: checked(allergens, false), modifier_group_ids: checked(groups), schedule_ids: checked(schedules) };
    }
    const go = () => {
      const b = body();
      if (!b) return;
      if (item) save("PATCH", `/api/menu/items/${item.id}`, { version: item.version, ...b }, message);
      else save("POST", "/api/menu/items", b, message);
    };
    openSheet(h("h2", item ? t("Item · {name}", { name: item.name }) : t("New item in {category}", { category: category.name })),
      h("div.form-grid", field(t("Name"), name), field(t("Price ({currency})", { currency: S.menu.currency }), price), field(t("Tax rate %"), tax), field(t("Category"), cat),
        field(t("Station"), station), field(t("Course"), course), field(t("Prep minutes"), prep), field(t("Position"), position)),
      field(t("Description (optional)"), description),
      h("h3", t("Allergens (EU list)")), allergens,
      h("h3", t("Modifier groups")), allGroups().length ? groups : h("p.muted", t("No modifier groups yet (see Modifier groups).")),
      h("h3", t("Only orderable during")), S.menu.schedules.length ? schedules : h("p.muted", t("No schedules yet.")),
      message,
      h("div.actions", h("button", { onclick: closeSheet }, t("Cancel")),
        item ? h("button.danger", { onclick: () => save("DELETE", `/api/menu/items/${item.id}?version=${item.version}`, undefined, message,
          (r) => toast(r.outcome === "archived" ? t("{name} archived: checks and sales still name it", { name: item.name }) : t("{name} deleted", { name: item.name }), "ok")) }, t("Remove")) : null,
        h("button.primary", { "data-save": "item", onclick: go }, t("Save"))));
    name.focus();
  }

  function items() {
    const cats = S.menu.categories;
    const cat = cats.find((c) => c.id === S.category) || cats.find((c) => !c.archived) || null;
    const schedule = (ids) => ids.map((id) => (S.menu.schedules.find((s) => s.id === id) || {}).name).filter(Boolean);
    return [
      h("div.tabs", cats.filter((c) => !c.archived).map((c) => h(`button${c === cat ? ".on" : ""}`, { onclick: () => { S.category = c.id; show(); } }, c.name)),
        h("button", { "data-new": "category", onclick: () => categoryForm(null) }, t("+ Category"))),
      cat ? [
        h("div.row", h("h2.grow", cat.name, h("span.muted", ` · ${cat.default_course} · ${stationName(cat.station_id)}`),
          schedule(cat.schedule_ids).map((n) => h("span.tag", n))),
        h("button", { onclick: () => categoryForm(cat) }, t("Edit category")),
        h("button.primary", { "data-new": "item", onclick: () => itemForm(null, cat) }, t("+ Item"))),
        h("table.grid", h("tr", [t("Item"), t("Price"), t("Tax"), t("Station"), t("Course"), t("Allergens"), t("Modifiers"), t("Schedules"), ""].map((x) => h("th", x))),
          cat.items.map((i) => h(`tr${i.archived ? ".archived" : ""}`, { "data-item": i.name },
            h("td", i.name, i.description ? h("small.muted", ` ${i.description}`) : null),
            h("td.amount", money(i.price)), h("td", `${percent(ppmOf(i))} %`), h("td", stationName(i.station_id)), h("td", i.default_course),
            h("td", i.allergens.map((a) => h("span.tag", { "data-allergen": a }, POS.allergens.name(a)))), h("td", i.modifier_groups.map((g) => h("span.tag", g.name))),
            h("td", schedule(i.schedule_ids).map((n) => h("span.tag", n))),
            h("td", i.archived
              ? h("button", { onclick: () => save("PATCH", `/api/menu/items/${i.id}`, { version: i.version, archived: false }) }, t("Restore"))
              : h("button", { onclick: () => itemForm(i, cat) }, t("Edit")))))),
        cat.items.length ? null : h("p.muted", t("No items yet.")),
      ] : h("p.muted", t("No categories yet: start with one, e.g. Starters.")),
    ];
  }

  // ---- modifier groups -------------------------------------------------------------
  function groupForm(group) {
    const name = text(group ? group.name : "", { maxLength: 100, name: "group-name" });
    const min = text(group ? group.min_choices : 0, { type: "number", min: 0, max: 50, name: "group-min" });
    const max = text(group ? group.max_choices : 1, { type: "number", min: 1, max: 50, name: "group-max" });
    const options = h("textarea", { rows: 5, name: "group-options", placeholder: t("one option a line, with its price difference:\nrare\nwell done\ntruffle fries +2.50") });
    const message = h("p.error");
    function parsed() {
      const out = [];
      for (const line of options.value.split("\n").map((l) => l.trim()).filter(Boolean)) {
        const m = /^(.*?)(?:\s+([-+]\s*[\d.,]+))?$/.exec(line);
        const delta = m[2] ? toMinor(m[2].replace(/\s/g, ""), true) : 0;
        if (delta === null) { message.textContent = t("options: cannot read the price of \"{line}\"", { line }); return null; }
        out.push({ name: m[1], price_delta: delta });
      }
      return out;
    }
    const go = () => {
      const opts = parsed();
      if (opts === null) return;
      const body = { name: name.value, min_choices: Number(min.value), max_choices: Number(max.value) };
      if (group) save("PATCH", `/api/menu/modifier-groups/${group.id}`, { version: group.version, ...body }, message);
      else save("POST", "/api/menu/modifier-groups", { ...body, options: opts }, message);
    };
    const optionRows = group ? h("table.grid", group.options.map((o) => {
      const delta = text(fromMinor(o.price_delta), { inputMode: "decimal", "aria-label": `${o.name} price difference` });
      return h("tr", h("td", o.name), h("td", delta),
        h("td", h("button", { onclick: () => { const d = toMinor(delta.value, true); if (d === null) return toast("Enter a price difference such as 2.50", "error");
          save("PATCH", `/api/menu/options/${o.id}`, { version: o.version, price_delta: d }, message); } }, t("Save")),
        h("button.danger", { onclick: () => save("DELETE", `/api/menu/options/${o.id}?version=${o.version}`, undefined, message) }, t("Delete"))));
    })) : null;
    const add = group ? h("div.row", options, h("button", { onclick: async () => {
      const opts = parsed();
      if (!opts) return;
      for (const o of opts) await save("POST", `/api/menu/modifier-groups/${group.id}/options`, o, message);
    } }, t("Add options"))) : options;
    openSheet(h("h2", group ? t("Modifier group · {name}", { name: group.name }) : t("New modifier group")),
      h("div.form-grid", field(t("Name"), name), field(t("At least (0: optional)"), min), field(t("At most"), max)),
      optionRows, h("h3", group ? t("Add options") : t("Options")), add, message,
      h("div.actions", h("button", { onclick: closeSheet }, t("Cancel")),
        group ? h("button.danger", { onclick: () => save("DELETE", `/api/menu/modifier-groups/${group.id}?version=${group.version}`, undefined, message) }, t("Delete group")) : null,
        h("button.primary", { "data-save": "group", onclick: go }, t("Save"))));
    name.focus();
  }

  function groups() {
    const list = allGroups();
    return [h("div.row", h("p.muted.grow", t("Choices on items, e.g. Cooking (exactly 1) or Extras (up to 3). Link them to items in the item form.")),
      h("button.primary", { "data-new": "group", onclick: () => groupForm(null) }, t("+ Modifier group"))),
    h("table.grid", h("tr", [t("Group"), t("Choices"), t("Options"), ""].map((x) => h("th", x))),
      list.map((g) => h("tr", h("td", g.name), h("td", `${g.min_choices}–${g.max_choices}`),
        h("td", g.options.map((o) => h("span.tag", o.price_delta ? `${o.name} ${o.price_delta > 0 ? "+" : ""}${money(o.price_delta)}` : o.name))),
        h("td", h("button", { onclick: () => groupForm(g) }, t("Edit"))))))];
  }

  // ---- schedules -------------------------------------------------------------------
  function scheduleForm(s) {
    const name = text(s ? s.name : "", { maxLength: 100, name: "schedule-name", placeholder: t("Lunch") });
    const days = checks("weekdays", DAYS.map((d, i) => [i + 1, d]), s ? s.weekdays : [1, 2, 3, 4, 5]);
    const starts = text(s ? s.starts.slice(0, 5) : "11:30", { type: "time", name: "schedule-starts" });
    const ends = text(s ? s.ends.slice(0, 5) : "15:00", { type: "time", name: "schedule-ends" });
    const message = h("p.error");
    const seconds = (t) => (t.length === 5 ? `${t}:00` : t);
    const body = () => ({ name: name.value, weekdays: checked(days), starts: seconds(starts.value), ends: seconds(ends.value) });
    openSheet(h("h2", s ? t("Schedule · {name}", { name: s.name }) : t("New schedule")),
      field(t("Name"), name), h("h3", t("Days")), days, h("div.form-grid", field(t("From (venue time)"), starts), field(t("Until"), ends)),
      h("p.muted", t("An end before the start runs past midnight.")), message,
      h("div.actions", h("button", { onclick: closeSheet }, t("Cancel")),
        s ? h("button.danger", { onclick: () => save("DELETE", `/api/menu/schedules/${s.id}?version=${s.version}`, undefined, message) }, t("Delete")) : null,
        h("button.primary", { "data-save": "schedule", onclick: () => (s
          ? save("PATCH", `/api/menu/schedules/${s.id}`, { version: s.version, ...body() }, message)
          : save("POST", "/api/menu/schedules", body(), message)) }, t("Save"))));
    name.focus();
  }

  function schedules() {
    return [h("div.row", h("p.muted.grow", t("Lunch menus, brunch, a weekday special: items and categories linked to a schedule are orderable only then ({timezone} time).", { timezone: S.menu.timezone })),
      h("button.primary", { "data-new": "schedule", onclick: () => scheduleForm(null) }, t("+ Schedule"))),
    h("table.grid", h("tr", [t("Schedule"), t("Days"), t("From"), t("Until"), ""].map((x) => h("th", x))),
      S.menu.schedules.map((s) => h("tr", h("td", s.name), h("td", s.weekdays.map((d) => DAYS[d - 1]).join(" ")),
        h("td", s.starts.slice(0, 5)), h("td", s.ends.slice(0, 5)), h("td", h("button", { onclick: () => scheduleForm(s) }, t("Edit"))))))];
  }

  // ---- stations and courses ------------------------------------------------------------
  function stations() {
    const message = h("p.error");
    const name = text("", { placeholder: t("grill"), maxLength: 64, name: "station-name" });
    const KINDS = { kitchen: t("kitchen"), bar: t("bar") };
    const kind = select(Object.entries(KINDS), "kitchen");
    const courses = text(S.menu.courses.join(", "), { name: "courses", style: { width: "100%" } });
    return [h("h2", t("Stations")),
      h("table.grid", h("tr", [t("Station"), t("Kind"), t("Warn after (min)"), t("Late after (min)"), ""].map((x) => h("th", x))),
        S.menu.stations.map((s) => {
          const warn = text(s.warn_minutes, { type: "number", min: 1 }), late = text(s.late_minutes, { type: "number", min: 1 });
          return h("tr", h("td", s.name), h("td", KINDS[s.kind] || s.kind), h("td", warn), h("td", late),
            h("td", h("button", { onclick: () => save("PATCH", `/api/menu/stations/${s.id}`, { version: s.version, warn_minutes: Number(warn.value), late_minutes: Number(late.value) }, message) }, t("Save")),
              h("button.danger", { onclick: () => save("DELETE", `/api/menu/stations/${s.id}?version=${s.version}`, undefined, message) }, t("Delete"))));
        })),
      h("div.row", name, kind, h("button.primary", { onclick: () => save("POST", "/api/menu/stations", { name: name.value, kind: kind.value }, message) }, t("+ Station"))),
      h("h2", t("Courses, in firing order")), courses,
      h("div.row", h("span.grow.muted", t("Comma-separated. A course items or open checks use cannot be taken away.")),
        h("button.primary", { onclick: () => save("PUT", "/api/menu/courses", { version: S.menu.courses_version, courses: courses.value.split(",").map((c) => c.trim()).filter(Boolean) }, message) }, t("Save courses"))),
      message];
  }

  // ---- import and export -----------------------------------------------------------
  async function download(format) {
    try {
      const r = await fetch(`/api/menu/export?format=${format}`, { headers: { Authorization: `Bearer ${POS.session.token}` } });
      if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => null));
      const a = h("a", { href: URL.createObjectURL(await r.blob()), download: `menu.${format}` });
      document.body.append(a); a.click(); a.remove();
    } catch (err) { failed(err); }
  }

  function transfer() {
    const file = h("input", { type: "file", accept: ".csv,.json,text/csv,application/json", name: "menu-file" });
    const out = h("div");
    async function run(dryRun) {
      const f = file.files[0];
      if (!f) return toast("Choose a CSV or JSON file first", "error");
      const format = f.name.toLowerCase().endsWith(".csv") ? "csv" : "json";
      const r = await fetch(`/api/menu/import?format=${format}&dry_run=${dryRun}`, { method: "POST",
        headers: { Authorization: `Bearer ${POS.session.token}`, "Content-Type": format === "csv" ? "text/csv" : "application/json", "Idempotency-Key": uuid() },
        body: await f.text() });
      const body = await r.json().catch(() => null);
      if (!r.ok && !(body && body.rejected)) return toast((body && body.detail) || `HTTP ${r.status}`, "error");
      const rejected = body.rejected || [];
      mount(out, h("h2", r.ok ? (dryRun ? t("Dry run: nothing was changed") : t("Imported")) : t("Refused: nothing was imported")),
        r.ok ? h("p", t("{created} new, {changed} changed, {unchanged} unchanged; new categories: {categories}", { created: body.created.length, changed: body.changed.length, unchanged: body.unchanged, categories: body.categories_created.join(", ") || t("none") })) : null,
        rejected.length ? [h("h3.error", tn("{n} rejected row", "{n} rejected rows", rejected.length)), h("table.grid", h("tr", [t("Row"), t("Item"), t("Field"), t("Reason")].map((x) => h("th", x))),
          rejected.map((x) => h("tr", { "data-rejected": x.row }, h("td", x.row), h("td", x.name), h("td", x.field), h("td", x.reason))))] : null,
        r.ok && body.changed.length ? h("table.grid", h("tr", h("th", t("Changed item")), h("th", t("Fields"))), body.changed.map((c) => h("tr", h("td", c.name), h("td", c.fields.join(", "))))) : null);
      if (r.ok && !dryRun) await load();
    }
    return [h("h2", t("Export")), h("p.muted", t("JSON holds stations, modifier groups, schedules, categories and items; CSV holds the items (prices in minor units, lists separated by |). Import takes either back.")),
      h("div.row", h("button", { onclick: () => download("json") }, t("Export JSON")), h("button", { onclick: () => download("csv") }, t("Export CSV"))),
      h("h2", t("Import")), h("p.muted", t("Items, categories, groups and schedules are matched by name; what the file leaves out stays as it is. Any rejected row refuses the whole file.")),
      h("div.row", file, h("button", { "data-import": "dry", onclick: () => run(true) }, t("Dry run")), h("button.primary", { "data-import": "go", onclick: () => run(false) }, t("Import"))), out];
  }

  // ---- navigation ------------------------------------------------------------------
  const SECTIONS = { items: [t("Categories & items"), items], groups: [t("Modifier groups"), groups], schedules: [t("Schedules"), schedules],
    stations: [t("Stations & courses"), stations], transfer: [t("Import & export"), transfer] };

  async function show(section = S.section) {
    S.section = section;
    mount($("#nav"), Object.entries(SECTIONS).map(([k, [label]]) => h(`button${k === S.section ? ".on" : ""}`, { "data-section": k, onclick: () => show(k) }, label)));
    try {
      mount(view, await SECTIONS[section][1]());
    } catch (err) { failed(err); }
  }

  POS.boot({
    roles: ["manager"],
    async start() {
      try { await load(); } catch (err) { return failed(err); }
      const changed = debounce(async () => { if (sheet.hidden && S.section !== "transfer") { await load(); show(); } }, 300);
      POS.live(["menu"], { event: (msg) => { if (msg.type && msg.type.startsWith("menu.")) changed(); } });
      show();
    },
  });
})();

/* The manager page's Promotions section: create a promotion (percent or amount off,
   buy N get M, a combo price) with its schedule, see the running ones and end them; set
   day-part prices (an item's price while a window is open). docs/promotions.md */
"use strict";
(() => {
  const { h, mount, toast, money, api, ApiError, t } = POS;
  const { date, dateTime, decimal, number, weekday } = POS.intl;
  const failed = (err) => toast(err instanceof ApiError ? `${err.message}${err.problem && err.problem.field ? ` (${err.problem.field})` : ""}` : t("No connection"), "error");
  const KINDS = { percent_off: t("Percent off"), amount_off: t("Amount off each"), buy_n_get_m: t("Buy N get M"), combo_price: t("Combo price") };
  const DAYS = [1, 2, 3, 4, 5, 6, 7].map(weekday);
  const S = { ended: false };

  const decimals = (cur) => new Intl.NumberFormat("en", { style: "currency", currency: cur }).resolvedOptions().maximumFractionDigits;
  /** "12.50" (or "12,50") in major units -> minor units, without floating point; null if not an amount. */
  function toMinor(text, cur) {
    const d = decimals(cur);
    const m = new RegExp(`^\\s*(\\d+)(?:[.,](\\d{0,${d}}))?\\s*$`).exec(text);
    return m ? Number(m[1]) * 10 ** d + Number((m[2] || "").padEnd(d, "0") || 0) : null;
  }
  /** "12.5" percent -> 1250 basis points; null if not a percentage. */
  function toBp(text) {
    const m = /^\s*(\d{1,3})(?:[.,](\d{0,2}))?\s*%?\s*$/.exec(text);
    return m ? Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0")) : null;
  }
  const hhmm = (t) => t.slice(0, 5);
  const windowText = (w) => [w.weekdays.length === 7 ? t("daily") : w.weekdays.map((d) => DAYS[d - 1]).join(" "), `${hhmm(w.starts)}–${hhmm(w.ends)}`].join(" ");

  function names(menu) {
    const items = {}, categories = {};
    for (const c of menu.categories) { categories[c.id] = c.name; for (const i of c.items) items[i.id] = i.name; }
    return { items, categories };
  }

  function terms(p, cur, n) {
    const on = [...p.category_ids.map((id) => n.categories[id] || `#${id}`), ...p.item_ids.map((id) => n.items[id] || `#${id}`)].join(", ");
    if (p.kind === "percent_off") return t("{percent} % off {on}", { percent: number(p.percent_bp / 100, p.percent_bp % 100 ? 2 : 0), on });
    if (p.kind === "amount_off") return t("{amount} off each {on}", { amount: money(p.amount, cur), on });
    if (p.kind === "buy_n_get_m") return t("buy {buy} get {get} free: {on}", { buy: p.buy, get: p.get, on });
    const or = t("or");
    const parts = p.components.map((c) => [...c.category_ids.map((id) => n.categories[id]), ...c.item_ids.map((id) => n.items[id])].join(` ${or} `));
    return t("{parts} for {price}", { parts: parts.join(" + "), price: money(p.price, cur) });
  }

  function when(p) {
    const windows = p.windows.length ? p.windows.map(windowText).join(", ") : t("all day");
    const span = t("{first} to {last}", { first: date(p.starts_on) || "…", last: date(p.ends_on) || "…" });
    const dates = p.starts_on || p.ends_on ? ` · ${span}` : "";
    return windows + dates;
  }

  /** The weekday boxes and times of one window; null if left empty (all day). */
  function windowFields(prefix) {
    const boxes = DAYS.map((d, i) => h("input", { type: "checkbox", name: `${prefix}-day`, value: String(i + 1), checked: true, "aria-label": d }));
    const starts = h("input", { type: "time", name: `${prefix}-starts`, "aria-label": t("from") });
    const ends = h("input", { type: "time", name: `${prefix}-ends`, "aria-label": t("until") });
    const el = h("div", h("div.checks", DAYS.map((d, i) => h("label", boxes[i], d))), h("div.row", h("label", t("From"), " ", starts), h("label", t("until"), " ", ends)));
    const read = () => {
      if (!starts.value && !ends.value) return null;
      return { weekdays: boxes.filter((b) => b.checked).map((b) => Number(b.value)), starts: `${starts.value}:00`, ends: `${ends.value}:00` };
    };
    return { el, read };
  }

  function targetSelect(menu, name, label) {
    return h("select", { name, multiple: true, size: 6, "aria-label": label },
      menu.categories.map((c) => h("optgroup", { label: c.name },
        h("option", { value: `c:${c.id}` }, t("All {category}", { category: c.name })),
        c.items.map((i) => h("option", { value: `i:${i.id}` }, i.name)))));
  }
  function chosen(select) {
    const picked = [...select.selectedOptions].map((o) => o.value);
    return {
      item_ids: picked.filter((v) => v.startsWith("i:")).map((v) => Number(v.slice(2))),
      category_ids: picked.filter((v) => v.startsWith("c:")).map((v) => Number(v.slice(2))),
    };
  }

  function promotionForm(menu, cur, done) {
    const name = h("input", { name: "promo-name", required: true, maxLength: 100, placeholder: t("e.g. Happy hour") });
    const kind = h("select", { name: "promo-kind" }, Object.entries(KINDS).map(([k, label]) => h("option", { value: k }, label)));
    const percent = h("input", { name: "promo-percent", inputMode: "decimal", placeholder: "50" });
    const amount = h("input", { name: "promo-amount", inputMode: "decimal", placeholder: decimal(1) });
    const buy = h("input", { name: "promo-buy", type: "number", min: 1, max: 100, value: 1 });
    const get = h("input", { name: "promo-get", type: "number", min: 1, max: 100, value: 1 });
    const price = h("input", { name: "promo-price", inputMode: "decimal", placeholder: decimal(20) });
    const targets = targetSelect(menu, "promo-targets", t("on these items and categories"));
    const parts = [1, 2, 3].map((n) => targetSelect(menu, `promo-part-${n}`, t("combo component {n}", { n })));
    const win = windowFields("promo");
    const startsOn = h("input", { type: "date", name: "promo-starts-on", "aria-label": t("first day") });
    const endsOn = h("input", { type: "date", name: "promo-ends-on", "aria-label": t("last day") });
    const message = h("p.muted", { "aria-live": "polite" });
    const field = (label, input) => h("label", { "data-for": input.name }, label, " ", input);
    // made anew on each change of kind: an input lives in one label at a time
    const fields = {
      percent_off: () => [field(t("Percent off"), percent), field(t("On"), targets)],
      amount_off: () => [field(t("Off each ({currency})", { currency: cur }), amount), field(t("On"), targets)],
      buy_n_get_m: () => [field(t("Buy"), buy), field(t("get free"), get), field(t("On"), targets)],
      combo_price: () => [field(t("Combo price ({currency})", { currency: cur }), price), field(t("Component {n}", { n: 1 }), parts[0]), field(t("Component {n}", { n: 2 }), parts[1]), field(t("Component 3 (optional)"), parts[2])],
    };
    const terms_ = h("div.row");
    const showKind = () => mount(terms_, fields[kind.value]());
    kind.addEventListener("change", showKind);
    showKind();

    function body() {
      const b = { name: name.value.trim(), kind: kind.value, ...chosen(targets) };
      if (kind.value === "percent_off") {
        b.percent_bp = toBp(percent.value);
        if (b.percent_bp === null) { message.textContent = t("percent: enter a percentage such as 50"); return null; }
      } else if (kind.value === "amount_off") {
        b.amount = toMinor(amount.value, cur);
        if (b.amount === null) { message.textContent = t("amount: enter an amount such as {amount}", { amount: decimal(1) }); return null; }
      } else if (kind.value === "buy_n_get_m") {
        b.buy = Number(buy.value); b.get = Number(get.value);
      } else {
        b.price = toMinor(price.value, cur);
        if (b.price === null) { message.textContent = t("price: enter an amount such as {amount}", { amount: decimal(20) }); return null; }
        b.item_ids = []; b.category_ids = [];
        b.components = parts.map(chosen).filter((c) => c.item_ids.length || c.category_ids.length);
      }
      const w = win.read();
      b.windows = w ? [w] : [];
      if (startsOn.value) b.starts_on = startsOn.value;
      if (endsOn.value) b.ends_on = endsOn.value;
      return b;
    }
    async function submit(ev) {
      ev.preventDefault();
      message.textContent = "";
      const b = body();
      if (!b) return;
      try {
        const made = await api("POST", "/api/promotions", b);
        toast(t("{name} is running", { name: made.name }), "ok");
        done();
      } catch (err) { failed(err); }
    }
    return h("form.panel", { "data-form": "promotion", onsubmit: submit },
      h("h3", t("New promotion")),
      h("div.row", field(t("Name"), name), field(t("Kind"), kind)), terms_,
      h("h4", t("When (empty times: all day)")), win.el,
      h("div.row", field(t("From day"), startsOn), field(t("to day"), endsOn)),
      message, h("button.primary", { type: "submit" }, t("Create promotion")));
  }

  function priceForm(menu, cur, done) {
    const item = h("select", { name: "price-item", "aria-label": t("item") },
      menu.categories.map((c) => h("optgroup", { label: c.name }, c.items.map((i) => h("option", { value: i.id }, `${i.name} (${money(i.price, cur)})`)))));
    const name = h("input", { name: "price-name", required: true, maxLength: 100, placeholder: t("e.g. Happy hour") });
    const price = h("input", { name: "price-price", inputMode: "decimal", placeholder: decimal(3) });
    const win = windowFields("price");
    async function submit(ev) {
      ev.preventDefault();
      const minor = toMinor(price.value, cur), w = win.read();
      if (minor === null) { toast(t("price: enter an amount such as {amount}", { amount: decimal(3) }), "error"); return; }
      if (!w) { toast(t("times: a day-part price needs its hours"), "error"); return; }
      try {
        await api("POST", "/api/promotions/prices", { item_id: Number(item.value), name: name.value.trim(), price: minor, windows: [w] });
        toast(t("Day-part price saved"), "ok");
        done();
      } catch (err) { failed(err); }
    }
    return h("form.panel", { "data-form": "day-part-price", onsubmit: submit },
      h("h3", t("New day-part price")),
      h("div.row", h("label", t("Item"), " ", item), h("label", t("Name"), " ", name), h("label", t("Price ({currency})", { currency: cur }), " ", price)),
      win.el, h("button.primary", { type: "submit" }, t("Save price")));
  }

  async function promotions(ctx) {
    const [menu, list, prices] = await Promise.all([
      api("GET", "/api/menu"), api("GET", `/api/promotions${S.ended ? "?ended=true" : ""}`), api("GET", "/api/promotions/prices"),
    ]);
    const cur = menu.currency;
    money.use(cur);
    const n = names(menu);
    const again = () => ctx.show("promotions");
    async function end(p) {
      if (!confirm(t("End {name}? Lines ordered from now on no longer get it.", { name: p.name }))) return;
      try { await api("POST", `/api/promotions/${p.id}/end`, { version: p.version }); toast(t("{name} ended", { name: p.name }), "ok"); again(); } catch (err) { failed(err); }
    }
    async function removePrice(p) {
      if (!confirm(t("Remove the {name} price of {item}? Lines already ordered keep theirs.", { name: p.name, item: n.items[p.item_id] }))) return;
      try { await api("DELETE", `/api/promotions/prices/${p.id}?version=${p.version}`); again(); } catch (err) { failed(err); }
    }
    const ended = h("input", { type: "checkbox", checked: S.ended, name: "show-ended" });
    ended.addEventListener("change", () => { S.ended = ended.checked; again(); });
    return [
      h("h2", t("Promotions")),
      h("p.muted", t("Applied by the bill to lines ordered while they hold; each line gets the best one. They show on the check and the receipt with their names.")),
      h("div.checks", h("label", ended, t("Show ended"))),
      list.length ? h("table.grid", { id: "promotions" },
        h("thead", h("tr", h("th", t("Name")), h("th", t("Kind")), h("th", t("Terms")), h("th", t("When")), h("th", ""))),
        h("tbody", list.map((p) => h(`tr${p.active ? "" : ".muted"}`, { "data-promotion": p.id },
          h("td", p.name), h("td", KINDS[p.kind]), h("td", terms(p, cur, n)), h("td", when(p)),
          h("td", p.active ? h("button.danger", { onclick: () => end(p) }, t("End")) : t("ended {when}", { when: dateTime(p.ended_at) }))))))
        : h("p", { id: "promotions" }, t("No promotions running.")),
      promotionForm(menu, cur, again),
      h("h2", t("Day-part prices")),
      prices.length ? h("table.grid", { id: "day-part-prices" },
        h("thead", h("tr", h("th", t("Item")), h("th", t("Name")), h("th", t("Price")), h("th", t("When")), h("th", ""))),
        h("tbody", prices.map((p) => h("tr", { "data-price": p.id },
          h("td", n.items[p.item_id] || `#${p.item_id}`), h("td", p.name), h("td.amount", money(p.price, cur)),
          h("td", p.windows.map(windowText).join(", ")), h("td", h("button.danger", { onclick: () => removePrice(p) }, t("Remove")))))))
        : h("p", { id: "day-part-prices" }, t("No day-part prices.")),
      priceForm(menu, cur, again),
    ];
  }

  (POS.managerSections = POS.managerSections || {}).promotions = [t("Promotions"), promotions];
})();

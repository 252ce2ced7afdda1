/* The venue's public order page: the menu (options, allergens; schedules, 86 and opening
   hours respected), a pickup time from the open slots, pay by card or at pickup; then
   the order's own status page (its signed link), kept live over /ws. No sign-in. */
"use strict";
(() => {
  const { h, $, mount, toast, money, api, ApiError, uuid, t, tn, language } = POS;
  const slug = document.body.dataset.slug;
  const token = document.body.dataset.token;
  const base = `/api/public/venues/${encodeURIComponent(slug)}`;
  const main = $("#main");
  const sheet = $("#sheet");
  const S = { draft: {}, menu: null, slots: [], cart: [], placing: false, order: null, live: null, paying: false };
  const call = (method, path, data, key) => api(method, path, data, { token: null, key });
  const problem = (err) => (err instanceof ApiError ? err.message : t("No connection: please try again"));

  // ---- availability, as the server judges it (menu/schedules.py)
  const dayOf = (d) => ((d.getDay() + 6) % 7) + 1;
  const minutes = (t) => { const [hh, mm] = t.split(":").map(Number); return hh * 60 + mm; };
  function localParts(at) {
    const f = new Intl.DateTimeFormat("en-GB", { timeZone: S.menu.timezone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
    const days = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
    return { day: days[p.weekday], min: Number(p.hour) * 60 + Number(p.minute) };
  }
  function within(w, at) {
    const { day, min } = localParts(at);
    const s = minutes(w.starts), e = minutes(w.ends);
    if (s < e) return w.weekdays.includes(day) && s <= min && min < e;
    if (min >= s) return w.weekdays.includes(day);
    return min < e && w.weekdays.includes(day === 1 ? 7 : day - 1);
  }
  const anyOpen = (ids, at) => !ids.length || ids.some((id) => { const w = S.menu.schedules.find((x) => x.id === id); return !w || within(w, at); });
  const pickupAt = () => new Date(S.pickup || Date.now());
  const orderable = (item, cat) => item.available && anyOpen(item.schedule_ids, pickupAt()) && anyOpen(cat.schedule_ids, pickupAt());

  // ---- the menu
  const total = () => S.cart.reduce((n, l) => n + l.price * l.quantity, 0);
  const time = (iso) => new Intl.DateTimeFormat(language, { timeZone: S.order ? S.order.timezone : S.menu ? S.menu.timezone : undefined, hour: "2-digit", minute: "2-digit" }).format(new Date(iso));

  async function start() {
    try {
      S.menu = await call("GET", `${base}/menu`);
      money.use(S.menu.currency);
      $("#heading").textContent = S.menu.venue;
      await loadSlots();
    } catch (err) {
      return mount(main, h("p.error.center", problem(err)));
    }
    render();
  }

  /** The next days a pickup can be on (venue-local dates). */
  const days = () => [0, 1, 2].map((n) => new Date(Date.now() + n * 864e5).toLocaleDateString("sv-SE", { timeZone: S.menu.timezone }));

  async function loadSlots(day) {
    S.day = day || S.day || days()[0];
    S.slots = (await call("GET", `${base}/slots?date=${S.day}`)).slots;
    if (!day && !S.slots.length && S.day === days()[0]) return loadSlots(days()[1]);
    if (!S.slots.some((s) => s.starts === S.pickup)) S.pickup = S.slots.length ? S.slots[0].starts : null;
  }
  const dayLabel = (d, n) => (n === 0 ? t("Today") : n === 1 ? t("Tomorrow") : weekday(d));
  const weekday = (d) => new Intl.DateTimeFormat(language, { weekday: "long" }).format(new Date(`${d}T12:00:00`));
  /** "Pickup today from 12:00", in the page's language. */
  function firstPickup(d, n, at) {
    if (n === 0) return t("Pickup today from {time}", { time: at });
    if (n === 1) return t("Pickup tomorrow from {time}", { time: at });
    return t("Pickup on {day} from {time}", { day: weekday(d), time: at });
  }
  const count = (n) => new Intl.NumberFormat(language).format(n);

  function add(item, modifiers, names) {
    const delta = item.modifier_groups.flatMap((g) => g.options).filter((o) => modifiers.includes(o.id)).reduce((n, o) => n + o.price_delta, 0);
    S.cart.push({ item_id: item.id, name: item.name, modifiers, names, quantity: 1, price: item.price + delta });
    toast(t("{name} added", { name: item.name }), "ok");
    render();
  }

  function choose(item) {
    if (!item.modifier_groups.length) return add(item, [], []);
    const form = h("form", { onsubmit: (e) => {
      e.preventDefault();
      const picked = [...form.querySelectorAll("input:checked")].map((i) => Number(i.value));
      for (const g of item.modifier_groups) {
        const n = g.options.filter((o) => picked.includes(o.id)).length;
        if (n < g.min_choices) return toast(t("{group}: please choose {n}", { group: g.name, n: count(g.min_choices) }), "error");
        if (n > g.max_choices) return toast(t("{group}: at most {n}", { group: g.name, n: count(g.max_choices) }), "error");
      }
      const names = item.modifier_groups.flatMap((g) => g.options).filter((o) => picked.includes(o.id)).map((o) => o.name);
      sheet.hidden = true;
      add(item, picked, names);
    } },
    h("h2", item.name),
    item.modifier_groups.map((g) => h("fieldset.choices", h("legend", g.min_choices ? t("{group} (required)", { group: g.name }) : g.name),
      g.options.map((o) => h("label", h("input", { type: g.max_choices === 1 ? "radio" : "checkbox", name: `g${g.id}`, value: o.id }),
        o.name, o.price_delta ? ` +${money(o.price_delta)}` : "")))),
    h("div.row", h("button.ghost", { type: "button", onclick: () => { sheet.hidden = true; } }, t("Cancel")), h("span.spacer"), h("button.primary", { type: "submit" }, t("Add"))));
    mount(sheet, form);
    sheet.hidden = false;
  }

  function render() {
    if (S.order) return renderOrder();
    const m = S.menu;
    mount(main,
      h("p.muted", S.slots.length ? firstPickup(S.day, days().indexOf(S.day), time(S.slots[0].starts)) : t("No pickup times left today.")),
      m.categories.map((c) => [
        h("h2", c.name),
        c.items.map((i) => {
          const ok = orderable(i, c);
          return h("div.menu-item" + (ok ? "" : ".off"), { "data-item": i.name },
            h("div.grow", h("strong", i.name), i.description ? h("small", i.description) : null,
              i.allergens.length ? h("small", t("Contains: {allergens}", { allergens: i.allergens.map(POS.allergens.name).join(", ") })) : null,
              ok ? null : h("small", t("Not available"))),
            h("span.amount", money(i.price)),
            h("button.primary", { disabled: !ok, "aria-label": t("Add {name}", { name: i.name }), onclick: () => choose(i) }, "+"));
        }),
      ]),
      S.cart.length ? h("div.order-bar", h("span.grow", tn("{n} item", "{n} items", S.cart.reduce((n, l) => n + l.quantity, 0)) + " · " + money(total())),
        h("button.primary", { id: "checkout", onclick: checkout }, t("Checkout"))) : null);
  }

  function checkout() {
    const form = h("form", { id: "place", onsubmit: place, oninput: (e) => { if (e.target.name) S.draft[e.target.name] = e.target.value; } },
      h("h2", t("Your order")),
      h("ul", S.cart.map((l, n) => h("li", `${l.quantity} × ${l.name}${l.names.length ? ` (${l.names.join(", ")})` : ""} `, h("span.muted", money(l.price * l.quantity)), " ",
        h("button.link", { type: "button", "aria-label": t("Remove {name}", { name: l.name }), onclick: () => { S.cart.splice(n, 1); sheet.hidden = true; render(); } }, "✕")))),
      h("p", h("strong", t("Total {amount}", { amount: money(total()) }))),
      h("label", t("Name"), h("input", { name: "name", required: true, maxLength: 100, autocomplete: "name", value: S.draft.name || "" })),
      h("label", t("Phone"), h("input", { name: "phone", type: "tel", maxLength: 40, autocomplete: "tel", value: S.draft.phone || "" })),
      h("label", t("E-mail (we tell you when it is ready)"), h("input", { name: "email", type: "email", maxLength: 254, autocomplete: "email", value: S.draft.email || "" })),
      h("div.row",
        h("label.grow", t("Pickup day"), h("select", { name: "day", onchange: async (e) => { await loadSlots(e.target.value).catch(() => null); checkout(); } },
          days().map((d, n) => h("option", { value: d, selected: d === S.day }, dayLabel(d, n))))),
        h("label.grow", t("Time"), h("select", { name: "pickup_at", required: true, onchange: (e) => { S.pickup = e.target.value; } },
          S.slots.map((s) => h("option", { value: s.starts, selected: s.starts === S.pickup }, time(s.starts)))))),
      h("fieldset.choices", h("legend", t("Payment")),
        h("label", h("input", { type: "radio", name: "payment", value: "card", checked: true }), t("Pay now by card")),
        h("label", h("input", { type: "radio", name: "payment", value: "at_pickup" }), t("Pay at pickup"))),
      h("p.error", { id: "place-error" }),
      h("div.row", h("button.ghost", { type: "button", onclick: () => { sheet.hidden = true; } }, t("Back")), h("span.spacer"),
        h("button.primary", { type: "submit" }, t("Place order"))));
    mount(sheet, form);
    sheet.hidden = false;
  }

  async function place(e) {
    e.preventDefault();
    if (S.placing) return;
    const f = e.target.elements;
    const body = {
      name: f.name.value.trim(),
      phone: f.phone.value.trim() || null,
      email: f.email.value.trim() || null,
      pickup_at: f.pickup_at.value,
      payment: f.payment.value,
      lines: S.cart.map((l) => ({ item_id: l.item_id, quantity: l.quantity, modifiers: l.modifiers })),
    };
    S.placing = true;
    try {
      const order = await call("POST", `${base}/orders`, body, uuid());
      sheet.hidden = true;
      S.cart = [];
      history.replaceState(null, "", order.status_url);
      S.order = order;
      if (order.payment === "card") await pay();
      follow();
      render();
    } catch (err) {
      // the field named by the problem is marked, not named: its name is the API's, not the guest's
      const field = err instanceof ApiError && err.problem.field;
      const input = field && e.target.querySelector(`[name='${field}']`);
      e.target.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
      if (input) { input.classList.add("invalid"); input.focus(); }
      $("#place-error").textContent = problem(err);
      if (err instanceof ApiError && err.status === 409) await loadSlots().catch(() => null);
    } finally {
      S.placing = false;
    }
  }

  // ---- the order's own page
  async function pay() {
    const guest = `/api/guest/${encodeURIComponent(S.order.token)}`;
    S.paying = true;
    renderOrder();
    try {
      let r = await call("POST", `${guest}/payments`, {}, uuid());
      while (r.payment.status === "pending") {
        await new Promise((ok) => setTimeout(ok, 1000));
        r = await call("POST", `${guest}/payments/${r.payment.id}/poll`);
      }
      if (r.payment.status === "approved") toast(t("Paid. Thank you!"), "ok");
      else toast(t("The card payment did not go through: you can pay at pickup"), "error");
    } catch (err) {
      toast(problem(err), "error");
    }
    S.paying = false;
    await refresh();
  }

  async function refresh() {
    try {
      S.order = await call("GET", `/api/public/orders/${encodeURIComponent(S.order ? S.order.token : token)}`);
      money.use(S.order.currency);
      $("#heading").textContent = S.order.venue;
    } catch (err) {
      return mount(main, h("p.error.center", problem(err)));
    }
    renderOrder();
  }

  function follow() {
    if (!S.live) S.live = POS.live([`check:${S.order.check_id}`], { event: (m) => { if (m.type === "pickup.changed" || m.type.startsWith("payment")) refresh(); } }, { token: S.order.token });
  }

  const STATES = { held: t("Order received"), preparing: t("Preparing"), ready: t("Ready for pickup"), collected: t("Collected") };
  /** The pickup's day as the guest reads it: "today", "tomorrow" or the date. */
  function pickupDay(iso) {
    const tz = S.order.timezone;
    const ymd = (d) => d.toLocaleDateString("sv-SE", { timeZone: tz });
    const day = ymd(new Date(iso));
    if (day === ymd(new Date())) return t("today");
    if (day === ymd(new Date(Date.now() + 864e5))) return t("tomorrow");
    return new Intl.DateTimeFormat(language, { weekday: "long", day: "numeric", month: "long", timeZone: tz }).format(new Date(iso));
  }
  function renderOrder() {
    const o = S.order;
    const due = o.total - o.paid;
    mount(main,
      h("p.center.muted", t("Your order number")),
      h("p.order-number", { id: "number" }, o.number === null ? "–" : String(o.number)),
      h("p.order-state", { id: "state", "data-state": o.state }, STATES[o.state] || o.state),
      h("p.center", t("Pickup {day} at {time}", { day: pickupDay(o.pickup_at), time: time(o.pickup_at) })),
      h("ul", o.lines.map((l) => h("li", `${l.quantity} × ${l.name}${l.modifiers.length ? ` (${l.modifiers.join(", ")})` : ""} `, h("span.muted", money(l.amount))))),
      h("p", h("strong", t("Total {amount}", { amount: money(o.total) })), " ", due <= 0 ? h("span.badge", t("Paid")) : h("span.muted", o.payment === "card" ? "" : t("Pay at pickup"))),
      due > 0 && o.payment === "card" ? h("button.primary.big-pay", { disabled: S.paying, onclick: pay }, S.paying ? t("Paying…") : t("Pay {amount} by card", { amount: money(due) })) : null,
      h("p.muted.center", t("Keep this page: it shows when your order is ready.")));
  }

  if (token) {
    refresh().then(() => S.order && follow());
  } else {
    start();
  }
})();

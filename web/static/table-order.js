/* The table tent's page on the guest's phone: the menu with each item's allergens and
   modifier choices (required ones must be chosen), a basket, and send. The table's token
   in the path is the only credential; it orders for this table and reads nothing else. */
"use strict";
(() => {
  const { h, $, mount, toast, money, api, ApiError, uuid, t } = POS;
  const token = document.body.dataset.token;
  const base = `/api/table-order/${encodeURIComponent(token)}`;
  const main = $("#main");
  const S = { menu: null, open: null, choice: new Map(), basket: [], sending: false, sent: null, key: null };

  async function start() {
    try {
      S.menu = await api("GET", base + "/", undefined, { token: null });
      money.use(S.menu.currency);
      document.title = t("{venue} · table {table}", { venue: S.menu.venue, table: S.menu.table });
    } catch (err) {
      const msg = err instanceof ApiError ? (err.status === 401 ? t("This table's code is no longer valid. Please ask your waiter.") : err.message) : t("No connection");
      return mount(main, h("div.pane", h("p.center", msg)));
    }
    render();
  }

  const groupsOk = (item) => item.modifier_groups.every((g) => {
    const n = g.options.filter((o) => S.choice.has(o.id)).length;
    return n >= g.min_choices && n <= g.max_choices;
  });

  function toggle(group, option) {
    const chosen = group.options.filter((o) => S.choice.has(o.id));
    if (S.choice.has(option.id)) S.choice.delete(option.id);
    else {
      if (group.max_choices === 1) chosen.forEach((o) => S.choice.delete(o.id));
      else if (chosen.length >= group.max_choices) return toast(t("{group}: at most {n}", { group: group.name, n: group.max_choices }), "error");
      S.choice.set(option.id, option);
    }
    render();
  }

  function add(item) {
    if (!groupsOk(item)) return toast("Please choose the required options", "error");
    const options = item.modifier_groups.flatMap((g) => g.options.filter((o) => S.choice.has(o.id)));
    S.basket.push({ item, options, quantity: 1 });
    S.open = null;
    S.choice.clear();
    S.key = null;
    render();
  }

  async function send() {
    S.sending = true;
    S.key = S.key || uuid();  // one key per basket: a retry never orders twice
    render();
    try {
      const body = { lines: S.basket.map((b) => ({ item_id: b.item.id, quantity: b.quantity, modifiers: b.options.map((o) => o.id) })) };
      S.sent = await api("POST", base + "/orders", body, { token: null, key: S.key });
      S.basket = [];
      S.key = null;
    } catch (err) {
      toast(err instanceof ApiError ? err.message : t("No connection: please try again"), "error");
    }
    S.sending = false;
    render();
  }

  const allergens = (item) => (item.allergens.length ? h("p.allergens.muted", t("Contains: {allergens}", { allergens: item.allergens.map(POS.allergens.name).join(", ") })) : null);

  function itemView(item) {
    const open = S.open === item.id;
    return h(`div.order-item${open ? ".open" : ""}`, { "data-item": item.name },
      h("button.row.item-head", { onclick: () => { S.open = open ? null : item.id; S.choice.clear(); render(); } },
        h("span.grow", item.name), h("span.amount", money(item.price))),
      item.description ? h("p.muted", item.description) : null,
      allergens(item),
      open ? [
        item.modifier_groups.map((g) => h("fieldset.group", { "data-group": g.name },
          h("legend", g.name, g.min_choices ? h("span.required", " (required)") : ""),
          h("div.choices", g.options.map((o) => h(`button${S.choice.has(o.id) ? ".on" : ""}`, { onclick: () => toggle(g, o) },
            o.name, o.price_delta ? ` +${money(o.price_delta)}` : ""))))),
        h("button.primary.add", { disabled: !groupsOk(item), onclick: () => add(item) }, t("Add")),
      ] : null);
  }

  function basketView() {
    if (!S.basket.length) return null;
    const total = S.basket.reduce((n, b) => n + b.quantity * (b.item.price + b.options.reduce((m, o) => m + o.price_delta, 0)), 0);
    return h("div.guest-card.basket",
      h("h2", t("Your order")),
      S.basket.map((b, i) => h("p.row", h("span.grow", `${b.quantity}× ${b.item.name}`, b.options.length ? h("span.muted", ` · ${b.options.map((o) => o.name).join(", ")}`) : ""),
        h("button.link", { "aria-label": t("remove {item}", { item: b.item.name }), onclick: () => { S.basket.splice(i, 1); S.key = null; render(); } }, "✕"))),
      h("p.row.total", h("span.grow", t("Total")), h("span.amount", money(total))),
      h("button.primary.big-pay.send", { disabled: S.sending, onclick: send }, S.sending ? t("Sending…") : t("Send order")));
  }

  function render() {
    const m = S.menu;
    if (m.ordering === "off") return mount(main, h("div.pane", h("p.center", t("{venue}, table {table}: please order with your waiter.", { venue: m.venue, table: m.table }))));
    mount(main, h("div.pane",
      h("p.muted", t("{venue} · table {table}", { venue: m.venue, table: m.table })),
      S.sent ? h("div.guest-card.sent", h("p", S.sent.status === "sent" ? t("Your order is on its way to the kitchen.") : t("Thank you! Your waiter will confirm your order shortly."))) : null,
      basketView(),
      m.categories.map((c) => h("section.category", h("h2", c.name), c.items.map(itemView)))));
  }

  start();
})();

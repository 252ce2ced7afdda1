/* The guest's own phone: the check of the link, pick what to pay, add a tip, pay by card,
   and have the receipt e-mailed. The link's token is the only credential; it opens this one
   check and nothing else. */
"use strict";
(() => {
  const { h, $, mount, toast, money, taxLabel, api, ApiError, debounce, t } = POS;
  const token = document.body.dataset.token;
  const base = `/api/guest/${encodeURIComponent(token)}`;
  const main = $("#main");
  // no tip is chosen for the guest: the pay button waits until they pick one (0 included)
  const S = { bill: null, pick: "rest", items: new Set(), tip: null, paying: false, done: null, paidInFull: false, live: null, mailed: null };
  const call = (method, path, data) => api(method, base + path, data, { token: null });

  async function refresh() {
    try {
      S.bill = await call("GET", "/bill");
      money.use(S.bill.currency);
      repick();
      if (!S.live) S.live = POS.live([`check:${S.bill.check_id}`], { event: debounce(refresh) }, { token });
    } catch (err) {
      if (!(err instanceof ApiError)) return toast("No connection", "error");
      S.expired = err.status === 401;
      if (S.paidInFull && err.status === 410) return render();  // closed by our own payment
      S.done = err.status === 410 ? t("This check is paid in full and closed. Thank you!") : err.status === 401 ? t("This link has expired. Please ask for a new one.") : err.message;
      if (S.live) S.live.close();
    }
    render();
  }

  /** What the chosen option pays before the tip. */
  function base_amount() {
    const b = S.bill;
    if (S.pick === "items") return b.rest.lines.filter((l) => S.items.has(l.line_id)).reduce((n, l) => n + l.amount, 0);
    if (S.pick === "rest") return b.rest.due;
    return (b.parts.find((p) => p.id === S.pick) || { due: 0 }).due;
  }
  const tipOf = (amount) => Math.round((amount * (S.tip || 0)) / 100);

  /** Keep the choice on something still due: after a part is paid, the next one. */
  function repick() {
    const open = options();
    if (!open.some(([id]) => id === S.pick)) S.pick = open.length ? open[0][0] : "rest";
  }

  function options() {
    const b = S.bill;
    const opts = b.parts.filter((p) => p.due > 0).map((p) => [p.id, `${p.label}`, p.due]);
    if (b.rest.due > 0) opts.push(["rest", b.parts.length ? t("The rest") : t("The whole check"), b.rest.due]);
    if (b.rest.lines.length > 1) opts.push(["items", t("Only my items"), null]);
    return opts;
  }

  async function pay() {
    const body = { tip: tipOf(base_amount()) };
    if (S.pick === "items") body.line_ids = [...S.items];
    else if (S.pick !== "rest") body.part_id = S.pick;
    S.paying = true;
    render();
    try {
      let r = await call("POST", "/payments", body);
      while (r.payment.status === "pending") {
        await new Promise((ok) => setTimeout(ok, 1000));
        r = await call("POST", `/payments/${r.payment.id}/poll`);
      }
      if (r.payment.status === "approved") {
        toast(t("Paid {amount}. Thank you!", { amount: money(r.payment.amount + r.payment.tip) }), "ok");
        if (r.bill.due === 0) {
          S.done = t("Paid in full: {amount}. Thank you, see you soon!", { amount: money(r.bill.paid + r.bill.tips) });
          S.paidInFull = true;
        }
      } else toast(t("Card {status}: {reason}", { status: r.payment.status, reason: r.payment.reason || t("please try again") }), "error");
      S.bill = r.bill;
    } catch (err) {
      toast(err instanceof ApiError ? err.message : t("No connection: please try again"), "error");
    }
    S.paying = false;
    S.items.clear();
    repick();
    render();
  }

  async function emailReceipt(e) {
    e.preventDefault();
    const to = e.target.elements.to.value.trim();
    try {
      await call("POST", "/receipt/email", { to });
      S.mailed = to;
      render();
    } catch (err) {
      toast(err instanceof ApiError ? (err.status === 422 ? t("Please check the e-mail address") : err.message) : t("No connection: please try again"), "error");
    }
  }

  /** The receipt by e-mail, and a link to read it here. */
  function receiptBox() {
    if (S.mailed) return h("div.receipt-mail", h("p", t("The receipt is on its way to {to}.", { to: S.mailed })));
    return h("form.receipt-mail", { onsubmit: emailReceipt },
      // what the guest types is kept in the state, so a redraw (a payment, a poll) keeps it
      h("label", t("Receipt by e-mail"), h("input", { name: "to", type: "email", required: true, autocomplete: "email", placeholder: "you@example.com",
        value: S.mailDraft || "", oninput: (e) => { S.mailDraft = e.target.value; } })),
      h("div.row", h("button", { type: "submit" }, t("Send me the receipt")),
        h("a.grow", { href: `${base}/receipt`, target: "_blank", rel: "noopener" }, t("View the receipt"))));
  }

  // ---- the guest's choice, kept over a reload of this tab ----------------------------
  const CHOICE = `pos.guest.choice.${token}`;
  let restored = false; // the first answer is drawn before the kept choice is read back
  function keepChoice() {
    if (restored && S.bill && !S.done) sessionStorage.setItem(CHOICE, JSON.stringify({ pick: S.pick, items: [...S.items], tip: S.tip }));
  }
  function restoreChoice() {
    const kept = JSON.parse(sessionStorage.getItem(CHOICE) || "null");
    restored = true;
    if (!kept || !S.bill) return;
    if (options().some(([id]) => id === kept.pick)) S.pick = kept.pick;
    const open = new Set(S.bill.rest.lines.map((l) => l.line_id));
    kept.items.filter((id) => open.has(id)).forEach((id) => S.items.add(id));
    if ([0, 5, 10, 15, 20].includes(kept.tip)) S.tip = kept.tip;
    render();
  }

  function render() {
    keepChoice();
    if (S.done) return mount(main, h("div.pane", h("div.guest-card.center", h("p.total", "✓"), h("p", S.done)), S.expired ? null : receiptBox()));
    const b = S.bill;
    if (!b) return;
    const names = new Map(b.lines.map((l) => [l.line_id, l]));
    const amount = base_amount(), tip = tipOf(amount);
    const row = (label, value, cls = "") => h(`tr${cls}`, h("td", label), h("td.amount", value));
    mount(main, h("div.pane",
      h("div.guest-card",
        h("table", b.lines.map((l) => row(`${l.quantity}× ${l.name}`, money(l.net))),
          Object.values((b.promotions || []).reduce((by, p) => { (by[p.promotion_id] ||= [p.name, 0])[1] += p.amount; return by; }, {})).map(([name, off]) => row(t("incl. {promotion}", { promotion: name }), money(-off), ".muted")),
          b.service_charge ? row(t("Service charge"), money(b.service_charge)) : null,
          b.taxes.map((t) => row(taxLabel(b, t), money(t.tax), ".muted")),
          row(t("Total"), money(b.total), ".total"),
          b.paid ? row(t("Paid"), money(b.paid), ".paid") : null,
          row(b.paid ? t("Remaining") : t("To pay"), money(b.due), ".total.due"))),
      h("h2", t("What do you pay?")),
      h("div.choices", options().map(([id, label, due]) => h(`button${S.pick === id ? ".on" : ""}`, { onclick: () => { S.pick = id; render(); } },
        label, due !== null ? ` · ${money(due)}` : ""))),
      S.pick === "items" ? h("div.guest-card", b.rest.lines.map((l) => h("label.row",
        h("input", { type: "checkbox", checked: S.items.has(l.line_id), style: { width: "auto", minHeight: "28px" },
          onchange: (e) => { e.target.checked ? S.items.add(l.line_id) : S.items.delete(l.line_id); render(); } }),
        h("span.grow", names.get(l.line_id) ? names.get(l.line_id).name : t("line {id}", { id: l.line_id })), h("span.amount", money(l.amount))))) : null,
      h("h2", t("Tip")),
      h("div.choices.tips", [0, 5, 10, 15, 20].map((p) => h(`button${S.tip === p ? ".on" : ""}`, { onclick: () => { S.tip = p; render(); } }, p ? `${p} %` : t("No tip")))),
      S.tip === null ? null : h("p.row", h("span.grow", t("Tip")), h("span.amount", money(tip))),
      h("button.primary.big-pay", { disabled: S.paying || amount <= 0 || S.tip === null, onclick: pay },
        S.paying ? t("Waiting for your bank…") : S.tip === null ? t("Choose a tip to pay") : t("Pay {amount} by card", { amount: money(amount + tip) })),
      h("p.muted.center", t("Card details are handled by the payment provider, never by this page.")),
      receiptBox()));
  }

  refresh().then(restoreChoice);
})();

/* The books on the manager's page: the ledger accounts the owner sets (sales and tax
   per rate, payment methods, tips, gift cards, cash over/short) and the daily journal
   entry of a closed business day, downloaded as CSV (docs/accounting.md). */
"use strict";
(() => {
  const { h, toast, api, ApiError, session, t, rate } = POS;
  const SINGLE = [
    ["sales_default", t("Sales (other rates)")], ["tax_default", t("Tax (other rates)")],
    ["service_charge", t("Service charge")], ["cash", t("Cash")], ["card", t("Card")], ["tips", t("Tips")],
    ["gift_cards", t("Gift cards (liability)")], ["cash_over_short", t("Cash over/short")],
    ["cash_movements", t("Cash paid in and out")], ["open_checks", t("Open checks")],
  ];
  /** A tax rate in parts per million as the page's language writes a percentage. */
  const percent = rate;
  const problemText = (err) => (err instanceof ApiError && err.problem.field ? `${err.message} (${err.problem.field})` : err.message);

  async function download(day) {
    const headers = { Accept: "text/csv" };
    if (session.token) headers.Authorization = `Bearer ${session.token}`;
    const r = await fetch(`/api/accounting/journal-entries?day=${encodeURIComponent(day)}`, { headers });
    if (!r.ok) {
      const problem = (r.headers.get("content-type") || "").includes("json") ? await r.json() : null;
      throw new ApiError(r.status, problem);
    }
    const url = URL.createObjectURL(await r.blob());
    const link = h("a", { href: url, download: `journal-${day}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function books({ show, failed }) {
    const [accounts, venue] = await Promise.all([api("GET", "/api/accounting/accounts"), api("GET", "/api/venue")]);
    const rates = [...new Set([...venue.tax_rates.map((r) => r.rate_ppm), ...accounts.sales.map((r) => r.rate_ppm), ...accounts.tax.map((r) => r.rate_ppm)])].sort((a, b) => a - b);
    const of = (list, rate) => (list.find((r) => r.rate_ppm === rate) || {}).account || "";
    const input = (name, value, label) => h("input", { name, value, maxLength: 32, "aria-label": label });
    const rows = rates.map((rate) => h("div.row.rate", { "data-rate": String(rate) }, h("span.grow", percent(rate)),
      h("label.grow", t("Sales"), input("sales", of(accounts.sales, rate), t("sales {rate}", { rate: percent(rate) }))),
      h("label.grow", t("Tax"), input("tax", of(accounts.tax, rate), t("tax {rate}", { rate: percent(rate) })))));
    const form = h("form.setup", { "data-form": "accounts", onsubmit: (ev) => {
      ev.preventDefault();
      const body = { sales: [], tax: [] };
      for (const row of form.querySelectorAll(".rate")) {
        const rate = Number(row.dataset.rate);
        for (const kind of ["sales", "tax"]) {
          const value = row.querySelector(`[name=${kind}]`).value.trim();
          if (value) body[kind].push({ rate_ppm: rate, account: value });
        }
      }
      for (const [name] of SINGLE) body[name] = form.elements[name].value.trim();
      api("PUT", "/api/accounting/accounts", body).then(() => { toast(t("Accounts saved"), "ok"); show("accounting"); }, failed);
    } },
    h("h3", t("Ledger accounts")), ...rows,
    ...SINGLE.map(([name, label]) => h("label", label, input(name, accounts[name], label))),
    h("button", { type: "submit" }, t("Save accounts")));
    const today = new Date().toISOString().slice(0, 10);
    const day = h("input", { type: "date", name: "day", value: today, required: true, "aria-label": t("business day") });
    const export_ = h("form.panel", { "data-form": "journal-entry", onsubmit: (ev) => {
      ev.preventDefault();
      download(day.value).then(() => toast(t("Journal entry downloaded"), "ok"), (err) => toast(problemText(err), "error"));
    } }, h("label", t("Business day"), day), h("button", { type: "submit" }, t("Download journal entry")));
    return [h("p.muted", t("The daily journal entry of a closed business day (CSV), debits equal to credits, on the accounts below.")), export_, form];
  }

  (POS.managerSections = POS.managerSections || {}).accounting = [t("Books"), books];
})();

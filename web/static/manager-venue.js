/* The venue's settings on the manager's page: name, sign-in name, currency, timezone,
   language, tax mode and rates, the business day's end and the service charge. */
"use strict";
(() => {
  const { h, toast, api, ApiError, t } = POS;
  /** Each language named in itself, as the guest pages' switch names them. */
  const LANGUAGES = { en: "English", nl: "Nederlands", de: "Deutsch" };

  /** "8.875" (percent) -> 88750 ppm, or null; no floating point. */
  function ppm(text) {
    const m = /^\s*(\d{1,3})(?:[.,](\d{0,4}))?\s*%?\s*$/.exec(text);
    return m ? Number(m[1]) * 10000 + Number((m[2] || "").padEnd(4, "0")) : null;
  }
  const percent = (p) => `${Math.floor(p / 10000)}${p % 10000 ? "." + String(p % 10000).padStart(4, "0").replace(/0+$/, "") : ""}`;

  async function venue({ show, failed, box }) {
    const v = await api("GET", "/api/venue");
    const field = (name, value, attrs = {}) => h("input", { name, value, ...attrs });
    const rates = h("div", { "data-field": "tax_rates" }, v.tax_rates.map((r) => rateRow(r.name, percent(r.rate_ppm))));
    function rateRow(name = "", pct = "") {
      const row = h("div.row.rate", h("input.grow", { name: "rate_name", value: name, maxLength: 32, "aria-label": t("tax rate name") }),
        h("input.grow", { name: "rate_pct", value: pct, inputMode: "decimal", "aria-label": t("tax rate %") }),
        h("button.link", { type: "button", onclick: () => row.remove() }, "✕"));
      return row;
    }
    const form = h("form.setup", { id: "venue-form", onsubmit: (ev) => {
      ev.preventDefault();
      const e = form.elements;
      const taxRates = [...form.querySelectorAll(".rate")].map((r) => ({ name: r.querySelector("[name=rate_name]").value.trim(), rate_ppm: ppm(r.querySelector("[name=rate_pct]").value) }));
      const charge = ppm(e.service_pct.value || "0");
      if (taxRates.some((r) => r.rate_ppm === null) || charge === null) return toast(t("Rates are percentages, e.g. 7 or 8.875"), "error");
      const body = { version: v.version, name: e.name.value.trim(), slug: e.slug.value.trim(), currency: e.currency.value.trim().toUpperCase(),
        timezone: e.timezone.value.trim(), locale: e.locale.value, tax_mode: e.tax_mode.value, tax_rates: taxRates, tax_rounding: e.tax_rounding.value,
        day_cutoff: `${e.day_cutoff.value}:00`.slice(0, 8), service_charge: { rate_bp: Math.floor(charge / 100), min_covers: Number(e.min_covers.value || 0) } };
      box.push("PATCH", "/api/venue", body, t("Venue saved")).then(() => { toast(t("Venue saved"), "ok"); show("venue"); }, (err) => {
        if (err instanceof ApiError && err.status === 409) { toast(t("Changed meanwhile by someone else; reloaded"), "error"); return show("venue"); }
        failed(err);
      });
    } },
    h("label", t("Name"), field("name", v.name, { maxLength: 200 })),
    h("label", t("Sign-in name"), field("slug", v.slug, { maxLength: 64 })),
    h("div.row", h("label.grow", t("Currency"), field("currency", v.currency, { maxLength: 3 })),
      h("label.grow", t("Language"), h("select", { name: "locale" }, ["en", "nl", "de", v.locale].filter((x, i, a) => a.indexOf(x) === i).map((l) => h("option", { value: l, lang: l, selected: l === v.locale }, LANGUAGES[l] || l))))),
    h("label", t("Timezone"), field("timezone", v.timezone, { maxLength: 64 })),
    h("label", t("Prices"), h("select", { name: "tax_mode" }, [["inclusive", t("include tax (VAT)")], ["exclusive", t("exclude tax (sales tax)")]].map(([k, l]) => h("option", { value: k, selected: k === v.tax_mode }, l)))),
    h("label", t("Tax is rounded"), h("select", { name: "tax_rounding" }, [["total", t("once per rate on the bill")], ["line", t("on each line")]].map(([k, l]) => h("option", { value: k, selected: k === v.tax_rounding }, l)))),
    h("p.muted", t("Tax rates (name and %)")), rates, h("button", { type: "button", onclick: () => rates.append(rateRow()) }, t("+ Tax rate")),
    h("label", t("The business day ends at"), field("day_cutoff", v.day_cutoff.slice(0, 5), { type: "time" })),
    h("div.row", h("label.grow", t("Service charge %"), field("service_pct", percent(v.service_charge.rate_bp * 100), { inputMode: "decimal" })),
      h("label.grow", t("on tables of at least (covers)"), field("min_covers", v.service_charge.min_covers, { type: "number", min: 0 }))),
    h("button.primary", { type: "submit" }, t("Save")));
    const me = POS.session.staff || { roles: [] };
    return [form, me.roles.includes("owner") ? another(v, box, show) : null];
  }

  /** An owner opens another venue of the group, with this venue's rules, optionally a
      copy of its menu; the owner's PIN works there at once. */
  function another(v, box, show) {
    const el = h("form.setup.panel", { id: "new-venue", onsubmit: (ev) => {
      ev.preventDefault();
      const e = el.elements;
      const body = { name: e.name.value.trim(), slug: e.slug.value.trim(), currency: v.currency, timezone: v.timezone, locale: v.locale,
        tax_mode: v.tax_mode, tax_rates: v.tax_rates, day_cutoff: v.day_cutoff, service_charge: v.service_charge };
      box.push("POST", "/api/venues", body, t("Venue {name} opened", { name: body.name })).then((made) => {
        const copy = e.copy.checked ? box.push("POST", "/api/menu/copy", { from_venue: v.slug, to_venue: made.slug }, t("Menu copied")) : Promise.resolve();
        return copy.then(() => { toast(t("{name} is open: sign in there with venue \"{slug}\"", { name: made.name, slug: made.slug }), "ok"); show("venue"); });
      }, (err) => toast(err instanceof ApiError && err.problem.field ? `${err.message} (${err.problem.field})` : err.message, "error"));
    } },
    h("h2", t("Open another venue")),
    h("p.muted", t("Same currency, timezone, tax and service charge as this one; change them there.")),
    h("div.row", h("label.grow", t("Name"), h("input", { name: "name", maxLength: 200, required: true })),
      h("label.grow", t("Sign-in name"), h("input", { name: "slug", maxLength: 64, required: true }))),
    h("div.checks", h("label", h("input", { type: "checkbox", name: "copy", checked: true }), t("copy this venue's menu"))),
    h("button", { type: "submit" }, t("Open venue")));
    return el;
  }

  const sections = (POS.managerSections = POS.managerSections || {});
  sections.venue = [t("Venue"), venue];
})();

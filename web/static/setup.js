/* The first-run setup: the code from the server's log, the venue and its owner; then the
   owner lands on the manager page signed in. */
"use strict";
(() => {
  const { h, $, api, ApiError, t } = POS;
  const form = $("#setup");
  const message = $("#setup-message");
  const field = (name) => form.elements.namedItem(name);

  /** "8.875" (percent) -> 88750 parts per million, or null; no floating point. */
  function ppm(text) {
    const m = /^\s*(\d{1,3})(?:[.,](\d{0,4}))?\s*%?\s*$/.exec(text);
    return m ? Number(m[1]) * 10000 + Number((m[2] || "").padEnd(4, "0")) : null;
  }

  function addRate(name = "", percent = "") {
    const row = h("div.row.rate",
      h("label.grow", t("Tax rate name"), h("input", { name: "rate_name", value: name, maxLength: 32, placeholder: t("food") })),
      h("label.grow", "%", h("input", { name: "rate_pct", value: percent, inputMode: "decimal", placeholder: "7" })),
      h("button.link", { type: "button", "aria-label": t("remove rate"), onclick: () => row.remove() }, "✕"));
    $("#tax-rates").append(row);
  }

  function mark(name, text) {
    form.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
    const el = name && (field(name) || form.querySelector(`[data-field="${name}"]`));
    if (el && el.classList) { el.classList.add("invalid"); if (el.focus) el.focus(); }
    message.textContent = text;
  }

  function body() {
    const v = (name) => field(name).value.trim();
    const rates = [...form.querySelectorAll(".rate")].map((r) => ({
      name: r.querySelector("[name=rate_name]").value.trim(), rate_ppm: ppm(r.querySelector("[name=rate_pct]").value) }));
    if (rates.some((r) => r.rate_ppm === null)) return mark("venue.tax_rates", t("A tax rate is a percentage, e.g. 7 or 8.875"));
    const charge = ppm(v("service_pct") || "0");
    if (charge === null) return mark("service_pct", t("The service charge is a percentage, e.g. 12.5"));
    if (v("owner.pin") !== v("pin_again")) return mark("pin_again", t("The two PINs differ"));
    return {
      code: v("code"),
      venue: {
        name: v("venue.name"), slug: v("venue.slug"), currency: v("venue.currency").toUpperCase(),
        timezone: v("venue.timezone"), locale: v("venue.locale"), tax_mode: v("venue.tax_mode"),
        tax_rates: rates, day_cutoff: `${v("venue.day_cutoff")}:00`.slice(0, 8),
        service_charge: { rate_bp: Math.floor(charge / 100), min_covers: Number(v("venue.service_charge.min_covers") || 0) },
      },
      owner: { name: v("owner.name"), pin: v("owner.pin") },
    };
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const data = body();
    if (!data) return;
    mark(null, "");
    try {
      const r = await api("POST", "/api/setup", data, { token: null });
      POS.device.save(r.venue, r.credential);
      POS.session.save(r);
      localStorage.setItem("pos.venue", r.venue);
      location.assign("/app/manager");
    } catch (err) {
      if (err instanceof ApiError && err.status === 410) { form.hidden = true; $("#setup-done").hidden = false; return; }
      if (err instanceof ApiError) return mark(err.problem.field, err.message);
      mark(null, t("No connection to the server"));
    }
  });

  // the sign-in name follows the venue's name until edited by hand
  let slugEdited = false;
  field("venue.slug").addEventListener("input", () => { slugEdited = true; });
  field("venue.name").addEventListener("input", () => {
    if (!slugEdited) field("venue.slug").value = field("venue.name").value.toLowerCase().normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
  });
  $("#add-rate").addEventListener("click", () => addRate());
  field("venue.timezone").value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  addRate(t("food"), "");

  api("GET", "/api/setup", undefined, { token: null }).then((s) => {
    if (!s.needed) { form.hidden = true; $("#setup-done").hidden = false; }
  }, () => mark(null, t("No connection to the server")));
})();

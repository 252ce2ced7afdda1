/* The 14 EU allergens (pos_service/core/allergens.py) as a picker of toggles with a
   free-text note, and the band a page shows for a table's allergies. */
"use strict";
(() => {
  const { h, t } = POS;
  const CODES = ["gluten", "crustaceans", "eggs", "fish", "peanuts", "soybeans", "milk", "nuts",
    "celery", "mustard", "sesame", "sulphites", "lupin", "molluscs"];
  /** Each code as staff and guests read it (the code itself in English). */
  const NAMES = {
    gluten: t("gluten"), crustaceans: t("crustaceans"), eggs: t("eggs"), fish: t("fish"), peanuts: t("peanuts"),
    soybeans: t("soybeans"), milk: t("milk"), nuts: t("nuts"), celery: t("celery"), mustard: t("mustard"),
    sesame: t("sesame"), sulphites: t("sulphites"), lupin: t("lupin"), molluscs: t("molluscs"),
  };
  const name = (code) => NAMES[code] || code;

  /** The band's text: "milk, nuts · no coriander" ("" when there is nothing). */
  const band = (allergens, note) => [allergens.map(name).join(", "), note || ""].filter(Boolean).join(" · ");

  /** Checkboxes for the codes and a note; ``value`` {allergens, allergy_note} is changed in
      place (so a page's draft survives its re-renders) and ``changed`` is told. Without
      ``withNote`` (a line's allergies) only the codes are offered. */
  function picker(value, changed = () => {}, { withNote = true, legend = t("Allergies") } = {}) {
    const chosen = new Set(value.allergens);
    const box = (code) => h("label.allergen",
      h("input", {
        type: "checkbox", name: "allergen", value: code, checked: chosen.has(code),
        onchange: (e) => {
          if (e.target.checked) chosen.add(code); else chosen.delete(code);
          value.allergens = CODES.filter((c) => chosen.has(c));
          changed(value);
        },
      }), name(code));
    const note = withNote && h("input", {
      name: "allergy_note", placeholder: t("Other allergies (free text)"), "aria-label": t("other allergies"), maxLength: 200,
      value: value.allergy_note || "",
      oninput: (e) => { value.allergy_note = e.target.value; changed(value); },
    });
    return h("fieldset.allergens", h("legend", legend), h("div.allergen-grid", CODES.map(box)), note);
  }

  POS.allergens = { CODES, name, band, picker };
})();

/* The venue's public booking page: party size (up to the venue's cap), a date, the open
   times from the planner, then name, e-mail, phone, allergies and a note. Problems come
   back naming the field, which is marked. Shared with the guest's change page
   (book-manage.js) through POS.booking. */
"use strict";
(() => {
  const { h, $, mount, toast, api, ApiError, uuid, t, tn, language } = POS;

  /** "19:30" of a slot, in the venue's timezone. */
  const timeOf = (iso, tz) => new Intl.DateTimeFormat(language, { hour: "2-digit", minute: "2-digit", timeZone: tz }).format(new Date(iso));
  const dayOf = (iso, tz) => new Intl.DateTimeFormat(language, { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", timeZone: tz }).format(new Date(iso));
  /** A number of guests as the page's language writes it. */
  const count = (n) => new Intl.NumberFormat(language).format(n);
  /** "a table for 4" (singular and plural by the party's size). */
  const party = (n) => tn("a table for {n}", "a table for {n}", n, { n: count(n) });
  const tomorrow = () => new Date(Date.now() + 86400000).toISOString().slice(0, 10);

  /** The party, date and time pickers; ``S`` {party, date, slot, slots} changes in place. */
  function whenPicker(S, venue, base, render) {
    async function find() {
      // only the latest question's answer counts: an earlier one arriving late (the party
      // changed while it was on its way) must not take the chosen time away
      const asked = (S.asked = (S.asked || 0) + 1);
      S.slot = null;
      let slots = [];
      try {
        slots = (await api("GET", `${base}/availability?date=${S.date}&party_size=${S.party}`, undefined, { token: null })).slots;
      } catch (err) {
        if (asked === S.asked) toast(err instanceof ApiError ? err.message : t("No connection"), "error");
      }
      if (asked !== S.asked) return;
      S.slots = slots;
      render();
    }
    const sizes = Array.from({ length: venue.max_party }, (_, i) => i + 1);
    return [
      h("label", t("Number of guests"), h("select", { name: "party_size", onchange: (e) => { S.party = Number(e.target.value); find(); } },
        sizes.map((n) => h("option", { value: n, selected: n === S.party }, count(n))))),
      h("p.muted", t("For more than {n} guests, please call us.", { n: count(venue.max_party) })),
      h("label", t("Date"), h("input", { type: "date", name: "date", value: S.date, min: new Date().toISOString().slice(0, 10), onchange: (e) => { S.date = e.target.value; find(); } })),
      S.slots === null ? null : S.slots.length
        ? h("div.choices.slots", S.slots.map((s) => h(`button${S.slot === s.starts_at ? ".on" : ""}`, { type: "button", onclick: () => { S.slot = s.starts_at; render(); } }, timeOf(s.starts_at, venue.timezone))))
        : h("p.muted", t("No table free that day for your party. Please try another day.")),
      find,
    ];
  }

  function markField(form, problem) {
    form.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
    const field = problem && problem.field;
    const el = field && form.querySelector(`[name='${field}']`);
    if (el) { el.classList.add("invalid"); el.focus(); }
  }

  POS.booking = { timeOf, dayOf, tomorrow, whenPicker, markField, party };

  if (document.body.dataset.page !== "book") return;
  const slug = document.body.dataset.slug;
  const base = `/api/book/${encodeURIComponent(slug)}`;
  const main = $("#main");
  const S = { venue: null, party: 2, date: tomorrow(), slots: null, slot: null, who: { allergens: [], allergy_note: "" }, typed: {}, done: null, key: uuid(), sending: false };
  /** A field whose text outlives a re-render (another time picked keeps the name typed). */
  const kept = (name, attrs) => ({ name, value: S.typed[name] || "", oninput: (e) => { S.typed[name] = e.target.value; }, ...attrs });
  let find = null;

  async function book(e) {
    e.preventDefault();
    const f = e.target.elements;
    const body = {
      name: f.name.value.trim(), party_size: S.party, starts_at: S.slot, email: f.email.value.trim(),
      phone: f.phone.value.trim() || null, allergens: S.who.allergens, allergy_note: S.who.allergy_note || "", notes: f.notes.value.trim(),
    };
    S.sending = true;
    try {
      S.done = await api("POST", `${base}/reservations`, body, { token: null, key: S.key });
      render();
    } catch (err) {
      S.sending = false;
      if (err instanceof ApiError && err.status === 409) { S.key = uuid(); toast(t("{problem}: please pick another time", { problem: err.message }), "error"); return find(); }
      if (err instanceof ApiError && err.status === 422) S.key = uuid();
      markField(e.target, err instanceof ApiError ? err.problem : null);
      toast(err instanceof ApiError ? err.message : t("No connection: please try again"), "error");
    }
  }

  function render() {
    const v = S.venue;
    if (S.done) {
      return mount(main, h("div.pane", h("div.guest-card.booked",
        h("h2", t("Booked!")),
        h("p", t("{name}, {party} at {venue}, {when}.", { name: S.done.name, party: party(S.done.party_size), venue: v.name, when: dayOf(S.done.starts_at, v.timezone) })),
        h("p", t("We sent a confirmation with a link to change or cancel.")))));
    }
    const picker = whenPicker(S, v, base, render);
    find = picker.pop();
    mount(main, h("div.pane",
      h("h2", v.name),
      h("form.booking", { onsubmit: book, novalidate: true },
        picker,
        S.slot ? [
          h("label", t("Name"), h("input", kept("name", { required: true, maxLength: 100, autocomplete: "name" }))),
          h("label", t("E-mail"), h("input", kept("email", { type: "email", required: true, maxLength: 254, autocomplete: "email" }))),
          h("label", t("Phone (optional)"), h("input", kept("phone", { type: "tel", maxLength: 40, autocomplete: "tel" }))),
          POS.allergens.picker(S.who, () => {}, { legend: t("Allergies in your party") }),
          h("label", t("Note"), h("textarea", kept("notes", { maxLength: 500, rows: 2, placeholder: t("A birthday, a high chair…") }))),
          h("button.primary.big-pay", { type: "submit", disabled: S.sending }, tn("Book for {n} at {time}", "Book for {n} at {time}", S.party, { n: count(S.party), time: timeOf(S.slot, v.timezone) })),
        ] : null)));
  }

  (async () => {
    try {
      S.venue = await api("GET", base, undefined, { token: null });
    } catch (err) {
      return mount(main, h("div.pane", h("p.center", err instanceof ApiError ? err.message : t("No connection"))));
    }
    S.party = Math.min(2, S.venue.max_party);
    render();
    find();
  })();
})();

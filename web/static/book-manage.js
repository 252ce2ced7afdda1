/* The guest's own booking, opened from the confirmation e-mail: see it, move it to
   another time or party size, or cancel it. The signed token is the only credential. */
"use strict";
(() => {
  const { h, $, mount, toast, api, ApiError, uuid, t } = POS;
  const { dayOf, whenPicker, party } = POS.booking;
  const token = document.body.dataset.token;
  const base = `/api/booking/${encodeURIComponent(token)}`;
  const main = $("#main");
  const S = { booking: null, changing: false, party: 2, date: null, slots: null, slot: null };

  async function load() {
    try {
      S.booking = await api("GET", base + "/", undefined, { token: null });
    } catch (err) {
      return mount(main, h("div.pane", h("p.center", err instanceof ApiError ? err.message : t("No connection"))));
    }
    render();
  }

  async function act(path, body, done) {
    try {
      S.booking = await api("POST", base + path, body, { token: null, key: uuid() });
      S.changing = false;
      toast(done, "ok");
      if (path === "/change") return location.replace(S.booking.manage_url);
    } catch (err) {
      toast(err instanceof ApiError ? err.message : t("No connection: please try again"), "error");
    }
    render();
  }

  function change() {
    const b = S.booking;
    S.changing = true;
    S.party = b.party_size;
    S.date = new Intl.DateTimeFormat("en-CA", { timeZone: b.timezone }).format(new Date(b.starts_at));
    render();
    find();
  }

  let find = () => {};
  function render() {
    const b = S.booking;
    const open = b.status === "booked" || b.status === "confirmed";
    let picker = null;
    if (S.changing) {
      picker = whenPicker(S, { max_party: b.max_party, timezone: b.timezone }, `/api/book/${encodeURIComponent(b.slug)}`, render);
      find = picker.pop();
    }
    mount(main, h("div.pane",
      h("div.guest-card.booking", { "data-status": b.status },
        h("h2", b.venue),
        h("p", t("{name}: {party}, {when}.", { name: b.name, party: party(b.party_size), when: dayOf(b.starts_at, b.timezone) })),
        b.status === "cancelled" ? h("p.total", t("Cancelled")) : null,
        b.allergens.length || b.allergy_note ? h("p.muted", t("Allergies: {allergies}", { allergies: POS.allergens.band(b.allergens, b.allergy_note) })) : null),
      open && !S.changing ? h("div.choices",
        h("button", { onclick: change }, t("Change")),
        h("button.danger", { onclick: () => act("/cancel", undefined, t("Your booking is cancelled")) }, t("Cancel the booking"))) : null,
      S.changing ? h("div.guest-card", picker,
        h("button.primary", { disabled: !S.slot, onclick: () => act("/change", { party_size: S.party, starts_at: S.slot }, t("Your booking is moved")) }, t("Move my booking"))) : null));
  }

  load();
})();

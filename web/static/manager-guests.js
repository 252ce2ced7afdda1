/* The manager page's Guests section: what guests may do on their own phones (order at
   the table, the receipt after payment, the booking page's party cap), the venue's
   booking page link, and the table tents: each table's QR code to print or download,
   and new codes when a tent went missing (docs/guests.md). */
"use strict";
(() => {
  const { h, mount, toast, api, ApiError, t } = POS;
  const failed = (err) => toast(err instanceof ApiError ? err.message : t("No connection"), "error");
  const svgSrc = (svg) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

  async function guests() {
    const view = document.getElementById("view");
    const [settings, tents, venue] = await Promise.all([
      api("GET", "/api/venue/guest-settings"), api("GET", "/api/tables/order-links"), api("GET", "/api/venue")]);
    const mode = h("select", { name: "guest_ordering" },
      [["off", t("Off")], ["confirm", t("The waiter confirms")], ["direct", t("Straight to the kitchen")]].map(([v, label]) => h("option", { value: v, selected: settings.guest_ordering === v }, label)));
    const receipt = h("input", { type: "checkbox", name: "print_receipt_after_payment", checked: settings.print_receipt_after_payment, style: { width: "auto" } });
    const party = h("input", { type: "number", name: "booking_max_party", min: 1, max: 99, value: settings.booking_max_party });
    async function save(ev) {
      ev.preventDefault();
      try {
        await api("PUT", "/api/venue/guest-settings", { guest_ordering: mode.value, print_receipt_after_payment: receipt.checked, booking_max_party: Number(party.value) });
        toast(t("Saved"), "ok");
      } catch (err) { failed(err); }
    }
    async function rotate(path, what) {
      const stop = t("The printed codes stop working.");
      if (!confirm(`${what} ${stop}`)) return;
      try {
        await api("POST", path, {});
        mount(view, await guests());
      } catch (err) { failed(err); }
    }
    const booking = `${location.origin}/book/${venue.slug}`;
    return [
      h("h2", t("Guests")),
      h("form.guest-settings", { onsubmit: save },
        h("label", t("Ordering at the table by QR"), " ", mode),
        h("label.row", receipt, t("Print the receipt when a check is paid")),
        h("label", t("Largest party booked online"), " ", party),
        h("button.primary", { type: "submit" }, t("Save"))),
      h("p", t("Booking page:"), " ", h("a", { href: booking, target: "_blank", rel: "noopener" }, booking)),
      h("h2", t("Table tents")),
      h("div.row", h("button", { onclick: () => window.print() }, t("Print the table tents")),
        h("button.danger", { onclick: () => rotate("/api/tables/order-links/rotate", t("New codes for every table?")) }, t("New codes for all tables"))),
      h("div.tents", tents.map((tent) => h("figure.tent", { "data-table": tent.table },
        h("img", { src: svgSrc(tent.qr_svg), alt: t("QR code of table {table}", { table: tent.table }), width: 160, height: 160 }),
        h("figcaption", t("Table {table}", { table: tent.table })),
        h("div.row",
          h("a", { href: svgSrc(tent.qr_svg), download: `table-${tent.table}.svg` }, t("Download")),
          h("button.link", { onclick: () => rotate(`/api/tables/${tent.table_id}/order-link/rotate`, t("A new code for table {table}?", { table: tent.table })) }, t("New code")))))),
    ];
  }

  POS.managerSections.guests = [t("Guests"), guests];
})();

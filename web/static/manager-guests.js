/* The manager page's Guests section: what guests may do on their own phones (order at
   the table, the receipt after payment, the booking page's party cap), the venue's
   booking page link, and the table tents: each table's QR code to print or download,
   and new codes when a tent went missing (docs/guests.md). */
"use strict";
(() => {
  const { h, mount, toast, api, ApiError } = POS;
  const failed = (err) => toast(err instanceof ApiError ? err.message : "No connection", "error");
  const svgSrc = (svg) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

  async function guests() {
    const view = document.getElementById("view");
    const [settings, tents, venue] = await Promise.all([
      api("GET", "/api/venue/guest-settings"), api("GET", "/api/tables/order-links"), api("GET", "/api/venue")]);
    const mode = h("select", { name: "guest_ordering" },
      [["off", "Off"], ["confirm", "The waiter confirms"], ["direct", "Straight to the kitchen"]].map(([v, label]) => h("option", { value: v, selected: settings.guest_ordering === v }, label)));
    const receipt = h("input", { type: "checkbox", name: "print_receipt_after_payment", checked: settings.print_receipt_after_payment, style: { width: "auto" } });
    const party = h("input", { type: "number", name: "booking_max_party", min: 1, max: 99, value: settings.booking_max_party });
    async function save(ev) {
      ev.preventDefault();
      try {
        await api("PUT", "/api/venue/guest-settings", { guest_ordering: mode.value, print_receipt_after_payment: receipt.checked, booking_max_party: Number(party.value) });
        toast("Saved", "ok");
      } catch (err) { failed(err); }
    }
    async function rotate(path, what) {
      if (!confirm(`${what} The printed codes stop working.`)) return;
      try {
        await api("POST", path, {});
        mount(view, await guests());
      } catch (err) { failed(err); }
    }
    const booking = `${location.origin}/book/${venue.slug}`;
    return [
      h("h2", "Guests"),
      h("form.guest-settings", { onsubmit: save },
        h("label", "Ordering at the table by QR ", mode),
        h("label.row", receipt, "Print the receipt when a check is paid"),
        h("label", "Largest party booked online ", party),
        h("button.primary", { type: "submit" }, "Save")),
      h("p", "Booking page: ", h("a", { href: booking, target: "_blank", rel: "noopener" }, booking)),
      h("h2", "Table tents"),
      h("div.row", h("button", { onclick: () => window.print() }, "Print"),
        h("button.danger", { onclick: () => rotate("/api/tables/order-links/rotate", "New codes for every table?") }, "New codes for all tables")),
      h("div.tents", tents.map((t) => h("figure.tent", { "data-table": t.table },
        h("img", { src: svgSrc(t.qr_svg), alt: `QR code of table ${t.table}`, width: 160, height: 160 }),
        h("figcaption", `Table ${t.table}`),
        h("div.row",
          h("a", { href: svgSrc(t.qr_svg), download: `table-${t.table}.svg` }, "Download"),
          h("button.link", { onclick: () => rotate(`/api/tables/${t.table_id}/order-link/rotate`, `A new code for table ${t.table}?`) }, "New code"))))),
    ];
  }

  POS.managerSections.guests = ["Guests", guests];
})();

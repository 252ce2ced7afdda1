/* Printers on the manager's page: their status, and adding or changing one with the
   stations it prints for and the backup that takes its jobs when it fails. */
"use strict";
(() => {
  const { h, toast, api, ApiError, clock, t } = POS;

  /** A printer's state and role as staff read them (the API sends codes). */
  const STATES = { online: t("online"), offline: t("offline"), paper_out: t("paper out"), cover_open: t("cover open"), unknown: t("unknown") };
  const ROLES = { kitchen: t("kitchen"), bar: t("bar"), receipt: t("receipts") };
  const CONNECTIONS = { network: t("network"), file: t("file"), usb: "USB", serial: t("serial port") };

  async function printers({ show, failed, box }) {
    const [list, menu] = await Promise.all([api("GET", "/api/printers"), api("GET", "/api/menu")]);
    const stations = menu.stations || [];
    const names = new Map(list.map((p) => [p.id, p.name]));
    const refuse = (err) => { toast(err instanceof ApiError && err.problem.field ? `${err.message} (${err.problem.field})` : err.message, "error"); };
    const write = (method, path, body, label) => box.push(method, path, body, label).then(() => { toast(label, "ok"); show("printers"); }, refuse);

    function form(p) {
      const id = p ? p.id : "new";
      const opt = (value, label, on) => h("option", { value, selected: on }, label);
      const el = h("form.panel", { "data-printer": p ? p.name : "new", onsubmit: (ev) => {
        ev.preventDefault();
        const e = el.elements;
        const body = { name: e.name.value.trim(), connection: e.connection.value, address: e.address.value.trim(), role: e.role.value,
          width: Number(e.width.value), language: e.language.value, backup_id: e.backup.value ? Number(e.backup.value) : null,
          station_ids: [...el.querySelectorAll("[name=station]:checked")].map((c) => Number(c.value)) };
        if (p) write("PATCH", `/api/printers/${p.id}`, { version: p.version, ...body }, t("{name} saved", { name: body.name }));
        else write("POST", "/api/printers", body, t("{name} added", { name: body.name }));
      } },
      h("h2", p ? p.name : t("New printer")),
      h("div.row", h("label.grow", t("Name"), h("input", { name: "name", value: p ? p.name : "", maxLength: 64, required: true })),
        h("label.grow", t("Prints"), h("select", { name: "role" }, [["kitchen", t("kitchen tickets")], ["bar", t("bar tickets")], ["receipt", t("bills and receipts")]].map(([k, l]) => opt(k, l, p && p.role === k))))),
      h("div.row", h("label.grow", t("Connection"), h("select", { name: "connection" }, Object.entries(CONNECTIONS).map(([c, label]) => opt(c, label, p && p.connection === c)))),
        h("label.grow", t("Address (host:port, path or device)"), h("input", { name: "address", value: p ? p.address : "", placeholder: "192.168.1.50:9100", maxLength: 300, required: true })),
        h("label", t("Width"), h("select", { name: "width" }, [42, 48, 32].map((w) => opt(w, t("{n} columns", { n: w }), p && p.width === w)))),
        h("label", t("Tickets in"), h("select", { name: "language" }, [["en", "English"], ["nl", "Nederlands"], ["de", "Deutsch"]]
          .map(([code, label]) => opt(code, label, p ? p.language === code : code === POS.language))))),
      h("p.muted", t("Stations it prints for")),
      h("div.checks", { "data-field": "station_ids" }, stations.length ? stations.map((s) => h("label", h("input", { type: "checkbox", name: "station", value: s.id, checked: p ? p.station_ids.includes(s.id) : false }), s.name))
        : h("span.muted", t("no stations yet"))),
      h("label", t("Backup (takes its jobs when it fails)"), h("select", { name: "backup" }, opt("", t("none"), !p || p.backup_id === null),
        list.filter((o) => !p || o.id !== p.id).map((o) => opt(o.id, o.name, p && p.backup_id === o.id)))),
      h("button.primary", { type: "submit", id: `save-printer-${id}` }, p ? t("Save") : t("Add printer")));
      return el;
    }

    return [
      h("table.grid", h("tr", [t("Printer"), t("Role"), t("Connection"), t("Stations"), t("Backup"), t("Status"), t("Last seen"), t("Waiting jobs")].map((x) => h("th", x))),
        list.map((p) => h("tr", h("td", p.name), h("td", ROLES[p.role] || p.role), h("td", `${CONNECTIONS[p.connection] || p.connection} ${p.address}`),
          h("td", stations.filter((s) => p.station_ids.includes(s.id)).map((s) => s.name).join(", ") || "–"),
          h("td", p.backup_id ? names.get(p.backup_id) || `#${p.backup_id}` : "–"),
          h("td", h(`span.status-${p.status}`, STATES[p.status] || p.status), p.status_detail ? h("small.muted", ` ${p.status_detail}`) : null),
          h("td", p.last_seen ? clock(new Date(p.last_seen)) : "–"), h("td.amount", p.queued)))),
      h("div.row", { style: { alignItems: "flex-start" } }, form(null), list.map(form)),
    ];
  }

  (POS.managerSections = POS.managerSections || {}).printers = [t("Printers"), printers];
})();

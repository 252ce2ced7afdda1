/* Staff on the manager's page: add a member with roles and a PIN, change roles, reset a
   PIN, deactivate and reactivate. */
"use strict";
(() => {
  const { h, toast, api, ApiError, t } = POS;
  /** The languages a member's pages may speak, each named in itself; "" is the venue's. */
  const LANGUAGES = [["", t("Venue's language")], ["en", "English"], ["nl", "Nederlands"], ["de", "Deutsch"]];
  const ROLES = ["waiter", "host", "kitchen", "bar", "manager", "printer", "owner"];
  /** Each role's name as staff read it. */
  const ROLE_NAMES = { waiter: t("waiter"), host: t("host"), kitchen: t("kitchen"), bar: t("bar"), manager: t("manager"), printer: t("printer"), owner: t("owner") };

  async function staff({ show, failed, box }) {
    const list = await api("GET", "/api/staff");
    const me = POS.session.staff || { roles: [] };
    const grantable = ROLES.filter((r) => r !== "owner" || me.roles.includes("owner"));
    const refuse = (err) => { toast(err instanceof ApiError && err.problem.field ? `${err.message} (${err.problem.field})` : err.message, "error"); show("staff"); };
    const write = (method, path, body, label) => box.push(method, path, body, label).then(() => { toast(label, "ok"); show("staff"); }, refuse);
    const roleBoxes = (name, checked) => h("div.checks", { "data-field": "roles" }, grantable.map((r) =>
      h("label", h("input", { type: "checkbox", name, value: r, checked: checked.includes(r) }), ROLE_NAMES[r])));
    const picked = (el, name) => [...el.querySelectorAll(`[name=${name}]:checked`)].map((c) => c.value);

    const add = h("form.panel", { id: "new-staff", onsubmit: (ev) => {
      ev.preventDefault();
      const e = add.elements;
      write("POST", "/api/staff", { name: e.name.value.trim(), roles: picked(add, "new-role"), pin: e.pin.value }, t("{name} added", { name: e.name.value.trim() }));
    } },
    h("h2", t("New staff member")),
    h("div.row", h("label.grow", t("Name"), h("input", { name: "name", maxLength: 100, required: true })),
      h("label.grow", t("PIN (4 to 8 digits)"), h("input", { name: "pin", inputMode: "numeric", maxLength: 8, required: true, autocomplete: "off" }))),
    roleBoxes("new-role", ["waiter"]),
    h("button.primary", { type: "submit" }, t("Add")));

    const rows = list.map((m) => {
      const pin = h("input", { name: "pin", inputMode: "numeric", maxLength: 8, placeholder: t("new PIN"), "aria-label": t("new PIN for {name}", { name: m.name }), autocomplete: "off" });
      const roles = roleBoxes(`roles-${m.id}`, m.roles);
      const patch = (body, label) => write("PATCH", `/api/staff/${m.id}`, { version: m.version, ...body }, label);
      return h(`tr${m.active ? "" : ".muted"}`, { "data-staff": m.name },
        h("td", m.name, m.home_venue ? h("small.muted", " ", t("from {venue}", { venue: m.home_venue })) : null),
        h("td", roles, h("button", { onclick: () => patch({ roles: picked(roles, `roles-${m.id}`) }, t("{name}: roles saved", { name: m.name })) }, t("Save roles"))),
        h("td", m.home_venue ? h("span.muted", t("kept at home venue")) : h("div.row", pin, h("button", { onclick: () => {
          if (!/^\d{4,8}$/.test(pin.value)) return toast(t("A PIN is 4 to 8 digits"), "error");
          patch({ pin: pin.value }, t("{name}: PIN reset", { name: m.name }));
        } }, t("Reset PIN")))),
        h("td", h("select", { name: "language", "aria-label": t("Language of {name}", { name: m.name }),
          onchange: (ev) => patch({ language: ev.target.value || null }, t("{name}: language saved", { name: m.name })) },
        LANGUAGES.map(([code, label]) => h("option", { value: code, selected: (m.language || "") === code }, label)))),
        h("td", h(`button${m.active ? ".danger" : ""}`, { onclick: () => patch({ active: !m.active }, m.active ? t("{name} deactivated", { name: m.name }) : t("{name} active again", { name: m.name })) },
          m.active ? t("Deactivate") : t("Reactivate"))));
    });
    return [add, h("table.grid", h("tr", [t("Name"), t("Roles"), t("PIN"), t("Language"), t("Sign-in")].map((x) => h("th", x))), rows)];
  }

  (POS.managerSections = POS.managerSections || {}).staff = [t("Staff"), staff];
})();

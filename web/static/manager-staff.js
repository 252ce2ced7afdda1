/* Staff on the manager's page: add a member with roles and a PIN, change roles, reset a
   PIN, deactivate and reactivate. */
"use strict";
(() => {
  const { h, toast, api, ApiError, t } = POS;
  /** The languages a member's pages may speak, each named in itself; "" is the venue's. */
  const LANGUAGES = [["", t("Venue's language")], ["en", "English"], ["nl", "Nederlands"], ["de", "Deutsch"]];
  const ROLES = ["waiter", "host", "kitchen", "bar", "manager", "printer", "owner"];

  async function staff({ show, failed, box }) {
    const list = await api("GET", "/api/staff");
    const me = POS.session.staff || { roles: [] };
    const grantable = ROLES.filter((r) => r !== "owner" || me.roles.includes("owner"));
    const refuse = (err) => { toast(err instanceof ApiError && err.problem.field ? `${err.message} (${err.problem.field})` : err.message, "error"); show("staff"); };
    const write = (method, path, body, label) => box.push(method, path, body, label).then(() => { toast(label, "ok"); show("staff"); }, refuse);
    const roleBoxes = (name, checked) => h("div.checks", { "data-field": "roles" }, grantable.map((r) =>
      h("label", h("input", { type: "checkbox", name, value: r, checked: checked.includes(r) }), r)));
    const picked = (el, name) => [...el.querySelectorAll(`[name=${name}]:checked`)].map((c) => c.value);

    const add = h("form.panel", { id: "new-staff", onsubmit: (ev) => {
      ev.preventDefault();
      const e = add.elements;
      write("POST", "/api/staff", { name: e.name.value.trim(), roles: picked(add, "new-role"), pin: e.pin.value }, `${e.name.value.trim()} added`);
    } },
    h("h2", "New staff member"),
    h("div.row", h("label.grow", "Name", h("input", { name: "name", maxLength: 100, required: true })),
      h("label.grow", "PIN (4 to 8 digits)", h("input", { name: "pin", inputMode: "numeric", maxLength: 8, required: true, autocomplete: "off" }))),
    roleBoxes("new-role", ["waiter"]),
    h("button.primary", { type: "submit" }, "Add"));

    const rows = list.map((m) => {
      const pin = h("input", { name: "pin", inputMode: "numeric", maxLength: 8, placeholder: "new PIN", "aria-label": `new PIN for ${m.name}`, autocomplete: "off" });
      const roles = roleBoxes(`roles-${m.id}`, m.roles);
      const patch = (body, label) => write("PATCH", `/api/staff/${m.id}`, { version: m.version, ...body }, label);
      return h(`tr${m.active ? "" : ".muted"}`, { "data-staff": m.name },
        h("td", m.name, m.home_venue ? h("small.muted", ` from ${m.home_venue}`) : null),
        h("td", roles, h("button", { onclick: () => patch({ roles: picked(roles, `roles-${m.id}`) }, `${m.name}: roles saved`) }, "Save roles")),
        h("td", m.home_venue ? h("span.muted", "kept at home venue") : h("div.row", pin, h("button", { onclick: () => {
          if (!/^\d{4,8}$/.test(pin.value)) return toast("A PIN is 4 to 8 digits", "error");
          patch({ pin: pin.value }, `${m.name}: PIN reset`);
        } }, "Reset PIN"))),
        h("td", h("select", { name: "language", "aria-label": t("Language of {name}", { name: m.name }),
          onchange: (ev) => patch({ language: ev.target.value || null }, t("{name}: language saved", { name: m.name })) },
        LANGUAGES.map(([code, label]) => h("option", { value: code, selected: (m.language || "") === code }, label)))),
        h("td", h(`button${m.active ? ".danger" : ""}`, { onclick: () => patch({ active: !m.active }, m.active ? `${m.name} deactivated` : `${m.name} active again`) },
          m.active ? "Deactivate" : "Reactivate")));
    });
    return [add, h("table.grid", h("tr", ["Name", "Roles", "PIN", t("Language"), "Sign-in"].map((x) => h("th", x))), rows)];
  }

  (POS.managerSections = POS.managerSections || {}).staff = ["Staff", staff];
})();

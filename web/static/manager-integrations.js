/* The manager page's Integrations section: API keys for other systems. Make a key with
   its scopes (shown once, right after making or rotating it), see each key's last use,
   rotate and revoke. See docs/integrations.md. */
"use strict";
(() => {
  const { h, mount, toast, api, ApiError, t } = POS;
  const failed = (err) => toast(err instanceof ApiError ? err.message : t("No connection"), "error");
  const SCOPES = {
    "menu:read": t("Read the menu"),
    "menu:write": t("Change the menu"),
    "orders:read": t("Read checks and bills"),
    "orders:write": t("Take orders and payments"),
    "sales:read": t("Read sales and exports"),
    "guests:read": t("Read guests"),
    "reservations:read": t("Read reservations"),
    "reservations:write": t("Book reservations"),
    "stock:read": t("Read stock"),
    webhooks: t("Receive webhooks"),
  };
  const when = (at) => (at ? new Date(at).toLocaleString(POS.language) : t("never"));

  // The manager page calls a section with its context; a key just made comes as `made`.
  async function integrations(made) {
    const view = document.getElementById("view");
    const list = await api("GET", "/api/api-keys");
    const name = h("input", { id: "key-name", required: true, maxLength: 100, placeholder: t("e.g. Accounting") });
    const rate = h("input", { id: "key-rate", type: "number", min: 1, max: 6000, value: 600 });
    const boxes = Object.entries(SCOPES).map(([scope, label]) =>
      h("label", h("input", { type: "checkbox", value: scope, "data-scope": scope }), ` ${label}`));
    const shown = h("div", { id: "key-shown" });
    const show = (r) => mount(shown, h("p", t("The key for {name}, shown this once: copy it now.", { name: r.name })),
      h("p.big", h("code", { id: "key-value" }, r.key)));
    async function make(ev) {
      ev.preventDefault();
      const scopes = boxes.map((b) => b.querySelector("input")).filter((i) => i.checked).map((i) => i.value);
      if (!scopes.length) { toast(t("Choose at least one scope"), "error"); return; }
      try {
        const r = await api("POST", "/api/api-keys", { name: name.value.trim(), scopes, rate_per_minute: Number(rate.value) });
        mount(view, await integrations(r));
      } catch (err) { failed(err); }
    }
    async function rotate(k) {
      if (!confirm(t("Rotate the key of {name}? The old key stops working at once.", { name: k.name }))) return;
      try {
        const r = await api("POST", `/api/api-keys/${k.id}/rotate`, {});
        mount(view, await integrations(r));
      } catch (err) { failed(err); }
    }
    async function revoke(k) {
      if (!confirm(t("Revoke the key of {name}? It stops working at once.", { name: k.name }))) return;
      try {
        await api("POST", `/api/api-keys/${k.id}/revoke`, {});
        mount(view, await integrations());
      } catch (err) { failed(err); }
    }
    if (made && made.key) show(made);
    const actions = (k) => (k.revoked_at ? t("revoked {when}", { when: when(k.revoked_at) })
      : [h("button", { onclick: () => rotate(k) }, t("Rotate")), " ", h("button.danger", { onclick: () => revoke(k) }, t("Revoke"))]);
    return [
      h("h2", t("Make an API key")),
      h("form", { id: "key-form", onsubmit: make },
        h("div.row", h("label", t("Name"), " ", name), h("label", t("Calls a minute"), " ", rate)),
        h("div.row", boxes),
        h("button.primary", { type: "submit" }, t("Make the key"))),
      shown,
      h("h2", t("API keys")),
      h("table.grid", { id: "api-keys" }, h("thead", h("tr", h("th", t("Name")), h("th", t("Key")), h("th", t("Scopes")), h("th", t("Last used")), h("th", ""))),
        h("tbody", list.map((k) => h(`tr${k.revoked_at ? ".muted" : ""}`, { "data-key": k.id },
          h("td", k.name), h("td", h("code", `${k.prefix}…`)), h("td", k.scopes.map((s) => SCOPES[s] || s).join(", ")),
          h("td", when(k.last_used_at)), h("td", actions(k)))))),
    ];
  }

  POS.managerSections.integrations = [t("Integrations"), integrations];
})();

/* The manager page's Devices section: pair a device with a one-time code, see the
   enrolled devices (name, kind, last seen) and revoke them. Also shows sign-in alerts
   (topic "alerts": locks after wrong PINs, bursts) as they happen. */
"use strict";
(() => {
  const { h, mount, toast, api, ApiError, t } = POS;
  const failed = (err) => toast(err instanceof ApiError ? err.message : t("No connection"), "error");
  const KINDS = { handheld: t("Handheld"), kitchen: t("Kitchen screen"), host: t("Host stand"), printer: t("Print agent"), manager: t("Back office") };
  const when = (at) => (at ? new Date(at).toLocaleString(POS.language) : t("never"));

  async function devices() {
    const view = document.getElementById("view");
    const list = await api("GET", "/api/devices");
    const name = h("input", { id: "pair-name", required: true, maxLength: 100, placeholder: t("e.g. Terrace handheld") });
    const kind = h("select", { id: "pair-kind" }, Object.entries(KINDS).map(([k, label]) => h("option", { value: k }, label)));
    const shown = h("div", { id: "pairing-code" });
    async function makeCode(ev) {
      ev.preventDefault();
      try {
        const r = await api("POST", "/api/devices/pairings", { name: name.value.trim(), kind: kind.value });
        mount(shown, h("p", t("Enter this code on the device (valid 10 minutes, once):")),
          h("p.big", h("b", { id: "pairing-code-value" }, r.code)));
      } catch (err) { failed(err); }
    }
    async function revoke(d) {
      if (!confirm(t("Revoke {name}? Everyone signed in on it is signed out.", { name: d.name }))) return;
      try {
        await api("POST", `/api/devices/${d.id}/revoke`, {});
        mount(view, await devices());
      } catch (err) { failed(err); }
    }
    return [
      h("h2", t("Pair a device")),
      h("form.row", { onsubmit: makeCode }, h("label", t("Name"), " ", name), h("label", t("Kind"), " ", kind), h("button.primary", { type: "submit" }, t("Make a pairing code"))),
      shown,
      h("h2", t("Devices")),
      h("table.grid", { id: "devices" }, h("thead", h("tr", h("th", t("Name")), h("th", t("Kind")), h("th", t("Last seen")), h("th", ""))),
        h("tbody", list.map((d) => h(`tr${d.revoked_at ? ".muted" : ""}`, { "data-device": d.id },
          h("td", d.name), h("td", KINDS[d.kind] || d.kind), h("td", when(d.last_seen_at)),
          h("td", d.revoked_at ? t("revoked {when}", { when: when(d.revoked_at) }) : h("button.danger", { onclick: () => revoke(d) }, t("Revoke"))))))),
    ];
  }

  function alerts() {
    POS.live(["alerts"], {
      event(msg) {
        if (msg.type === "auth.locked") toast(t("Sign-in locked after {failures} wrong PINs: {subject} for {seconds} s", msg.data), "error");
        else if (msg.type === "auth.burst") toast(t("{failures} wrong PINs in a short time at this venue", msg.data), "error");
      },
    });
  }

  POS.managerSections.devices = [t("Devices"), devices];
  POS.managerStarts.push(alerts);
})();

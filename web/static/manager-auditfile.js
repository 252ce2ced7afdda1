/* The audit file on the manager's page: the SAF-T Cash Register file of the closed
   business days of a period, downloaded as XML (docs/audit-file.md). */
"use strict";
(() => {
  const { h, toast, ApiError, session, t } = POS;

  async function download(from, to) {
    const headers = { Accept: "application/xml" };
    if (session.token) headers.Authorization = `Bearer ${session.token}`;
    const r = await fetch(`/api/audit-file?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { headers });
    if (!r.ok) {
      const problem = (r.headers.get("content-type") || "").includes("json") ? await r.json() : null;
      throw new ApiError(r.status, problem);
    }
    const url = URL.createObjectURL(await r.blob());
    const link = h("a", { href: url, download: `saf-t-${from}-${to}.xml` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  async function auditFile() {
    const today = new Date().toISOString().slice(0, 10);
    const from = h("input", { type: "date", name: "from", value: today, required: true, "aria-label": t("first business day") });
    const to = h("input", { type: "date", name: "to", value: today, required: true, "aria-label": t("last business day") });
    const form = h("form.panel", { "data-form": "audit-file", onsubmit: (ev) => {
      ev.preventDefault();
      download(from.value, to.value).then(() => toast(t("Audit file downloaded"), "ok"), (err) =>
        toast(err instanceof ApiError && err.problem.field ? `${err.message} (${err.problem.field})` : err.message, "error"));
    } },
    h("label", t("From"), from), h("label", t("To"), to), h("button", { type: "submit" }, t("Download audit file")));
    return [h("p.muted", t("The closed business days of a period as a SAF-T Cash Register file (XML), the audit file tax inspectors ask for. Days still open are not in it.")), form];
  }

  (POS.managerSections = POS.managerSections || {}).auditfile = [t("Audit file"), auditFile];
})();

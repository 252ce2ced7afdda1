/* The waiter's notices on the handheld: a course the pass called up for pickup
   (``course.pickup`` on ``floor``) shows as a banner with the table and course, for the
   check's own waiter. It never blocks the page: it sits above it, until tapped away or
   the course is served. Kept apart from handheld.js; it only listens to live events. */
"use strict";
(() => {
  const { h, $, t } = POS;
  const FRESH = 10 * 60000; // a call replayed after a long gap is old news
  const shown = new Map(); // "check/course" -> banner

  function tray() {
    let el = $("#notices");
    if (!el) {
      el = h("div.notices#notices", { role: "status", "aria-live": "assertive" });
      document.body.insertBefore(el, $("#main"));
    }
    return el;
  }

  function dismiss(key) {
    const el = shown.get(key);
    if (el) { el.remove(); shown.delete(key); }
  }

  function pickup(d) {
    const me = POS.session.staff;
    if (d.waiter_id !== null && me && d.waiter_id !== me.id) return;
    if (POS.now() - Date.parse(d.pickup_at) > FRESH) return;
    const key = `${d.check_id}/${d.course}`;
    dismiss(key);
    const el = h("div.notice", { "data-check": d.check_id, "data-course": d.course },
      h("span", h("b", t("Table {table}", { table: d.table || "–" })), " · ", t("{course} is up for pickup", { course: d.course })),
      h("button", { "aria-label": t("dismiss"), onclick: () => dismiss(key) }, t("OK")));
    shown.set(key, el);
    tray().append(el);
    if (navigator.vibrate) navigator.vibrate([120, 60, 120]);
  }

  POS.onLive((msg) => {
    if (msg.topic !== "floor") return; // the same call may come on the open check's socket too
    if (msg.type === "course.pickup") pickup(msg.data);
    else if (msg.type === "course.served") dismiss(`${msg.data.check_id}/${msg.data.course}`);
  });
})();

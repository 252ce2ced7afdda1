/* The pickup screen: order numbers, "preparing" and "ready", kept live from the
   `pickup` topic (numbers and states only; docs/takeaway.md). */
"use strict";
(() => {
  const { h, $, mount, api, live, boot } = POS;
  const orders = new Map();
  let socket = null;

  function render() {
    const list = [...orders.values()].filter((o) => o.number !== null && o.state !== "collected")
      .sort((a, b) => a.number - b.number);
    const item = (o) => h("li.pickup-number", { "data-number": o.number, "data-state": o.state }, String(o.number));
    mount($("#preparing"), list.filter((o) => o.state === "held" || o.state === "preparing").map(item));
    mount($("#ready"), list.filter((o) => o.state === "ready").map(item));
  }

  function apply(order) {
    orders.set(order.order_id, order);
    render();
  }

  async function load() {
    const board = await api("GET", "/api/pickup");
    orders.clear();
    board.orders.forEach(apply);
    render();
  }

  boot({
    roles: ["waiter", "host", "kitchen", "bar"],
    async start() {
      await load();
      socket = live(["pickup"], {
        event(msg) {
          if (msg.type === "snapshot") { orders.clear(); msg.data.orders.forEach(apply); render(); }
          else if (msg.type === "pickup.changed") apply(msg.data);
        },
      });
    },
    resumed() { load(); },
  });
  window.addEventListener("pagehide", () => socket && socket.close());
})();

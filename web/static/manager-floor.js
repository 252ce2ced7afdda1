/* The floor plan editor of the manager's page: areas, and tables dragged into place,
   sized, shaped, seated and linked to the neighbours they can be pushed together with.
   Every change is one API call with the table's version; host stands and handhelds get
   it live on the ``floor`` topic. */
"use strict";
(() => {
  const { h, $, mount, toast, api, ApiError } = POS;
  const PLAN_W = 1000, PLAN_H = 600, GRID = 10;
  const E = { area: null, selected: null, dragging: false };
  POS.busy = () => E.dragging;
  const snap = (v) => Math.round(v / GRID) * GRID;
  const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));

  function overlaps(a, b) {
    return 2 * Math.abs(a.x - b.x) < a.width + b.width && 2 * Math.abs(a.y - b.y) < a.height + b.height;
  }

  /** A free spot for a new table of ``w`` x ``hh`` among ``tables``, scanning the plan. */
  function freeSpot(tables, w, hh) {
    for (let y = 80; y < PLAN_H - hh / 2; y += 20) {
      for (let x = 80; x < PLAN_W - w / 2; x += 20) {
        const box = { x, y, width: w + 60, height: hh + 60 };
        if (!tables.some((t) => overlaps(box, t))) return { x, y };
      }
    }
    return { x: 60, y: 60 };
  }

  async function plan(ctx) {
    const { show, failed, box } = ctx;
    const floor = await api("GET", "/api/floor");
    const areas = floor.areas;
    const area = areas.find((a) => a.id === E.area) || areas[0] || null;
    E.area = area && area.id;
    const write = (method, path, body, label) => box.push(method, path, body, label).then((r) => { toast(label, "ok"); return r; });
    const refuse = (err) => {
      if (err instanceof ApiError && err.problem.field) toast(`${err.message} (${err.problem.field})`, "error");
      else failed(err);
      show("plan");
    };

    const newArea = h("input", { name: "area-name", placeholder: POS.t("e.g. Terrace"), maxLength: 100, "aria-label": POS.t("new area name") });
    const tabs = h("div.tabs",
      areas.map((a) => h(`button${a.id === E.area ? ".on" : ""}`, { "data-area": a.name, onclick: () => { E.area = a.id; E.selected = null; show("plan"); } }, a.name)),
      h("form.row", { onsubmit: (ev) => {
        ev.preventDefault();
        if (!newArea.value.trim()) return toast(POS.t("Name the area"), "error");
        write("POST", "/api/floor/areas", { name: newArea.value.trim(), position: areas.length }, POS.t("Area {name} added", { name: newArea.value.trim() }))
          .then((a) => { E.area = a.id; show("plan"); }, refuse);
      } }, newArea, h("button", { type: "submit" }, POS.t("+ Area"))));
    if (!area) return [h("p.muted", POS.t("No areas yet: add a room or a terrace, then place its tables.")), tabs];

    const tables = area.tables;
    const byId = new Map(tables.map((t) => [t.id, t]));
    const canvas = h("div.plan", { style: { aspectRatio: `${PLAN_W} / ${PLAN_H}` }, "data-plan": area.name });
    const scale = () => canvas.clientWidth / PLAN_W;

    function place(el, t) {
      Object.assign(el.style, {
        left: `${((t.x - t.width / 2) / PLAN_W) * 100}%`, top: `${((t.y - t.height / 2) / PLAN_H) * 100}%`,
        width: `${(t.width / PLAN_W) * 100}%`, height: `${(t.height / PLAN_H) * 100}%` });
    }

    // neighbour links
    const SVG = "http://www.w3.org/2000/svg";
    const links = document.createElementNS(SVG, "svg");
    links.setAttribute("viewBox", `0 0 ${PLAN_W} ${PLAN_H}`);
    for (const t of tables) for (const n of t.combinable_with) {
      const o = byId.get(n);
      if (!o || o.id < t.id) continue;
      const line = document.createElementNS(SVG, "line");
      Object.entries({ x1: t.x, y1: t.y, x2: o.x, y2: o.y, stroke: "#1663c7", "stroke-width": 3, "stroke-dasharray": "8 6" }).forEach(([k, v]) => line.setAttribute(k, v));
      links.append(line);
    }
    canvas.append(links);

    for (const t of tables) {
      const el = h(`div.ptable${t.shape === "round" ? ".round" : ""}${t.id === E.selected ? ".sel" : ""}`,
        { "data-table": t.name, title: POS.t("{name}: {n} seats", { name: t.name, n: t.capacity }) }, t.name, h("small", POS.t("{n} seats", { n: t.capacity })));
      place(el, t);
      el.addEventListener("pointerdown", (ev) => {
        ev.preventDefault();
        el.setPointerCapture(ev.pointerId);
        const start = { x: ev.clientX, y: ev.clientY, tx: t.x, ty: t.y };
        const moved = { x: t.x, y: t.y };
        E.dragging = true;
        const move = (e) => {
          const s = scale();
          moved.x = clamp(snap(start.tx + (e.clientX - start.x) / s), t.width / 2, PLAN_W - t.width / 2);
          moved.y = clamp(snap(start.ty + (e.clientY - start.y) / s), t.height / 2, PLAN_H - t.height / 2);
          place(el, { ...t, ...moved });
          el.classList.toggle("invalid", tables.some((o) => o.id !== t.id && overlaps({ ...t, ...moved }, o)));
        };
        const up = () => {
          el.removeEventListener("pointermove", move);
          el.removeEventListener("pointerup", up);
          E.dragging = false;
          E.selected = t.id;
          if (moved.x === t.x && moved.y === t.y) return show("plan");
          write("PATCH", `/api/floor/tables/${t.id}`, { version: t.version, x: moved.x, y: moved.y }, POS.t("Table {name} moved", { name: t.name }))
            .then(() => show("plan"), refuse);
        };
        el.addEventListener("pointermove", move);
        el.addEventListener("pointerup", up);
      });
      canvas.append(el);
    }

    // the side panel: the selected table, or a new one
    const sel = byId.get(E.selected);
    const f = (name, attrs) => h("input", { name, ...attrs });
    const shapeSelect = (value) => h("select", { name: "shape" }, [["square", POS.t("square")], ["round", POS.t("round")], ["rect", POS.t("rectangle")]].map(([s, label]) => h("option", { value: s, selected: s === value }, label)));
    const neighbours = (t) => h("div.checks", { "data-field": "combinable_with" }, tables.filter((o) => !t || o.id !== t.id).map((o) =>
      h("label", h("input", { type: "checkbox", name: "combinable", value: o.id, checked: t ? t.combinable_with.includes(o.id) : false }), o.name)));
    const read = (form) => ({
      name: form.elements.name.value.trim(), capacity: Number(form.elements.capacity.value),
      shape: form.elements.shape.value, width: Number(form.elements.width.value), height: Number(form.elements.height.value),
      combinable_with: [...form.querySelectorAll("[name=combinable]:checked")].map((c) => Number(c.value)) });

    let panel;
    if (sel) {
      const form = h("form", { id: "table-form", onsubmit: (ev) => {
        ev.preventDefault();
        write("PATCH", `/api/floor/tables/${sel.id}`, { version: sel.version, ...read(form) }, POS.t("Table {name} saved", { name: sel.name })).then(() => show("plan"), refuse);
      } },
      h("h2", POS.t("Table {name}", { name: sel.name })),
      h("label", POS.t("Name"), f("name", { value: sel.name, maxLength: 32, required: true })),
      h("label", POS.t("Seats"), f("capacity", { type: "number", min: 1, max: 99, value: sel.capacity })),
      h("label", POS.t("Shape"), shapeSelect(sel.shape)),
      h("div.row", h("label.grow", POS.t("Width"), f("width", { type: "number", min: 20, max: 1000, step: 10, value: sel.width })),
        h("label.grow", POS.t("Depth"), f("height", { type: "number", min: 20, max: 1000, step: 10, value: sel.height }))),
      h("p.muted", POS.t("Can be pushed together with")), neighbours(sel),
      h("div.row", h("button.primary", { type: "submit" }, POS.t("Save")),
        h("button", { type: "button", onclick: () => { E.selected = null; show("plan"); } }, POS.t("Close")),
        h("button.danger", { type: "button", onclick: () => {
          if (!confirm(POS.t("Remove table {name} from the floor?", { name: sel.name }))) return;
          write("DELETE", `/api/floor/tables/${sel.id}?version=${sel.version}`, undefined, POS.t("Table {name} removed", { name: sel.name }))
            .then(() => { E.selected = null; show("plan"); }, refuse);
        } }, POS.t("Remove"))));
      panel = form;
    } else {
      const form = h("form", { id: "new-table", onsubmit: (ev) => {
        ev.preventDefault();
        const body = read(form);
        if (!body.name) return toast(POS.t("Name the table"), "error");
        const spot = freeSpot(tables, body.width, body.height);
        write("POST", "/api/floor/tables", { area_id: area.id, ...body, ...spot }, POS.t("Table {name} added", { name: body.name }))
          .then((t) => { E.selected = t.id; show("plan"); }, refuse);
      } },
      h("h2", POS.t("New table in {area}", { area: area.name })),
      h("label", POS.t("Name"), f("name", { maxLength: 32, placeholder: String(tables.length + 1) })),
      h("label", POS.t("Seats"), f("capacity", { type: "number", min: 1, max: 99, value: 4 })),
      h("label", POS.t("Shape"), shapeSelect("square")),
      h("div.row", h("label.grow", POS.t("Width"), f("width", { type: "number", min: 20, max: 1000, step: 10, value: 80 })),
        h("label.grow", POS.t("Depth"), f("height", { type: "number", min: 20, max: 1000, step: 10, value: 80 }))),
      h("p.muted", POS.t("Can be pushed together with")), neighbours(null),
      h("button.primary", { type: "submit" }, POS.t("+ Table")),
      h("p.muted", POS.t("Drag a table to move it; tap it to change it. Tables may not stand on each other.")),
      tables.length ? null : h("button.danger", { type: "button", onclick: () => write("DELETE", `/api/floor/areas/${area.id}`, undefined, POS.t("Area {name} removed", { name: area.name }))
        .then(() => { E.area = null; show("plan"); }, refuse) }, POS.t("Remove {name}", { name: area.name })));
      panel = form;
    }
    return [tabs, h("div.editor", canvas, h("div.panel", panel))];
  }

  (POS.managerSections = POS.managerSections || {}).plan = [POS.t("Floor plan"), plan];
})();

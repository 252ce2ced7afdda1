/* pos.js: what every page shares. The API client, the offline outbox, the live socket
   (docs/live.md), the PIN sign-in and a few DOM helpers. No build step, no libraries. */
"use strict";

const POS = (() => {
  const body = document.body;

  // ---- DOM helpers ---------------------------------------------------------------
  /** h("button.big", {onclick}, "text", child...): build an element; text is never HTML. */
  function h(spec, attrs, ...children) {
    const [tag, ...classes] = spec.split(".");
    const el = document.createElement(tag || "div");
    if (classes.length) el.className = classes.join(" ");
    if (attrs !== null && attrs !== undefined && (typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs))) {
      children.unshift(attrs);
      attrs = null;
    }
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (k === "style" && typeof v === "object") Object.assign(el.style, v);
      else if (k in el && k !== "list") el[k] = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
    }
    return el;
  }
  const $ = (sel, root = document) => root.querySelector(sel);

  // ---- texts (docs/i18n.md) ------------------------------------------------------
  const texts = window.POS_TEXTS || {};
  const fill = (text, values) => (values ? text.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m)) : text);
  /** t("Sign in as {name}", {name}): the text in the page's language, English if none. */
  const t = (message, values) => fill(texts[message] || message, values);
  /** tn("{n} ticket", "{n} tickets", n): the singular or plural form (nl, de, en: n != 1). */
  function tn(singular, plural, n, values) {
    const forms = texts[singular];
    const text = Array.isArray(forms) ? forms[n === 1 ? 0 : 1] : n === 1 ? singular : plural;
    return fill(text, { n, ...values });
  }
  /** The page's language ("nl", "de", "en"): what its texts and its numbers are written in. */
  const language = document.documentElement.lang || "en";
  /** Speak ``lang`` from now on on this device (the ``pos_lang`` cookie) and show the page
   * in it; false when the page already does. */
  function useLanguage(lang) {
    if (!lang || lang === language) return false;
    document.cookie = `pos_lang=${lang}; path=/; max-age=31536000; SameSite=Strict`;
    location.reload();
    return true;
  }
  // the guest pages' language switch (web/templates/_languages.html)
  const languageSwitch = document.getElementById("language-switch");
  if (languageSwitch) languageSwitch.addEventListener("change", () => useLanguage(languageSwitch.value));
  const mount = (el, ...children) => { el.replaceChildren(...children.flat(Infinity).filter(Boolean)); return el; };

  function toast(message, kind = "info") {
    const box = $("#toasts");
    const t = h("div.toast." + kind, { role: "status" }, message);
    box.append(t);
    setTimeout(() => t.remove(), kind === "error" ? 6000 : 3000);
  }

  let currency = "EUR";
  const formats = new Map();
  /** Minor units as money in the venue's currency (display only: amounts stay integers). */
  function money(minor, cur = currency) {
    if (!formats.has(cur)) formats.set(cur, new Intl.NumberFormat(language, { style: "currency", currency: cur }));
    const f = formats.get(cur);
    return f.format(minor / 10 ** f.resolvedOptions().maximumFractionDigits);
  }
  money.use = (cur) => { currency = cur || currency; };
  const percent = new Intl.NumberFormat(language, { style: "percent", maximumFractionDigits: 4 });
  /** A tax rate in parts per million as a percentage: 88750 -> "8.875%". */
  const rate = (ppm) => percent.format(ppm / 1e6);
  /** A bill's tax row: VAT is included in the prices, a sales tax comes on top of them. */
  const taxLabel = (bill, tax) => (bill.tax_inclusive ? t("incl. VAT {rate}", { rate: rate(tax.rate_ppm) }) : t("Sales tax {rate}", { rate: rate(tax.rate_ppm) }));

  const pad = (n) => String(n).padStart(2, "0");
  const clock = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  /** mm:ss (or h:mm:ss) of a duration in ms. */
  function elapsed(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const m = Math.floor(s / 60);
    return m >= 60 ? `${Math.floor(m / 60)}:${pad(m % 60)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  }
  let skew = 0;
  /** The server's clock as this device best knows it (``syncClock`` with a server ``at``). */
  const now = () => Date.now() + skew;
  const syncClock = (at) => { skew = Date.parse(at) - Date.now(); };

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16)); // plain-http LAN: no randomUUID
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const x = [...b].map((v) => v.toString(16).padStart(2, "0")).join("");
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }

  // ---- session and API -----------------------------------------------------------
  const session = {
    get token() {
      const exp = Number(sessionStorage.getItem("pos.expires") || 0);
      return exp > Date.now() ? sessionStorage.getItem("pos.token") : null;
    },
    get staff() { return JSON.parse(sessionStorage.getItem("pos.staff") || "null"); },
    save(r) {
      sessionStorage.setItem("pos.token", r.token);
      sessionStorage.setItem("pos.expires", String(Date.now() + r.expires_in * 1000));
      sessionStorage.setItem("pos.staff", JSON.stringify(r.staff));
    },
    clear() { ["pos.token", "pos.expires", "pos.staff"].forEach((k) => sessionStorage.removeItem(k)); },
  };

  /** This device's enrolment: the credential a pairing code gave, per venue (kept). */
  const device = {
    credential(venue) {
      const d = JSON.parse(localStorage.getItem("pos.device") || "null");
      return d && d.venue === venue ? d.credential : null;
    },
    save(venue, credential) { localStorage.setItem("pos.device", JSON.stringify({ venue, credential })); },
    forget() { localStorage.removeItem("pos.device"); },
  };

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
      this.status = status;
      this.problem = problem || {};
    }
  }

  /** One API call. Throws ApiError for a non-2xx answer, TypeError when the network fails. */
  async function api(method, path, data, { key, token } = {}) {
    // the server words its refusals (a problem's title and detail) in the page's language;
    // the outbox sends through here too
    const headers = { Accept: "application/json", "Accept-Language": language };
    const bearer = token === undefined ? session.token : token;
    if (bearer) headers.Authorization = `Bearer ${bearer}`;
    if (data !== undefined) headers["Content-Type"] = "application/json";
    if (key) headers["Idempotency-Key"] = key;
    const r = await fetch(path, { method, headers, body: data === undefined ? undefined : JSON.stringify(data) });
    const json = (r.headers.get("content-type") || "").includes("json") ? await r.json() : null;
    if (r.status === 401 && token === undefined) signedOut();
    if (!r.ok) throw new ApiError(r.status, json);
    return json;
  }

  // ---- outbox: every change a device makes, sent in order, exactly once -------------
  const KEEP = new Set([401, 408, 425, 429]); // not a definitive answer: keep and retry

  /** A persistent queue of writes (localStorage ``pos.outbox.<name>``). ``push`` returns
      a promise of the server's answer; an entry leaves the queue only on a 2xx or a
      definitive 4xx, and its Idempotency-Key makes a retry of a lost answer harmless. */
  function outbox(name) {
    const store = `pos.outbox.${name}`;
    const waiting = new Map();
    const listeners = new Set();
    let delay = 1000, timer = null, running = false, again = false, sending = null;

    const list = () => JSON.parse(localStorage.getItem(store) || "[]");
    const changed = () => listeners.forEach((f) => f(list()));
    function drop(key) {
      localStorage.setItem(store, JSON.stringify(list().filter((e) => e.key !== key)));
      changed();
    }
    function settle(key, ok, value) {
      const w = waiting.get(key);
      waiting.delete(key);
      if (w) ok ? w.resolve(value) : w.reject(value);
      else if (!ok) toast(value.message, "error");
    }

    async function drain() {
      for (let entry = list()[0]; entry; entry = list()[0]) {
        if (!session.token) return false;
        try {
          sending = entry.key;
          const answer = await api(entry.method, entry.path, entry.body, { key: entry.key });
          sending = null;
          drop(entry.key);
          settle(entry.key, true, answer);
        } catch (err) {
          sending = null;
          if (!(err instanceof ApiError) || err.status >= 500 || KEEP.has(err.status)) {
            changed(); // not delivered: a page shows it as waiting again
            return false;
          }
          drop(entry.key);
          settle(entry.key, false, err);
        }
      }
      return true;
    }

    async function flush() {
      if (running) { again = true; return; }
      running = true;
      clearTimeout(timer);
      try {
        do {
          again = false;
          const done = navigator.locks ? await navigator.locks.request(store, drain) : await drain();
          if (!done) {
            timer = setTimeout(flush, delay * (0.5 + Math.random() / 2));
            delay = Math.min(delay * 2, 30000);
            return;
          }
          delay = 1000;
        } while (again);
      } finally {
        running = false;
      }
    }

    function push(method, path, data, label) {
      const entry = { key: uuid(), method, path, body: data, label, at: Date.now() };
      localStorage.setItem(store, JSON.stringify([...list(), entry]));
      const answer = new Promise((resolve, reject) => waiting.set(entry.key, { resolve, reject }));
      changed();
      flush();
      return answer;
    }

    window.addEventListener("online", () => { delay = 1000; flush(); });
    setTimeout(flush, 0);
    return {
      push, flush, list,
      /** The key of the entry on its way to the server now, or null. Its change may be
          back (as a live event) before its answer: a page need not show it as waiting. */
      sending: () => sending,
      onchange(f) { listeners.add(f); f(list()); },
      /** A "n waiting" badge kept up to date in ``el``. */
      badge(el) {
        this.onchange((entries) => {
          el.hidden = entries.length === 0;
          el.textContent = tn("{n} waiting", "{n} waiting", entries.length);
        });
      },
    };
  }

  // ---- live: the /ws protocol of docs/live.md --------------------------------------
  /** Follow ``topics``. ``on.event(msg)`` for events and snapshots (duplicates dropped by
      seq), ``on.ready(msg)`` after every (re)connect's replay, ``on.state(s)``.
      Reconnects with a jittered doubling delay reset by ``ready``; 4400/4401/4403 stop.
      ``since``: replay from there (a seq the page has seen on another socket); ``seq()``
      is the last seq this socket has seen (null before its first ``ready``). */
  function live(topics, on, { token, since = null } = {}) {
    let lastSeq = since, delay = 200, socket = null, stopped = false;
    const state = (s) => { body.dataset.live = s; on.state && on.state(s); };
    function connect() {
      const proto = location.protocol === "https:" ? "wss://" : "ws://";
      socket = new WebSocket(proto + location.host + "/ws");
      socket.onopen = () => socket.send(JSON.stringify({ token: token || session.token, topics, since: lastSeq }));
      socket.onmessage = (m) => {
        if (stopped) return;
        const msg = JSON.parse(m.data);
        if (msg.topic === null) {
          if (msg.type !== "ready") return;
          lastSeq = Math.max(lastSeq || 0, msg.seq);
          delay = 200;
          state("live");
          on.ready && on.ready(msg);
        } else if (msg.type === "snapshot" || lastSeq === null || msg.seq > lastSeq) {
          if (msg.type !== "snapshot") lastSeq = msg.seq;
          on.event && on.event(msg);
          liveHooks.forEach((f) => f(msg));
        }
      };
      socket.onclose = (e) => {
        if (stopped) return; // closed by the page: another socket may still be live
        state("offline");
        if (e.code === 4401 && !token) return signedOut();
        if (e.code >= 4400 && e.code < 4404) return toast(`live updates refused: ${e.reason}`, "error");
        setTimeout(connect, delay * (0.5 + Math.random() / 2));
        delay = Math.min(delay * 2, 10000);
      };
    }
    connect();
    return {
      close() {
        stopped = true; // a socket still connecting is closed once open (no console error)
        if (socket.readyState === WebSocket.CONNECTING) socket.onopen = () => socket.close();
        else socket.close();
      },
      seq: () => lastSeq,
    };
  }

  /** Functions a page's extra scripts add to see every live event the page receives. */
  const liveHooks = [];
  const onLive = (f) => liveHooks.push(f);

  // ---- app shell: the service worker keeps the pages for a reload without network ----
  if ("serviceWorker" in navigator && body.dataset.page !== "guest" && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => { /* no worker: online only */ });
  }

  /** Call ``fn`` once after a burst of calls (a send records several events at once). */
  function debounce(fn, ms = 120) {
    let t = null;
    return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
  }

  // ---- sign-in -------------------------------------------------------------------
  let booted = null;

  function signedOut() {
    session.clear();
    if (booted) showLogin();
  }

  function showPair(message, venue) {
    $("#login").hidden = true;
    const form = $("#pair");
    const v = $("#pair-venue");
    v.value = venue || v.value || localStorage.getItem("pos.venue") || body.dataset.venue || "";
    $("#pair-code").value = "";
    $("#pair-message").textContent = message || "";
    form.hidden = false;
    (v.value ? $("#pair-code") : v).focus();
  }

  /** A demo server enrols the browser on its own machine without a code (else 403). */
  async function enrolLocally(venue) {
    try {
      const r = await api("POST", "/api/devices/local", { venue }, { token: null });
      device.save(venue, r.credential);
      return true;
    } catch (err) {
      return false;
    }
  }

  function showLogin(message) {
    $("#pair").hidden = true;
    const form = $("#login");
    const venue = $("#login-venue");
    venue.value = venue.value || localStorage.getItem("pos.venue") || body.dataset.venue || "";
    $("#login-pin").value = "";
    $("#login-message").textContent = message || "";
    form.hidden = false;
    (venue.value ? $("#login-pin") : venue).focus();
  }

  function setupLogin() {
    const form = $("#login");
    const pin = $("#login-pin");
    form.querySelectorAll("[data-key]").forEach((b) => b.addEventListener("click", () => {
      const k = b.dataset.key;
      if (k === "del") pin.value = pin.value.slice(0, -1);
      else if (pin.value.length < 8) pin.value += k;
    }));
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const venue = $("#login-venue").value.trim();
      if (!device.credential(venue) && !(await enrolLocally(venue))) {
        return showPair(t("This device is not paired with the venue yet."), venue);
      }
      try {
        const r = await api("POST", "/api/auth/login", { venue, pin: pin.value, device: device.credential(venue) }, { token: null });
        const roles = r.staff.roles;
        if (!roles.includes("manager") && !booted.roles.some((x) => roles.includes(x))) {
          return showLogin(t("{name} ({roles}) cannot use this page", { name: r.staff.name, roles: roles.join(", ") }));
        }
        localStorage.setItem("pos.venue", venue);
        session.save(r);
        form.hidden = true;
        if (useLanguage(r.language)) return;  // the page comes back in the member's language, signed in
        started();
      } catch (err) {
        if (err instanceof ApiError && err.problem.field === "device") {
          device.forget();
          return showPair(err.message, venue);
        }
        showLogin(err instanceof ApiError ? err.message : t("No connection to the server"));
      }
    });
    $("#pair").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const venue = $("#pair-venue").value.trim();
      try {
        const r = await api("POST", "/api/devices/pair", { venue, code: $("#pair-code").value.trim() }, { token: null });
        device.save(venue, r.credential);
        localStorage.setItem("pos.venue", venue);
        $("#login-venue").value = venue;
        showLogin(t("Paired as {name}. Sign in with your PIN.", { name: r.device.name }));
      } catch (err) {
        showPair(err instanceof ApiError ? err.message : t("No connection to the server"), venue);
      }
    });
    $("#signout") && $("#signout").addEventListener("click", () => { session.clear(); location.reload(); });
  }

  let startedOnce = false;
  function started() {
    const who = $("#who");
    if (who && session.staff) who.textContent = session.staff.name;
    if (!startedOnce) { startedOnce = true; booted.start(session.staff); }
    else booted.resumed && booted.resumed();
  }

  /** Start a staff page: sign in (PIN) unless this tab already holds a token. */
  function boot(page) {
    booted = page;
    setupLogin();
    if (session.token) started();
    else showLogin();
  }

  return {
    h, $, mount, toast, t, tn, language, useLanguage, money, rate, taxLabel, clock, elapsed, now, syncClock, uuid, debounce,
    api, ApiError, outbox, live, onLive, boot, session, device,
    /** Manager page sections and start hooks added by their own files (manager-*.js). */
    managerSections: {}, managerStarts: [],
  };
})();

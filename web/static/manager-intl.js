/* Numbers, percentages, dates and times on the manager's page, in the page's language
   (Intl), for the manager's sections (loaded before them). Money is POS.money. English
   keeps its ISO dates ("2026-12-05"); Dutch writes 05-12-2026, German 05.12.2026, as on
   paper (docs/i18n.md). */
"use strict";
(() => {
  const lang = POS.language;
  const cache = new Map();
  const format = (kind, options) => {
    const key = kind + JSON.stringify(options);
    if (!cache.has(key)) cache.set(key, kind === "n" ? new Intl.NumberFormat(lang, options) : new Intl.DateTimeFormat(lang, options));
    return cache.get(key);
  };
  const DAY = { day: "2-digit", month: "2-digit", year: "numeric", timeZone: "UTC" };
  /** A calendar date ("2026-12-05") as the page's language writes it. */
  const date = (iso) => (lang === "en" || !iso ? iso : format("d", DAY).format(new Date(`${iso}T00:00:00Z`)));
  /** An instant's date and time (in ``timeZone``, else the browser's). */
  const dateTime = (at, timeZone) => format("d", { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(new Date(at));
  /** The short name of a weekday, 1 = Monday ... 7 = Sunday. */
  const weekday = (n) => format("d", { weekday: "short", timeZone: "UTC" }).format(new Date(Date.UTC(2024, 0, n)));
  /** A number (``digits`` fraction digits, exactly). */
  const number = (n, digits = 0) => format("n", { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n);
  /** A number to edit in an input (no grouping: "1234,50" in Dutch and German). */
  const decimal = (n, digits = 2) => format("n", { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(n);
  /** A share (0.25) as a percentage ("25 %", "25%"), up to ``digits`` fraction digits. */
  const percent = (share, digits = 0) => format("n", { style: "percent", maximumFractionDigits: digits }).format(share);
  POS.intl = { date, dateTime, weekday, number, decimal, percent };
})();

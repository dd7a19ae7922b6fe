// Progressive enhancement only: every part of the page works without JavaScript (the form
// submits, sort headers are links, the server drops empty parameters). With it: filters
// apply as you choose them, the table is swapped in place, and long checkbox lists get a
// search box. No inline script anywhere: the CSP forbids it.
"use strict";

// Regions of the page that depend on the query string, swapped together after a live filter.
const LIVE_REGIONS = [
  "#results", "#languages", "#sort-state", "#snapshot-dates", "#filters-state", "#filter-errors",
];
const TYPING_DELAY_MS = 300;

/** The form's state as a query string without empty fields: shared links stay short. */
function shortQuery(form) {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (typeof value === "string" && value.trim()) params.append(key, value);
  }
  return params.toString();
}

function urlFor(form) {
  const query = shortQuery(form);
  return window.location.pathname + (query ? `?${query}` : "");
}

let inFlight = null;

/** Fetch ``url`` and swap the live regions in; any failure falls back to a plain visit. */
async function refresh(url, { push = true } = {}) {
  inFlight?.abort();
  inFlight = new AbortController();
  const results = document.querySelector("#results");
  results?.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(url, { signal: inFlight.signal, headers: { Accept: "text/html" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    if (!fresh.querySelector("#results")) throw new Error("no results region");
    for (const selector of LIVE_REGIONS) {
      const current = document.querySelector(selector);
      const replacement = fresh.querySelector(selector);
      if (current && replacement) current.replaceWith(document.importNode(replacement, true));
    }
    document.title = fresh.title;
    if (push) window.history.pushState({ live: true }, "", url);
  } catch (error) {
    if (error.name !== "AbortError") window.location.assign(url);
  } finally {
    document.querySelector("#results")?.removeAttribute("aria-busy");
  }
}

function enhanceChecklists() {
  for (const box of document.querySelectorAll("fieldset[data-searchable]")) {
    const rows = [...box.querySelectorAll(".options label")].map((label) => label.closest("div") ?? label);
    // What is ticked comes first, so a shared link shows its choices without scrolling.
    const list = rows[0]?.parentElement;
    for (const row of rows.filter((r) => r.querySelector("input:checked")).reverse()) list.prepend(row);
    if (rows.length < 8) continue;
    const search = document.createElement("input");
    search.type = "search";
    search.className = "checklist-search";
    search.placeholder = box.dataset.searchLabel || "";
    search.setAttribute("aria-label", `${box.dataset.searchLabel}: ${box.querySelector("legend").textContent.trim()}`);
    box.querySelector("legend").after(search);
    search.addEventListener("input", () => {
      const needle = search.value.trim().toLocaleLowerCase();
      for (const row of rows) row.hidden = Boolean(needle) && !row.textContent.toLocaleLowerCase().includes(needle);
    });
  }
}

function enhanceForm(form) {
  let typing = null;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    window.location.assign(urlFor(form));
  });
  // Events bubble from controls associated by form= too (the snapshot picker).
  const onChange = (event) => {
    const control = event.target;
    if (!control.name) return; // the checklist search boxes belong to no parameter
    if (event.type === "input" && control.type !== "search" && control.type !== "text") return;
    window.clearTimeout(typing);
    typing = window.setTimeout(() => refresh(urlFor(form)), event.type === "input" ? TYPING_DELAY_MS : 0);
  };
  form.addEventListener("change", onChange);
  form.addEventListener("input", onChange);
  // The snapshot picker belongs to the form by its form= attribute, outside it in the page,
  // and is swapped with its region: listen where its events bubble to.
  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-autosubmit]")) window.location.assign(urlFor(form));
  });
  // Sorting swaps the table in place too; the links stay plain links for new tabs.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("#results thead a[href]");
    if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    refresh(link.href);
  });
  window.addEventListener("popstate", () => window.location.reload());
}

document.addEventListener("DOMContentLoaded", () => {
  document.documentElement.classList.add("js");
  // Filters start folded (phones first); on a wide screen there is room to show them.
  const box = document.querySelector("details.filters-box");
  if (box && window.matchMedia("(min-width: 900px)").matches) box.open = true;
  enhanceChecklists();
  const form = document.querySelector("form#board-filters");
  if (form) enhanceForm(form);
});

// Sources: the list with each one's fetch state, the add/edit form with its schedule in plain
// words, pause/resume, delete, and "try it".

import { api } from "./api.js";
import { $, badge, busy, cell, confirmButton, debounce, el, link, relative, say, splitList, time } from "./ui.js";

let editing = null; // the source being edited, or null when adding

export function init() {
  $("source-new").addEventListener("click", () => openForm(null));
  $("source-cancel").addEventListener("click", closeForm);
  $("source-form").addEventListener("submit", save);
  $("source-try").addEventListener("click", tryIt);
  $("source-kind").addEventListener("change", showKindFields);
  $("source-schedule").addEventListener("input", debounce(previewSchedule, 300));
}

export async function show() {
  await load();
}

async function load() {
  say($("sources-status"), "Loading…");
  try {
    const { sources } = await api("GET", "/api/admin/sources");
    $("sources-table").tBodies[0].replaceChildren(...sources.map(row));
    say($("sources-status"), sources.length === 0 ? "No sources yet: add a feed, page or JSON API." : "");
  } catch (error) {
    say($("sources-status"), `Could not load the sources: ${error.message}`);
  }
}

function state(source) {
  if (source.paused) return badge("paused", "warn");
  if (source.consecutive_failures > 0) return badge("failing", "bad");
  if (!source.last_fetch) return badge("not fetched yet", "");
  return badge("ok", "ok");
}

function row(source) {
  const status = source.last_status ? `HTTP ${source.last_status}` : "";
  const pause = el("button", { type: "button" }, source.paused ? "Resume" : "Pause");
  pause.addEventListener("click", () => busy(pause, () => setPaused(source, !source.paused)));
  return el("tr", { dataset: { id: source.id } },
    cell("Name", el("strong", {}, source.name), el("br"), el("span", { class: "url" }, link(source.url))),
    cell("Kind", source.kind),
    cell("Schedule", el("code", {}, source.schedule)),
    cell("State", state(source), source.last_error ? el("p", { class: "error-text" }, source.last_error) : null),
    cell("Last fetch", source.last_fetch ? el("span", { title: source.last_fetch }, relative(source.last_fetch)) : "never",
      status ? el("span", { class: "muted" }, ` · ${status}`) : null),
    cell("Failures", el("span", { class: "num" }, String(source.consecutive_failures))),
    cell("Next run", source.next_run ? time(source.next_run) : el("span", { class: "muted" }, source.paused ? "paused" : "—")),
    cell("Actions", el("div", { class: "row-actions" },
      el("button", { type: "button", onclick: () => openForm(source) }, "Edit"),
      pause,
      confirmButton("Delete", "Confirm delete", () => remove(source)))),
  );
}

/** The body the API takes, from a stored source (to pause) or from the form. */
function requestOf(source) {
  return {
    name: source.name, url: source.url, kind: source.kind, schedule: source.schedule,
    selector: source.selector || null, json: source.json || null, paused: source.paused,
  };
}

async function setPaused(source, paused) {
  try {
    await api("PUT", `/api/admin/sources/${source.id}`, { ...requestOf(source), paused });
    await load();
  } catch (error) {
    say($("sources-status"), `Could not ${paused ? "pause" : "resume"} ${source.name}: ${error.message}`);
  }
}

async function remove(source) {
  try {
    await api("DELETE", `/api/admin/sources/${source.id}`);
    await load();
    say($("sources-status"), `Deleted ${source.name}.`);
  } catch (error) {
    say($("sources-status"), `Could not delete ${source.name}: ${error.message}`);
  }
}

function openForm(source) {
  editing = source;
  const form = $("source-form");
  form.reset();
  $("source-form-title").textContent = source ? `Edit ${source.name}` : "Add a source";
  if (source) {
    $("source-name").value = source.name;
    $("source-url").value = source.url;
    $("source-kind").value = source.kind;
    $("source-schedule").value = source.schedule;
    $("source-selector").value = source.selector || "";
    $("source-paused").checked = source.paused;
    const json = source.json || {};
    for (const field of ["items", "title", "url", "id", "date"]) $(`json-${field}`).value = json[field] || "";
    $("json-text").value = (json.text || []).join(", ");
  }
  say($("source-error"), "");
  $("try-result").hidden = true;
  showKindFields();
  previewSchedule();
  form.hidden = false;
  $("source-name").focus();
}

function closeForm() {
  $("source-form").hidden = true;
  $("try-result").hidden = true;
  editing = null;
}

function showKindFields() {
  const kind = $("source-kind").value;
  $("source-page-fields").hidden = kind !== "page";
  $("source-json-fields").hidden = kind !== "json";
}

function formRequest() {
  const kind = $("source-kind").value;
  const optional = (id) => $(id).value.trim() || null;
  const json = kind !== "json" ? null : {
    items: $("json-items").value.trim(), text: splitList($("json-text").value),
    title: optional("json-title"), url: optional("json-url"), id: optional("json-id"), date: optional("json-date"),
  };
  return {
    name: $("source-name").value.trim(), url: $("source-url").value.trim(), kind,
    schedule: $("source-schedule").value.trim(),
    selector: kind === "page" ? optional("source-selector") : null,
    json, paused: $("source-paused").checked,
  };
}

async function save(event) {
  event.preventDefault();
  const button = event.submitter || $("source-form").querySelector("[type=submit]");
  await busy(button, async () => {
    try {
      const body = formRequest();
      const saved = editing
        ? await api("PUT", `/api/admin/sources/${editing.id}`, body)
        : await api("POST", "/api/admin/sources", body);
      closeForm();
      await load();
      say($("sources-status"), `Saved ${saved.name}.`);
    } catch (error) {
      say($("source-error"), error.message);
    }
  });
}

async function tryIt() {
  const panel = $("try-result");
  panel.hidden = false;
  say($("try-status"), "Fetching…");
  $("try-documents").replaceChildren();
  await busy($("source-try"), async () => {
    try {
      // Trying needs no name yet.
      const request = { ...formRequest(), name: $("source-name").value.trim() || null };
      const { documents } = await api("POST", "/api/admin/sources/try", request);
      say($("try-status"), documents.length === 0 ? "The source answered, but no document was found."
        : `${documents.length} document${documents.length === 1 ? "" : "s"} found.`);
      $("try-documents").replaceChildren(...documents.map(documentItem));
    } catch (error) {
      say($("try-status"), `It did not work: ${error.message}`);
    }
  });
}

function documentItem(doc) {
  const text = (doc.paragraphs || []).join("\n\n");
  return el("li", {},
    el("h4", {}, link(doc.url, doc.title || doc.url)),
    el("p", { class: "muted" }, doc.published ? `Published ${new Date(doc.published).toLocaleString()}` : "No date",
      ` · ${(doc.paragraphs || []).length} paragraphs`),
    el("details", {}, el("summary", {}, "Text"), el("p", { class: "doc-text" }, text)),
  );
}

let scheduleRequest = 0;

async function previewSchedule() {
  const box = $("schedule-preview");
  const schedule = $("source-schedule").value.trim();
  const mine = ++scheduleRequest;
  if (!schedule) return box.replaceChildren();
  try {
    const preview = await api("POST", "/api/admin/schedule/preview", { schedule });
    if (mine !== scheduleRequest) return;
    box.dataset.state = "ok";
    box.replaceChildren(
      el("p", { class: "schedule-words" }, `Runs ${preview.description}.`),
      el("p", { class: "muted" }, "Next: ", ...preview.next.slice(0, 3).flatMap((t, i) => [i ? ", " : "", time(t)])),
    );
  } catch (error) {
    if (mine !== scheduleRequest) return;
    box.dataset.state = "error";
    box.replaceChildren(el("p", { class: "error-text" }, error.message));
  }
}

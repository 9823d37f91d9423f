// Thresholds: a form for every global setting, a live preview of what the proposed values would
// have done to a story's past documents, Save, and the audit log below.

import { api } from "./api.js";
import { $, badge, busy, cell, debounce, el, link, say, time } from "./ui.js";
import { loadAudit } from "./audit.js";

/** Settings fields (dotted for nested ones) and whether they are whole numbers. */
const NUMBERS = {
  min_score: false, hedged_weight: false, text_weight: false, corroboration: true,
  cooldown_minutes: true, max_alerts_per_hour: true, "weights.date": false,
  "weights.time": false, "weights.place": false, "weights.quantity": false, "weights.status": false,
};
const inputId = (field) => `t-${field.replace(".", "-")}`;

let saved = null; // the settings as stored
let inFlight = null; // the preview request under way

export function init() {
  const form = $("thresholds-form");
  const later = debounce(preview, 300);
  form.addEventListener("input", () => {
    $("t-quiet-fields").hidden = !$("t-quiet").checked;
    later();
  });
  form.addEventListener("change", () => { $("t-quiet-fields").hidden = !$("t-quiet").checked; });
  form.addEventListener("submit", save);
  $("thresholds-reset").addEventListener("click", () => { fill(saved); preview(); });
  $("preview-story").addEventListener("change", preview);
}

export async function show() {
  say($("thresholds-status"), "Loading…");
  try {
    const [settings, { stories }] = await Promise.all([
      api("GET", "/api/admin/settings"),
      api("GET", "/api/admin/stories"),
    ]);
    saved = settings;
    fill(settings);
    pickStories(stories);
    say($("thresholds-status"), "");
    preview();
  } catch (error) {
    say($("thresholds-status"), `Could not load the settings: ${error.message}`);
  }
  loadAudit();
}

function pickStories(stories) {
  const select = $("preview-story");
  const chosen = select.value;
  const withDocuments = stories.filter((s) => s.documents > 0);
  select.replaceChildren(...stories.map((s) =>
    el("option", { value: s.id }, `${s.story.name} (${s.documents} documents)`)));
  const keep = stories.some((s) => String(s.id) === chosen);
  select.value = keep ? chosen : String((withDocuments[0] || stories[0] || {}).id || "");
  select.disabled = stories.length === 0;
}

function fill(settings) {
  if (!settings) return;
  for (const field of Object.keys(NUMBERS)) {
    const [a, b] = field.split(".");
    $(inputId(field)).value = b ? settings[a][b] : settings[a];
  }
  $("t-text_alone").checked = settings.text_alone;
  $("t-first_document").value = settings.first_document;
  const quiet = settings.quiet_hours;
  $("t-quiet").checked = Boolean(quiet);
  $("t-quiet-fields").hidden = !quiet;
  if (quiet) {
    $("t-quiet-start").value = quiet.start;
    $("t-quiet-end").value = quiet.end;
    $("t-quiet-mode").value = quiet.mode;
  }
  markInvalid(null);
}

/** The form as the settings object; throws `{ field, message }` for a missing number. */
function readForm() {
  const settings = { weights: {} };
  for (const [field, whole] of Object.entries(NUMBERS)) {
    const input = $(inputId(field));
    const value = input.value.trim() === "" ? NaN : Number(input.value);
    if (!Number.isFinite(value) || (whole && !Number.isInteger(value))) {
      throw { field, message: `${field} needs ${whole ? "a whole number" : "a number"}` };
    }
    const [a, b] = field.split(".");
    if (b) settings[a][b] = value;
    else settings[a] = value;
  }
  settings.text_alone = $("t-text_alone").checked;
  settings.first_document = $("t-first_document").value;
  settings.quiet_hours = $("t-quiet").checked
    ? { start: $("t-quiet-start").value, end: $("t-quiet-end").value, mode: $("t-quiet-mode").value }
    : null;
  return settings;
}

/** Marks the field an error message starts with ("min_score must be ..."). */
function markInvalid(message) {
  for (const input of $("thresholds-form").querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  if (!message) return say($("thresholds-error"), "");
  say($("thresholds-error"), message);
  const field = message.split(" ")[0];
  const input = $(field === "quiet_hours" ? "t-quiet-start" : inputId(field));
  if (input) input.setAttribute("aria-invalid", "true");
}

async function preview() {
  const story = $("preview-story").value;
  if (inFlight) inFlight.abort();
  let settings;
  try {
    settings = readForm();
    markInvalid(null);
  } catch (invalid) {
    return markInvalid(invalid.message);
  }
  if (!story) return say($("preview-status"), "Add a story to preview the settings on its documents.");
  const controller = new AbortController();
  inFlight = controller;
  say($("preview-status"), "Replaying…");
  try {
    const result = await api("POST", `/api/admin/stories/${story}/replay`, { settings }, { signal: controller.signal });
    if (inFlight !== controller) return;
    renderPreview(result);
    say($("preview-status"), result.documents === 0 ? "This story has no documents yet." : "");
  } catch (error) {
    if (error.name === "AbortError" || inFlight !== controller) return;
    if (error.code === "invalid_threshold") markInvalid(error.message);
    say($("preview-status"), `No preview: ${error.message}`);
    $("preview-totals").hidden = true;
  } finally {
    if (inFlight === controller) inFlight = null;
  }
}

function outcome(decision) {
  if (!decision) return el("span", { class: "muted" }, "—");
  const why = [...(decision.facts || []), ...(decision.reasons || [])];
  return el("div", {},
    decision.alert ? badge("alert", "alert") : badge("no alert", ""),
    el("span", { class: "muted" }, ` score ${Number(decision.score).toFixed(2)}`),
    why.length ? el("details", {}, el("summary", {}, "why"), el("ul", {}, ...why.map((w) => el("li", {}, w)))) : null);
}

function renderPreview(result) {
  const rows = result.timeline.map((doc) => el("tr", { class: doc.changed ? "changed" : "", dataset: { document: doc.document_id } },
    cell("Document", el("strong", {}, link(doc.url, doc.title || doc.url)),
      el("br"), el("span", { class: "muted" }, `${doc.source || ""} · `, time(doc.date)),
      doc.changed ? el("span", { class: "changed-mark" }, " · decided differently") : null),
    cell("Saved settings", outcome(doc.current)),
    cell("These settings", outcome(doc.proposed))));
  $("preview-table").tBodies[0].replaceChildren(...rows);
  $("preview-current").textContent = result.current_alerts;
  $("preview-proposed").textContent = result.proposed_alerts;
  $("preview-changed").textContent = result.timeline.filter((d) => d.changed).length;
  $("preview-documents").textContent = result.documents;
  $("preview-totals").hidden = false;
}

async function save(event) {
  event.preventDefault();
  await busy($("thresholds-save"), async () => {
    try {
      saved = await api("PUT", "/api/admin/settings", readForm());
      fill(saved);
      say($("thresholds-status"), `Saved at ${new Date().toLocaleTimeString()}.`);
      await Promise.all([loadAudit(), preview()]);
    } catch (error) {
      markInvalid(error.message);
      say($("thresholds-status"), "Not saved.");
    }
  });
}

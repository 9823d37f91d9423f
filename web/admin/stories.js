// Stories: the list, and the add/edit form (keywords, topic, threshold overrides as JSON).

import { api } from "./api.js";
import { $, busy, cell, confirmButton, el, say, splitList } from "./ui.js";

let editing = null; // { id, story } while editing, null while adding

export function init() {
  $("story-new").addEventListener("click", () => openForm(null));
  $("story-cancel").addEventListener("click", closeForm);
  $("story-form").addEventListener("submit", save);
}

export async function show() {
  await load();
}

async function load() {
  say($("stories-status"), "Loading…");
  try {
    const { stories } = await api("GET", "/api/admin/stories");
    $("stories-table").tBodies[0].replaceChildren(...stories.map(row));
    say($("stories-status"), stories.length === 0 ? "No stories yet: add one to follow." : "");
  } catch (error) {
    say($("stories-status"), `Could not load the stories: ${error.message}`);
  }
}

/** "summit + (Trump or Putin), not golf" */
export function matchWords(story) {
  const parts = [];
  if (story.keywords.length) parts.push(story.keywords.join(" + "));
  if (story.any_keywords.length) parts.push(`(${story.any_keywords.join(" or ")})`);
  let text = parts.join(" + ") || "—";
  if ((story.exclude || []).length) text += `, not ${story.exclude.join(", ")}`;
  return text;
}

function row(record) {
  const story = record.story;
  const facts = record.known_facts;
  return el("tr", { dataset: { id: record.id } },
    cell("Name", el("a", { href: `#/stories/${record.id}` }, story.name),
      story.thresholds ? el("span", { class: "muted" }, " · own thresholds") : null),
    cell("Matches", matchWords(story)),
    cell("Topic", story.topic || el("span", { class: "muted" }, "everyone")),
    cell("Documents", el("span", { class: "num" }, String(record.documents))),
    cell("Known facts", facts.length ? `${facts.slice(0, 3).join("; ")}${facts.length > 3 ? ` (+${facts.length - 3})` : ""}` : "—"),
    cell("Actions", el("div", { class: "row-actions" },
      el("a", { class: "button", href: `#/stories/${record.id}` }, "View"),
      el("button", { type: "button", onclick: () => openForm(record) }, "Edit"),
      confirmButton("Delete", "Confirm delete", () => remove(record)))),
  );
}

async function remove(record) {
  try {
    await api("DELETE", `/api/admin/stories/${record.id}`);
    await load();
    say($("stories-status"), `Deleted ${record.story.name}.`);
  } catch (error) {
    say($("stories-status"), `Could not delete ${record.story.name}: ${error.message}`);
  }
}

function openForm(record) {
  editing = record;
  const form = $("story-form");
  form.reset();
  $("story-form-title").textContent = record ? `Edit ${record.story.name}` : "Add a story";
  if (record) {
    const story = record.story;
    $("story-name").value = story.name;
    $("story-keywords").value = story.keywords.join(", ");
    $("story-any").value = story.any_keywords.join(", ");
    $("story-exclude").value = (story.exclude || []).join(", ");
    $("story-topic").value = story.topic || "";
    $("story-thresholds").value = story.thresholds ? JSON.stringify(story.thresholds, null, 1) : "";
  }
  say($("story-error"), "");
  form.hidden = false;
  $("story-name").focus();
}

function closeForm() {
  $("story-form").hidden = true;
  editing = null;
}

/** The story as the API takes it; throws with a message when the overrides are not JSON. */
function formStory() {
  let thresholds = null;
  const raw = $("story-thresholds").value.trim();
  if (raw) {
    try {
      thresholds = JSON.parse(raw);
    } catch {
      throw new Error("Threshold overrides must be a JSON object, e.g. {\"min_score\": 1.5}.");
    }
    if (typeof thresholds !== "object" || Array.isArray(thresholds) || thresholds === null) {
      throw new Error("Threshold overrides must be a JSON object, e.g. {\"min_score\": 1.5}.");
    }
    if (Object.keys(thresholds).length === 0) thresholds = null;
  }
  return {
    name: $("story-name").value.trim(),
    keywords: splitList($("story-keywords").value),
    any_keywords: splitList($("story-any").value),
    exclude: splitList($("story-exclude").value),
    topic: $("story-topic").value.trim() || null,
    // Not on the form; kept as it was.
    kind: editing ? editing.story.kind || null : null,
    thresholds,
  };
}

async function save(event) {
  event.preventDefault();
  const button = event.submitter || $("story-form").querySelector("[type=submit]");
  await busy(button, async () => {
    try {
      const body = formStory();
      const saved = editing
        ? await api("PUT", `/api/admin/stories/${editing.id}`, body)
        : await api("POST", "/api/admin/stories", body);
      closeForm();
      await load();
      say($("stories-status"), `Saved ${saved.story.name}.`);
    } catch (error) {
      say($("story-error"), error.message);
    }
  });
}

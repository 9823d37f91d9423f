// One story: its definition, the facts it knows, and the timeline of documents and decisions
// with the reasons and the facts before → after.

import { api } from "./api.js";
import { $, badge, el, link, say, time } from "./ui.js";
import { matchWords } from "./stories.js";

export function init() {}

export async function show(id) {
  say($("story-status"), "Loading…");
  $("story-heading").textContent = "Story";
  for (const list of ["story-definition", "story-facts", "story-timeline"]) $(list).replaceChildren();
  try {
    const data = await api("GET", `/api/admin/stories/${encodeURIComponent(id)}/timeline?limit=200`);
    const story = data.story;
    $("story-heading").textContent = story.name;
    $("story-definition").replaceChildren(
      ...term("Matches", matchWords(story)),
      ...term("Topic", story.topic || "every subscriber"),
      ...term("Own thresholds", story.thresholds ? JSON.stringify(story.thresholds) : "none (global settings)"),
      ...term("Documents seen", String(data.documents)),
    );
    $("story-facts").replaceChildren(...(data.known_facts.length
      ? data.known_facts.map((fact) => el("li", {}, fact))
      : [el("li", { class: "muted" }, "Nothing yet: the first document sets the baseline.")]));
    $("story-timeline").replaceChildren(...data.timeline.map(entry));
    say($("story-status"), data.timeline.length ? "" : "No document has matched this story yet.");
  } catch (error) {
    say($("story-status"), `Could not load the story: ${error.message}`);
  }
}

function term(name, value) {
  return [el("dt", {}, name), el("dd", {}, value)];
}

/** How the engine decided, as a badge. */
export function verdict(detail, alerted) {
  if (detail.baseline) return badge("baseline", "");
  if (detail.held) return badge("held (quiet hours)", "warn");
  return alerted ? badge("alert", "alert") : badge("no alert", "");
}

function entry(e) {
  const detail = e.detail || {};
  return el("li", { class: e.alert ? "alerted" : "" },
    el("div", { class: "entry-head" },
      verdict(detail, e.alert),
      el("strong", {}, link(e.url, e.title || e.url || `document ${e.document_id}`)),
      el("span", { class: "muted" }, ` · ${e.source || "unknown source"} · score ${e.score.toFixed(2)} · `, time(e.decided_at)),
      e.alert_id ? [" · ", el("a", { href: `#/alerts/${e.alert_id}` }, `alert ${e.alert_id}`)] : null),
    decisionDetail(detail),
  );
}

/** Reasons, counted facts and the facts before → after; shared with the alerts page. */
export function decisionDetail(detail) {
  const list = (items, empty) => items && items.length
    ? el("ul", {}, ...items.map((item) => el("li", {}, item)))
    : el("p", { class: "muted" }, empty);
  const before = new Set(detail.before || []);
  const after = new Set(detail.after || []);
  const added = [...after].filter((f) => !before.has(f));
  const dropped = [...before].filter((f) => !after.has(f));
  return el("div", { class: "decision" },
    detail.title ? el("p", {}, el("strong", {}, "Alert: "), detail.title, detail.body ? ` — ${detail.body}` : "") : null,
    el("details", { open: Boolean(detail.alert) },
      el("summary", {}, `Why: ${(detail.reasons || []).length} reasons, ${(detail.facts || []).length} new facts`),
      el("h4", {}, "Reasons"), list(detail.reasons, "No reason given."),
      el("h4", {}, "New facts that counted"), list(detail.facts, "None."),
      el("h4", {}, "Facts before → after"),
      el("div", { class: "before-after" },
        el("div", {}, el("h5", {}, "Added"), list(added, "Nothing added.")),
        el("div", {}, el("h5", {}, "Replaced or dropped"), list(dropped, "Nothing dropped."))),
      el("details", {}, el("summary", {}, `All facts after (${after.size})`), list([...after], "None."))),
  );
}

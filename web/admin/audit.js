// The audit log: who changed what and when, each change shown as only the fields that moved.

import { api } from "./api.js";
import { $, cell, el, say, time } from "./ui.js";

const MAX_CHANGES = 8;

export async function loadAudit() {
  say($("audit-status"), "Loading…");
  try {
    const { entries } = await api("GET", "/api/admin/audit?limit=50");
    $("audit-table").tBodies[0].replaceChildren(...entries.map(row));
    say($("audit-status"), entries.length === 0 ? "No changes recorded yet." : "");
  } catch (error) {
    say($("audit-status"), `Could not load the audit log: ${error.message}`);
  }
}

function row(entry) {
  return el("tr", { dataset: { id: entry.id } },
    cell("When", time(entry.at)),
    cell("Who", entry.actor),
    cell("Action", el("code", {}, entry.action), el("br"), el("span", { class: "muted" }, entry.subject)),
    cell("Change", summary(entry.before, entry.after)));
}

/** "created …", "deleted …", or one line per changed field: `min_score: 1 → 2.5`. */
function summary(before, after) {
  const name = (v) => (v && (v.name || v.title)) || "";
  if (before === null && after !== null) return el("span", {}, `created ${name(after)}`.trim());
  if (after === null && before !== null) return el("span", {}, `deleted ${name(before)}`.trim());
  const lines = changes(before, after, "");
  if (lines.length === 0) return el("span", { class: "muted" }, "no change");
  const shown = lines.slice(0, MAX_CHANGES).map((line) => el("li", {}, line));
  if (lines.length > MAX_CHANGES) shown.push(el("li", { class: "muted" }, `and ${lines.length - MAX_CHANGES} more`));
  return el("ul", { class: "changes" }, ...shown);
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** Leaf paths whose values differ between two JSON values. */
export function changes(before, after, path) {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => changes(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [`${path || "value"}: ${compact(before)} → ${compact(after)}`];
}

function compact(value) {
  if (value === undefined || value === null) return "none";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

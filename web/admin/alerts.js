// Alerts: the history with delivery counts and, for the diff engine's alerts, why they were
// sent; composing a manual alert with a live notification preview; the test push.

import { api } from "./api.js";
import { $, badge, busy, el, link, say, splitList, time, truncate } from "./ui.js";
import { decisionDetail } from "./story.js";
import { sendTestPush } from "./testpush.js";

/** Roughly what a desktop notification shows before cutting. */
const TITLE_CHARS = 60;
const BODY_CHARS = 150;

export function init() {
  const form = $("compose-form");
  form.addEventListener("input", renderNotification);
  form.addEventListener("submit", send);
  $("test-push").addEventListener("click", () =>
    busy($("test-push"), () => sendTestPush($("test-push-status")).then(loadHistory)));
  $("n-host").textContent = location.host;
  renderNotification();
}

export async function show(id) {
  loadTopics();
  await loadHistory();
  if (id) {
    const item = document.querySelector(`#history li[data-id="${CSS.escape(id)}"]`);
    if (item) {
      item.querySelector("details").open = true;
      item.scrollIntoView({ block: "start" });
    }
  }
}

async function loadTopics() {
  try {
    const { topics } = await api("GET", "/api/topics");
    $("known-topics").replaceChildren(...topics.map((t) => el("option", { value: t.name }, t.label || t.name)));
    $("compose-topics-hint").textContent = topics.length
      ? `Stories' topics: ${topics.map((t) => t.name).join(", ")}.`
      : "No story has a topic yet.";
  } catch {
    $("compose-topics-hint").textContent = "";
  }
}

function renderNotification() {
  const title = $("compose-title").value.trim() || "Title";
  const body = $("compose-body").value.trim();
  $("n-title").textContent = truncate(title, TITLE_CHARS);
  $("n-title").title = title;
  $("n-body").textContent = truncate(body, BODY_CHARS);
  $("n-body").hidden = !body;
}

async function send(event) {
  event.preventDefault();
  say($("compose-error"), "");
  const body = {
    title: $("compose-title").value.trim(),
    body: $("compose-body").value.trim(),
    url: $("compose-url").value.trim() || null,
    topics: splitList($("compose-topics").value),
  };
  await busy($("compose-send"), async () => {
    try {
      const created = await api("POST", "/api/admin/alerts", body);
      $("compose-form").reset();
      renderNotification();
      say($("compose-status"), `Alert ${created.id} sent to ${created.queued} subscriber${created.queued === 1 ? "" : "s"}.`);
      await loadHistory();
    } catch (error) {
      say($("compose-error"), error.message);
    }
  });
}

async function loadHistory() {
  say($("history-status"), "Loading…");
  try {
    const { alerts } = await api("GET", "/api/admin/alerts?limit=100");
    $("history").replaceChildren(...alerts.map(item));
    say($("history-status"), alerts.length === 0 ? "No alerts yet." : "");
  } catch (error) {
    say($("history-status"), `Could not load the alerts: ${error.message}`);
  }
}

function counts(c) {
  return `${c.delivered} delivered · ${c.failed} failed · ${c.gone} gone · ${c.queued} waiting`;
}

function item(alert) {
  const countLine = el("p", { class: "muted counts" }, counts(alert.counts));
  const more = el("div", { class: "more" });
  const details = el("details", {}, el("summary", {}, alert.story ? "Deliveries and why it was sent" : "Deliveries"), more);
  details.addEventListener("toggle", () => { if (details.open) loadDetail(alert, countLine, more); });
  return el("li", { dataset: { id: alert.id } },
    el("div", { class: "entry-head" },
      alert.public ? (alert.story ? badge("story", "alert") : badge("manual", "")) : badge("test, not public", "warn"),
      el("strong", {}, link(alert.url, alert.title)),
      el("span", { class: "muted" }, " · ", time(alert.created_at),
        alert.story ? [" · ", el("a", { href: `#/stories/${alert.story}` }, `story ${alert.story}`)] : null,
        alert.topics.length ? ` · topics: ${alert.topics.join(", ")}` : " · every subscriber")),
    alert.body ? el("p", { class: "alert-body" }, alert.body) : null,
    countLine, details);
}

/** Fresh delivery counts, and for a story's alert the decision that sent it. */
async function loadDetail(alert, countLine, more) {
  say(more, "Loading…");
  try {
    const fresh = await api("GET", `/api/admin/alerts/${alert.id}`);
    countLine.textContent = counts(fresh.counts);
    if (!alert.story) return say(more, "Sent by hand, with no story behind it.");
    const { timeline } = await api("GET", `/api/admin/stories/${alert.story}/timeline?limit=1000`);
    const decision = timeline.find((entry) => entry.alert_id === alert.id);
    more.replaceChildren(decision
      ? decisionDetail(decision.detail || {})
      : el("p", { class: "muted" }, "The decision is no longer in the story's timeline."));
  } catch (error) {
    say(more, error.status === 404 ? "Its story was deleted." : `Could not load the details: ${error.message}`);
  }
}

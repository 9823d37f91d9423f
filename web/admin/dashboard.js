// Dashboard: subscribers by topic, today's alerts, delivery success, source health.

import { api } from "./api.js";
import { $, cell, el, say } from "./ui.js";

const NUMBER = new Intl.NumberFormat();
const PERCENT = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });

export function init() {}

export async function show() {
  say($("dashboard-status"), "Loading…");
  try {
    const data = await api("GET", "/api/admin/dashboard");
    renderSubscribers(data.subscribers);
    renderAlerts(data.alerts, data.stories);
    renderDeliveries(data.deliveries);
    renderSources(data.sources);
    say($("dashboard-status"), "");
  } catch (error) {
    say($("dashboard-status"), `Could not load the dashboard: ${error.message}`);
  }
}

function renderSubscribers(subscribers) {
  $("dash-subscribers").textContent = NUMBER.format(subscribers.total);
  $("dash-subscribers-detail").textContent =
    `${NUMBER.format(subscribers.all_topics)} get every alert (no topic picked).`;
  const rows = subscribers.by_topic.map((t) =>
    el("tr", {}, cell("Topic", t.topic), cell("Subscribers", el("span", { class: "num" }, NUMBER.format(t.count)))));
  if (rows.length === 0) rows.push(el("tr", {}, el("td", { colspan: 2, class: "muted" }, "No topics picked yet.")));
  $("dash-topics").tBodies[0].replaceChildren(...rows);
}

function renderAlerts(alerts, stories) {
  $("dash-alerts").textContent = NUMBER.format(alerts.today);
  const since = new Date(alerts.since);
  $("dash-alerts-detail").textContent =
    `${alerts.from_stories} from stories, ${alerts.manual} sent by hand, since ` +
    `${since.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })} ` +
    `(midnight UTC). ${stories} ${stories === 1 ? "story" : "stories"} followed.`;
}

function renderDeliveries(d) {
  const rate = d.success_rate;
  $("dash-rate").textContent = rate === null ? "—" : PERCENT.format(rate);
  const meter = $("dash-rate-meter");
  meter.value = rate === null ? 0 : rate;
  meter.hidden = rate === null;
  $("dash-deliveries-detail").textContent = rate === null
    ? "No pushes finished in the last 7 days."
    : `Last 7 days: ${NUMBER.format(d.delivered)} delivered, ${NUMBER.format(d.failed)} failed, ` +
      `${NUMBER.format(d.gone)} to readers who had left, ${NUMBER.format(d.queued)} waiting.`;
}

function renderSources(s) {
  const line = (count, label, kind) =>
    el("li", { class: kind }, el("span", { class: "count" }, NUMBER.format(count)), ` ${label}`);
  $("dash-sources").replaceChildren(
    line(s.ok, "fetching fine", "ok"),
    line(s.failing, "failing", s.failing > 0 ? "bad" : ""),
    line(s.paused, "paused", s.paused > 0 ? "warn" : ""),
    line(s.new, "not fetched yet", ""),
    el("li", { class: "total" }, `${NUMBER.format(s.total)} in all`),
  );
}

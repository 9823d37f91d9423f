// Reader's subscribe page: the push subscription's lifecycle, the topic picker and the
// recent alerts list.
"use strict";

// Shared with sw.js, which re-posts these topics when the browser rotates the subscription.
const SETTINGS_CACHE = "herald-settings";
const TOPICS_KEY = "/settings/topics";

const STATES = {
  working: "Working…",
  subscribed: "Alerts are on for this device.",
  unsubscribed: "Alerts are off for this device.",
  blocked: "Notifications are blocked for this site.",
  unsupported: "This browser cannot receive push alerts.",
  "ios-home-screen": "On iPhone and iPad, add Herald to your Home Screen first.",
  error: "Something went wrong.",
};

const $ = (id) => document.getElementById(id);

function setState(state, detail) {
  const line = $("state");
  line.dataset.state = state;
  line.textContent = STATES[state];
  $("state-detail").textContent = detail || "";
  $("state-detail").hidden = !detail;
  const subscribed = state === "subscribed";
  $("subscribe").hidden = subscribed;
  $("unsubscribe").hidden = !subscribed;
  $("update-topics").hidden = !subscribed || $("topics").hidden;
  for (const button of document.querySelectorAll(".actions button")) {
    button.disabled = state === "working";
  }
  if (["unsupported", "ios-home-screen", "blocked"].includes(state)) $("subscribe").disabled = true;
}

// --- HTTP -------------------------------------------------------------------

async function api(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const message = data && data.error && data.error.message;
    throw new Error(message || `The server answered ${response.status}.`);
  }
  return data;
}

const postSubscription = (subscription, topics) =>
  api("POST", "/api/subscriptions", { ...subscription.toJSON(), topics });

const deleteSubscription = (endpoint) => api("DELETE", "/api/subscriptions", { endpoint });

function base64UrlToBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

// --- Topics -----------------------------------------------------------------

async function loadTopics() {
  const response = await fetch("/api/topics", { headers: { Accept: "application/json" } });
  if (!response.ok) return;
  const { topics } = await response.json();
  if (!Array.isArray(topics) || topics.length === 0) return;
  const chosen = new Set(await rememberedTopics());
  const list = $("topic-list");
  list.replaceChildren();
  for (const topic of topics) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "topic";
    box.value = topic.name;
    box.checked = chosen.has(topic.name);
    label.append(box, document.createTextNode(topic.label || topic.name));
    list.append(label);
  }
  $("topics").hidden = false;
}

function selectedTopics() {
  return [...document.querySelectorAll("#topic-list input:checked")].map((box) => box.value);
}

async function rememberedTopics() {
  if (!("caches" in self)) return [];
  const cache = await caches.open(SETTINGS_CACHE);
  const stored = await cache.match(TOPICS_KEY);
  return stored ? stored.json() : [];
}

async function rememberTopics(topics) {
  if (!("caches" in self)) return;
  const cache = await caches.open(SETTINGS_CACHE);
  const headers = { "Content-Type": "application/json" };
  await cache.put(TOPICS_KEY, new Response(JSON.stringify(topics), { headers }));
}

// --- Subscription -----------------------------------------------------------

function isIos() {
  return /iPad|iPhone|iPod/.test(navigator.userAgent) ||
    (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
}

function isStandalone() {
  return navigator.standalone === true || window.matchMedia("(display-mode: standalone)").matches;
}

const HELP = {
  blocked: "To unblock, open this site's settings (the icon next to the address bar), " +
    "allow notifications, then reload the page.",
  dismissed: "Notifications were not allowed. Try again when ready.",
  ios: "Tap the Share button, choose \u201cAdd to Home Screen\u201d, then open Herald " +
    "from the Home Screen to turn on alerts.",
  unsupported: "Try a current version of Firefox, Chrome, Edge or Safari.",
};

async function subscribe() {
  setState("working");
  try {
    const permission = await Notification.requestPermission();
    if (permission === "denied") return setState("blocked", HELP.blocked);
    if (permission !== "granted") return setState("unsubscribed", HELP.dismissed);
    const { publicKey } = await api("GET", "/api/vapid-public-key");
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: base64UrlToBytes(publicKey),
    });
    const topics = selectedTopics();
    await rememberTopics(topics);
    try {
      await postSubscription(subscription, topics);
    } catch (error) {
      // The server refused it: drop it here too so the two sides agree and a retry starts clean.
      await subscription.unsubscribe().catch(() => {});
      throw error;
    }
    setState("subscribed");
  } catch (error) {
    setState("error", error.message);
  }
}

async function updateTopics() {
  setState("working");
  try {
    const subscription = await (await navigator.serviceWorker.ready).pushManager.getSubscription();
    if (!subscription) return setState("unsubscribed");
    const topics = selectedTopics();
    await rememberTopics(topics);
    await postSubscription(subscription, topics);
    setState("subscribed", "Topics updated.");
  } catch (error) {
    setState("error", error.message);
  }
}

async function unsubscribe() {
  setState("working");
  try {
    const subscription = await (await navigator.serviceWorker.ready).pushManager.getSubscription();
    if (!subscription) return setState("unsubscribed");
    let serverError = null;
    await deleteSubscription(subscription.endpoint).catch((error) => { serverError = error; });
    // Stop notifications on this device even when the server could not be told.
    await subscription.unsubscribe();
    if (serverError) return setState("error", serverError.message);
    setState("unsubscribed");
  } catch (error) {
    setState("error", error.message);
  }
}

async function checkDevice() {
  if (isIos() && !isStandalone()) {
    return setState("ios-home-screen", HELP.ios);
  }
  const apis = ["serviceWorker" in navigator, "PushManager" in window, "Notification" in window];
  if (apis.includes(false)) return setState("unsupported", HELP.unsupported);
  await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  const registration = await navigator.serviceWorker.ready;
  if (Notification.permission === "denied") return setState("blocked", HELP.blocked);
  const subscription = await registration.pushManager.getSubscription();
  if (!subscription) return setState("unsubscribed");
  // Re-posting on every visit keeps the server's copy fresh.
  await postSubscription(subscription, await rememberedTopics());
  setState("subscribed");
}

// --- Recent alerts ----------------------------------------------------------

function safeLink(url) {
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function renderAlert(alert) {
  const item = document.createElement("li");
  const title = document.createElement("h3");
  title.className = "alert-title";
  const href = alert.url && safeLink(alert.url);
  if (href) {
    const link = document.createElement("a");
    link.href = href;
    link.rel = "noopener";
    link.textContent = alert.title;
    title.append(link);
  } else {
    title.textContent = alert.title;
  }
  const body = document.createElement("p");
  body.className = "alert-body";
  body.textContent = alert.body;
  const time = document.createElement("time");
  time.className = "alert-meta";
  time.dateTime = alert.created_at;
  const when = new Date(alert.created_at);
  time.textContent = Number.isNaN(when.getTime()) ? alert.created_at : when.toLocaleString();
  item.append(title, body, time);
  return item;
}

async function loadAlerts() {
  const status = $("alerts-status");
  try {
    const { alerts } = await api("GET", "/api/alerts?limit=20");
    $("alerts").replaceChildren(...alerts.map(renderAlert));
    status.textContent = alerts.length === 0 ? "No alerts yet" : "";
    status.hidden = alerts.length > 0;
  } catch (error) {
    status.textContent = `Could not load alerts: ${error.message}`;
    status.hidden = false;
  }
}

// --- Start ------------------------------------------------------------------

// Runs a button's action, then puts keyboard focus back on a button if the clicked one went away.
function action(run) {
  return async () => {
    await run();
    const focused = document.activeElement;
    if (focused && focused !== document.body && !focused.hidden && !focused.disabled) return;
    const buttons = [...document.querySelectorAll(".actions button")];
    const next = buttons.find((button) => !button.hidden && !button.disabled);
    if (next) next.focus();
  };
}

function start() {
  $("subscribe").addEventListener("click", action(subscribe));
  $("update-topics").addEventListener("click", action(updateTopics));
  $("unsubscribe").addEventListener("click", action(unsubscribe));
  if ("serviceWorker" in navigator) {
    // The service worker says when a push arrived while this page is open.
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "alert") loadAlerts();
    });
  }
  loadAlerts();
  loadTopics()
    .catch(() => {})
    .then(checkDevice)
    .catch((error) => setState("error", error.message));
}

start();

// Service worker: shows pushed alerts, opens them on click, and renews the subscription when
// the browser rotates it.
"use strict";

// Written by app.js: the topics the reader picked, re-posted with a renewed subscription.
const SETTINGS_CACHE = "herald-settings";
const TOPICS_KEY = "/settings/topics";

self.addEventListener("install", (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// --- Showing alerts -----------------------------------------------------------

self.addEventListener("push", (event) => event.waitUntil(showAlert(readPayload(event.data))));

function readPayload(data) {
  if (!data) return {};
  try {
    const value = data.json();
    return value && typeof value === "object" ? value : { body: String(value) };
  } catch {
    return { body: data.text() };
  }
}

// Seconds or milliseconds since the epoch, or an RFC 3339 string; notifications want milliseconds.
function toMillis(ts) {
  if (typeof ts === "number") return ts < 1e12 ? ts * 1000 : ts;
  const parsed = typeof ts === "string" ? Date.parse(ts) : NaN;
  return Number.isNaN(parsed) ? Date.now() : parsed;
}

function safeUrl(url) {
  try {
    const parsed = new URL(url, self.location.origin);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : "/";
  } catch {
    return "/";
  }
}

async function showAlert(message) {
  const options = {
    body: typeof message.body === "string" ? message.body : "",
    icon: "/icon.svg",
    badge: "/icon.svg",
    data: { url: safeUrl(message.url || "/") },
    timestamp: toMillis(message.ts),
  };
  // One notification per story: a newer alert about it replaces the older one and rings again.
  const tag = message.story || (message.alert_id != null ? `alert-${message.alert_id}` : "");
  if (tag) Object.assign(options, { tag: String(tag), renotify: true });
  await self.registration.showNotification(message.title || "Herald", options);
  const pages = await self.clients.matchAll({ type: "window" });
  for (const page of pages) page.postMessage({ type: "alert" });
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(openPage(url));
});

async function openPage(url) {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = windows.find((client) => client.url === url);
  if (open) return open.focus();
  return self.clients.openWindow(url);
}

// --- Renewing a rotated subscription ----------------------------------------------

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(renew(event.oldSubscription, event.newSubscription));
});

async function renew(oldSubscription, newSubscription) {
  const fresh = newSubscription || (await resubscribe(oldSubscription));
  await send("POST", { ...fresh.toJSON(), topics: await rememberedTopics() });
  if (oldSubscription && oldSubscription.endpoint !== fresh.endpoint) {
    await send("DELETE", { endpoint: oldSubscription.endpoint }).catch(() => {});
  }
}

async function resubscribe(oldSubscription) {
  const old = (oldSubscription && oldSubscription.options) || {};
  let key = old.applicationServerKey;
  try {
    const response = await fetch("/api/vapid-public-key");
    if (response.ok) key = base64UrlToBytes((await response.json()).publicKey);
  } catch {
    // Offline: fall back to the key the old subscription used, if any.
  }
  const options = { userVisibleOnly: true, applicationServerKey: key };
  return self.registration.pushManager.subscribe(options);
}

async function send(method, body) {
  const response = await fetch("/api/subscriptions", {
    method,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} /api/subscriptions answered ${response.status}`);
}

async function rememberedTopics() {
  const stored = await (await caches.open(SETTINGS_CACHE)).match(TOPICS_KEY);
  return stored ? stored.json() : [];
}

function base64UrlToBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

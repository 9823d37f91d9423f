// "Send a test push to this browser": the reader page's service worker (/sw.js) and push
// subscription, then one notification for this subscription only.

import { api } from "./api.js";
import { say } from "./ui.js";

function base64UrlToBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** This browser's push subscription, made on first use with the server's VAPID key. */
async function browserSubscription() {
  await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  const registration = await navigator.serviceWorker.ready;
  const existing = await registration.pushManager.getSubscription();
  if (existing) return existing;
  const { publicKey } = await api("GET", "/api/vapid-public-key");
  return registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: base64UrlToBytes(publicKey),
  });
}

export async function sendTestPush(status) {
  const supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (!supported) return say(status, "This browser cannot receive push notifications.");
  try {
    say(status, "Asking for permission…");
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      return say(status, permission === "denied"
        ? "Notifications are blocked for this site; allow them in the site settings and try again."
        : "Notifications were not allowed.");
    }
    say(status, "Subscribing this browser…");
    const { endpoint, keys } = (await browserSubscription()).toJSON();
    const sent = await api("POST", "/api/admin/test-push", { endpoint, keys });
    say(status, `Test notification queued (alert ${sent.id}); it should appear within a few seconds.`);
  } catch (error) {
    say(status, `No test push: ${error.message}`);
  }
}

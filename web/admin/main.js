// The console's frame: sign in and out, and the hash router that shows one section at a time
// (#/dashboard, #/sources, #/stories, #/stories/3, #/thresholds, #/alerts).

import { loadSession, session, signIn, signOut } from "./api.js";
import { $, say } from "./ui.js";
import * as dashboard from "./dashboard.js";
import * as sources from "./sources.js";
import * as stories from "./stories.js";
import * as story from "./story.js";
import * as thresholds from "./thresholds.js";
import * as alerts from "./alerts.js";

const SECTIONS = { dashboard, sources, stories, story, thresholds, alerts };

/** `#/stories/3` → ["story", "3"]; anything unknown → the dashboard. */
function route() {
  const [name, arg] = location.hash.replace(/^#\/?/, "").split("/");
  if (name === "stories" && arg) return ["story", arg];
  return SECTIONS[name] ? [name, arg] : ["dashboard", undefined];
}

function showView(id) {
  for (const view of document.querySelectorAll("main > section")) view.hidden = view.id !== id;
}

async function render() {
  if (!session.username) return;
  const [name, arg] = route();
  showView(`view-${name}`);
  const current = name === "story" ? "stories" : name;
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.dataset.section === current) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  document.title = `${$(`view-${name}`).querySelector("h2").textContent} · Herald admin`;
  await SECTIONS[name].show(arg);
}

function signedIn() {
  $("who-name").textContent = session.username;
  $("who").hidden = false;
  $("nav").hidden = false;
  render();
}

function signedOut(message) {
  $("who").hidden = true;
  $("nav").hidden = true;
  showView("view-login");
  document.title = "Sign in · Herald admin";
  say($("login-error"), message || "");
  $("login-password").value = "";
  $("login-username").focus();
}

async function submitLogin(event) {
  event.preventDefault();
  const button = event.submitter || $("login-form").querySelector("button");
  const username = $("login-username").value.trim();
  const password = $("login-password").value;
  if (!username || !password) return say($("login-error"), "Enter your user name and password.");
  button.disabled = true;
  try {
    await signIn(username, password);
    say($("login-error"), "");
    $("login-password").value = "";
    signedIn();
  } catch (error) {
    say($("login-error"), error.message);
  } finally {
    button.disabled = false;
  }
}

async function start() {
  for (const section of Object.values(SECTIONS)) section.init();
  $("login-form").addEventListener("submit", submitLogin);
  $("logout").addEventListener("click", async () => {
    await signOut().catch(() => {});
    signedOut("You are signed out.");
  });
  window.addEventListener("herald:signed-out", (event) =>
    signedOut(`Your session ended (${event.detail}). Sign in again.`));
  window.addEventListener("hashchange", () => {
    render();
    $("main").focus({ preventScroll: true });
  });
  try {
    const known = await loadSession();
    $("boot").hidden = true;
    return known ? signedIn() : signedOut();
  } catch (error) {
    say($("boot"), `The console cannot start: ${error.message}`);
  }
}

start();

// Small DOM helpers shared by the console's sections. Text always goes in as text, never as
// HTML, so nothing the API returns can run as markup.

export const $ = (id) => document.getElementById(id);

/** `el("a", { href, class: "x", dataset: { id: 1 } }, "text", child)` */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Shows `message` in a status or error line, hiding the line when there is none. */
export function say(node, message) {
  node.textContent = message || "";
  if (node.classList.contains("error")) node.hidden = !message;
}

/** A link only for http(s) URLs and paths on this server; anything else stays text. */
export function safeHref(url) {
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

export function link(url, text) {
  const href = url && safeHref(url);
  return href ? el("a", { href, rel: "noopener noreferrer" }, text || url) : el("span", {}, text || url || "");
}

const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** A `<time>` for an RFC 3339 string or Unix milliseconds, in the reader's locale. */
export function time(value) {
  if (value === null || value === undefined || value === "") return el("span", { class: "muted" }, "—");
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return el("span", {}, String(value));
  return el("time", { datetime: date.toISOString(), title: date.toISOString() }, DATE.format(date));
}

/** "3 min ago" / "in 2 h", for lists where the exact time is in the title. */
export function relative(value) {
  const date = new Date(value);
  if (value === null || value === undefined || Number.isNaN(date.getTime())) return "—";
  const seconds = Math.round((date.getTime() - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  const [n, unit] = abs < 60 ? [abs, "s"] : abs < 3600 ? [Math.round(abs / 60), "min"]
    : abs < 86400 ? [Math.round(abs / 3600), "h"] : [Math.round(abs / 86400), "d"];
  return seconds < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

export function badge(text, kind) {
  return el("span", { class: `badge ${kind || ""}`.trim() }, text);
}

/** "a, b , c" → ["a", "b", "c"] */
export function splitList(text) {
  return String(text || "").split(",").map((s) => s.trim()).filter(Boolean);
}

export function debounce(run, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => run(...args), ms);
  };
}

/** Cuts `text` to `max` characters at a word boundary, with an ellipsis. */
export function truncate(text, max) {
  const chars = [...String(text || "")];
  if (chars.length <= max) return chars.join("");
  const cut = chars.slice(0, max - 1).join("");
  const space = cut.lastIndexOf(" ");
  return (space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd() + "…";
}

/**
 * A button that asks once more before acting: the first press changes its label to
 * "Confirm …" for a few seconds, the second runs `action`. No modal dialog to get stuck in.
 */
export function confirmButton(label, confirmLabel, action) {
  const button = el("button", { type: "button", class: "danger" }, label);
  let armed = null;
  button.addEventListener("click", async () => {
    if (!armed) {
      button.textContent = confirmLabel;
      button.classList.add("armed");
      armed = setTimeout(() => {
        armed = null;
        button.textContent = label;
        button.classList.remove("armed");
      }, 4000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    button.disabled = true;
    try {
      await action();
    } finally {
      button.disabled = false;
      button.textContent = label;
      button.classList.remove("armed");
    }
  });
  return button;
}

/** A table cell with the column name, which the narrow layout shows before the value. */
export function cell(label, ...children) {
  return el("td", { dataset: { label } }, ...children);
}

/** Runs `work` with `button` disabled, so a double click sends once. */
export async function busy(button, work) {
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}

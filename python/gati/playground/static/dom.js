// The playground's building blocks: making elements, calling the API, formatting values.
// Every value that comes from a request is put into the page as text (never as HTML):
// recorded requests are untrusted input.

export const BASE = location.pathname.replace(/[^/]*$/, ""); // "/_gati/", also under a mount
export const API = BASE + "api/";

/** Makes an element: h("a.link#top", {href: "#/"}, "text", child, ...). */
export function h(tag, attrs, ...children) {
  const [name, ...rest] = tag.split(/(?=[.#])/);
  const el = document.createElement(name || "div");
  for (const part of rest) {
    if (part[0] === ".") el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "style") el.style.cssText = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Calls the playground API; a problem+json answer becomes an ApiError with its detail. */
export async function api(path, options = {}) {
  const init = { method: options.method || "GET", headers: { Accept: "application/json" },
    credentials: "same-origin" };
  if (options.body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  }
  const response = await fetch(API + path, init);
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { detail: text }; }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const pretty = (value) => JSON.stringify(value, null, 2);
export const ms = (value) => value >= 100 ? `${value.toFixed(0)} ms` : value >= 1 ? `${value.toFixed(1)} ms`
  : `${(value * 1000).toFixed(0)} µs`;
export const clock = (unix) => new Date(unix * 1000).toLocaleTimeString([], { hour12: false });
/** A handler's dotted Python name shortened to its last part ("pkg.mod.<locals>.greet" → "greet"). */
export const shortName = (name) => name.replace(/^.*[.]/, "");
/** A hook id without the enclosing function a local hook was defined in ("make.<locals>.audit" → "audit"). */
export const hookName = (name) => name.replace(/^.*<locals>[.]/, "");
const statusClass = (status) => `status s${String(status)[0]}xx`;
export const pathText = (path) => path.length ? path.map((p) => typeof p === "number" ? `[${p}]` : `.${p}`).join("")
  : "(whole body)";

export function statusPill(status) { return h(`span.${statusClass(status).replace(" ", ".")}`, {}, status); }
export function versionPill(version) {
  return version ? h("span.pill.version", {}, version) : h("span.pill.muted", {}, "unversioned");
}

export function bodyBlock(body) {
  if (body === null || body === undefined || body === "") return h("p.muted", {}, "(empty body)");
  return h("pre.code", {}, typeof body === "string" ? body : pretty(body));
}

export function headersTable(headers) {
  if (!headers || !headers.length) return h("p.muted", {}, "(no headers)");
  return h("table.kv", {}, h("tbody", {}, headers.map(([name, value]) =>
    h("tr", {}, h("th", {}, name), h("td", {}, value === "***" ? h("span.redacted", {}, "*** redacted") : value)))));
}

export function problemBox(error) {
  const text = error instanceof ApiError && error.status === 401
    ? "This playground needs its token: open /_gati/?token=<token> once to set it for this browser."
    : error.message;
  return h("div.notice.error", { role: "alert" }, text);
}

// The gati playground: a small single-page UI over the /_gati/api/ endpoints.
// Plain JavaScript, no build step and no dependencies. Every value that comes from a request is
// put into the page as text (never as HTML): recorded requests are untrusted input.
"use strict";

const BASE = location.pathname.replace(/[^/]*$/, ""); // "/_gati/", also under a mount
const API = BASE + "api/";
const LIVE_LIMIT = 200;

// ---------------------------------------------------------------- small helpers

/** Makes an element: h("a.link#top", {href: "#/"}, "text", child, ...). */
function h(tag, attrs, ...children) {
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

class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Calls the playground API; a problem+json answer becomes an ApiError with its detail. */
async function api(path, options = {}) {
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

const pretty = (value) => JSON.stringify(value, null, 2);
const ms = (value) => value >= 100 ? `${value.toFixed(0)} ms` : value >= 1 ? `${value.toFixed(1)} ms`
  : `${(value * 1000).toFixed(0)} µs`;
const clock = (unix) => new Date(unix * 1000).toLocaleTimeString([], { hour12: false });
/** A handler's dotted Python name shortened to its last part ("pkg.mod.<locals>.greet" → "greet"). */
const shortName = (name) => name.replace(/^.*[.]/, "");
/** A hook id without the enclosing function a local hook was defined in ("make.<locals>.audit" → "audit"). */
const hookName = (name) => name.replace(/^.*<locals>[.]/, "");
const statusClass = (status) => `status s${String(status)[0]}xx`;
const pathText = (path) => path.length ? path.map((p) => typeof p === "number" ? `[${p}]` : `.${p}`).join("")
  : "(whole body)";

function statusPill(status) { return h(`span.${statusClass(status).replace(" ", ".")}`, {}, status); }
function versionPill(version) {
  return version ? h("span.pill.version", {}, version) : h("span.pill.muted", {}, "unversioned");
}

function bodyBlock(body) {
  if (body === null || body === undefined || body === "") return h("p.muted", {}, "(empty body)");
  return h("pre.code", {}, typeof body === "string" ? body : pretty(body));
}

function headersTable(headers) {
  if (!headers || !headers.length) return h("p.muted", {}, "(no headers)");
  return h("table.kv", {}, h("tbody", {}, headers.map(([name, value]) =>
    h("tr", {}, h("th", {}, name), h("td", {}, value === "***" ? h("span.redacted", {}, "*** redacted") : value)))));
}

function problemBox(error) {
  const text = error instanceof ApiError && error.status === 401
    ? "This playground needs its token: open /_gati/?token=<token> once to set it for this browser."
    : error.message;
  return h("div.notice.error", { role: "alert" }, text);
}

// ---------------------------------------------------------------- live stream (SSE)

// summaries: the newest requests the stream delivered, each with its arrival number (seq)
const live = { summaries: [], seq: 0, paused: 0, listeners: new Set() };

function connectStream() {
  const state = document.getElementById("stream-state");
  const source = new EventSource(API + "events");
  let dropped = false;
  source.onopen = () => {
    state.textContent = "live";
    state.className = "stream on";
    // events sent while the stream was down are lost: lists fed by it are read again
    if (dropped && /^#?\/?$|^#\/gates/.test(location.hash)) route();
    dropped = false;
  };
  source.onerror = () => { dropped = true; state.textContent = "reconnecting…"; state.className = "stream off"; };
  source.addEventListener("request", (event) => {
    const summary = JSON.parse(event.data);
    live.summaries.unshift({ seq: ++live.seq, summary });
    live.summaries.length = Math.min(live.summaries.length, LIVE_LIMIT);
    for (const listener of live.listeners) listener("request", summary);
  });
  for (const kind of ["paused", "resumed"]) {
    source.addEventListener(kind, (event) => {
      const data = JSON.parse(event.data);
      setPausedCount(live.paused + (kind === "paused" ? 1 : -1));
      for (const listener of live.listeners) listener(kind, data);
    });
  }
}

function setPausedCount(count) {
  live.paused = Math.max(0, count);
  const badge = document.getElementById("paused-count");
  badge.textContent = String(live.paused);
  badge.hidden = live.paused === 0;
}

// ---------------------------------------------------------------- view: live list

function requestRow(summary) {
  const open = () => { location.hash = `#/requests/${encodeURIComponent(summary.id)}`; };
  const pick = h("input.pick", { type: "checkbox", "aria-label": `compare ${summary.path}`,
    onclick: (e) => e.stopPropagation() });
  return h("tr", { "data-request-id": summary.id, tabindex: 0, onclick: open,
    onkeydown: (e) => { if (e.key === "Enter" && e.target === e.currentTarget) open(); } },
    h("td.pick-cell", {}, pick),
    h("td.time", {}, clock(summary.started_at)),
    h("td", {}, h("span.method", {}, summary.method)),
    h("td.path", {}, summary.path, summary.replay_of ? h("span.pill.replay", {}, "replay") : null),
    h("td.route", {}, summary.route || h("span.muted", {}, "no route")),
    h("td", {}, versionPill(summary.version)),
    h("td", {}, statusPill(summary.status)),
    h("td.num", {}, ms(summary.duration_ms)));
}

async function liveView(view) {
  const since = live.seq;
  const { requests } = await api(`requests?limit=${LIVE_LIMIT}`);
  // Requests the stream delivered while the list was loading are merged in, once each.
  const known = new Set(requests.map((s) => s.id));
  const arrived = live.summaries.filter((e) => e.seq > since).map((e) => e.summary);
  requests.push(...arrived.filter((s) => !known.has(s.id)));
  requests.sort((a, b) => b.started_at - a.started_at);
  const body = h("tbody", {}, requests.map(requestRow));
  const empty = h("p.empty", { hidden: requests.length > 0 },
    "No requests yet. Call the app and they appear here as they complete.");
  const filter = h("input#filter.filter", { type: "search", placeholder: "Filter: path, route, version, status…",
    "aria-label": "filter the requests" });
  const matches = (row) => row.textContent.toLowerCase().includes(filter.value.trim().toLowerCase());
  filter.addEventListener("input", () => { for (const row of body.rows) row.hidden = !matches(row); });
  // two rows ticked: their diff (the older one on the left)
  const compare = h("button#compare", { type: "button", disabled: true,
    title: "Tick two requests to diff them" }, "Compare");
  const picked = () => [...body.querySelectorAll("input.pick:checked")].map((box) => box.closest("tr"));
  body.addEventListener("change", () => { compare.disabled = picked().length !== 2; });
  compare.addEventListener("click", () => {
    const [newer, older] = picked().map((row) => encodeURIComponent(row.dataset.requestId));
    location.hash = `#/diff/${older}/${newer}`;
  });
  view.append(
    h("div.page-head.with-tools", {},
      h("div", {}, h("h1", {}, "Live requests"),
        h("p.lede", {}, "The most recent requests this process served, newest first. Open one to see its lifecycle, or tick two to compare them.")),
      h("div.tools", {}, filter, compare)),
    h("div.card.flush", {},
      h("table#requests.grid", {},
        h("thead", {}, h("tr", {}, ["", "Time", "Method", "Path", "Route", "Version", "Status", "Duration"]
          .map((t) => h("th", {}, t)))),
        body),
      empty));
  return (kind, summary) => {
    if (kind !== "request" || body.querySelector(`tr[data-request-id="${CSS.escape(summary.id)}"]`)) return;
    const row = requestRow(summary);
    row.hidden = !matches(row);
    body.prepend(row);
    while (body.rows.length > LIVE_LIMIT) body.lastElementChild.remove();
    empty.hidden = true;
  };
}

// ---------------------------------------------------------------- timeline

const PHASES = ["ingress", "version", "transform", "policy", "hook", "handler", "response"];
const OUTCOMES = ["ok", "error", "retry", "timeout"];
const GATEABLE = ["policy", "hook", "handler"];

/** The gates page, its form filled in for a gate on this route at this hook. */
const gateLink = (route, hook) => `#/gates?${new URLSearchParams({ route, hook, when: "before" })}`;

/** The time a timeline spans: its last step's end. */
const span = (steps) => Math.max(0.001, ...steps.map((s) => s.start_ms + s.duration_ms));

/** A horizontal timeline: one row per step, bars placed by start and length on a shared axis
 * (``total`` ms wide: two timelines compared side by side share one scale).
 * With ``gateRoute`` ("METHOD template"), each hook and the handler link to a gate there. */
function timeline(steps, id, gateRoute = null, total = span(steps)) {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) =>
    h("span.tick", { style: `left:${f * 100}%` }, ms(total * f)));
  const rows = steps.map((step, index) => {
    const left = (step.start_ms / total) * 100;
    const width = Math.max((step.duration_ms / total) * 100, 0.4);
    const phase = PHASES.includes(step.phase) ? step.phase : "other";
    const outcome = OUTCOMES.includes(step.outcome) ? step.outcome : "other";
    return h(`div.step.phase-${phase}.outcome-${outcome}`,
      { "data-step": index, "data-phase": step.phase, "data-outcome": step.outcome,
        title: step.detail || `${step.phase} ${step.name}: ${step.outcome}` },
      h("div.step-label", {}, h("span.phase-tag", {}, step.phase),
        h("span.step-name", { title: step.name }, step.phase === "handler" ? shortName(step.name) : hookName(step.name)),
        gateRoute && GATEABLE.includes(step.phase)
          ? h("a.gate-link", { href: gateLink(gateRoute, step.phase === "handler" ? "handler" : step.name),
            title: "Pause this route's next request here" }, "gate") : null),
      h("div.track", {}, h("div.bar", { style: `left:${left}%;width:${Math.min(width, 100 - left)}%` })),
      h("div.step-time", {}, ms(step.duration_ms),
        step.outcome !== "ok" ? h("span.outcome", {}, step.outcome) : null),
      step.detail ? h("div.step-detail", {}, step.detail) : null);
  });
  return h(`div.timeline${id ? "#" + id : ""}`, {},
    h("div.axis", {}, h("div.step-label", {}), h("div.track", {}, ticks), h("div.step-time", {})),
    rows.length ? rows : h("p.muted", {}, "(no steps recorded)"));
}

// ---------------------------------------------------------------- view: one request

/** The top-level keys that differ from the previous snapshot, to mark what a hook changed. */
function changedKeys(before, after) {
  const keys = new Set([...Object.keys(before || {}), ...Object.keys(after || {})]);
  return [...keys].filter((k) => JSON.stringify((before || {})[k]) !== JSON.stringify((after || {})[k]));
}

function snapshotList(snapshots) {
  if (!snapshots.length) return h("p.muted", {}, "(no snapshots: the route has no hooks)");
  return snapshots.map((snap, i) => {
    const changed = i === 0 ? Object.keys(snap.state || {}) : changedKeys(snapshots[i - 1].state, snap.state);
    const [when, ...hook] = snap.boundary.split(":");
    return h("div.snapshot", { "data-boundary": snap.boundary },
      h("div.snapshot-head", {}, h("span.when", {}, when), h("code", { title: snap.boundary }, hookName(hook.join(":") || snap.boundary)),
        changed.map((k) => h("span.pill.changed", { title: "changed since the previous boundary" }, k))),
      h("pre.code", {}, pretty(snap.state)));
  });
}

function recordHead(record) {
  return h("div.record-head", {},
    h("span.method", {}, record.method), h("code.record-path", {}, record.path),
    statusPill(record.status), versionPill(record.version),
    h("span.meta", {}, ms(record.duration_ms)),
    record.route ? h("span.meta", {}, "route ", h("code", {}, record.route)) : null,
    record.handler_id ? h("span.meta", {}, "handler ", h("code", { title: record.handler_id }, shortName(record.handler_id))) : null,
    h("span.meta", {}, "request id ", h("code", {}, record.request_id)),
    record.replay_of ? h("a.meta", { href: `#/requests/${encodeURIComponent(record.replay_of)}` },
      "replay of ", h("code", {}, record.replay_of)) : null);
}

async function requestView(view, id) {
  const record = await api(`requests/${encodeURIComponent(id)}`);
  const others = record.versions.filter((v) => v !== record.version);
  // an unversioned route replays as it was recorded (version null)
  const choices = record.versions.length ? record.versions : [""];
  const select = h("select#replay-version", { "aria-label": "version to replay against" },
    choices.map((v) => h("option", { value: v, selected: v === (others[others.length - 1] ?? record.version) },
      v === "" ? "as recorded" : v === record.version ? `${v} (original)` : v)));
  const status = h("span.form-error", { role: "status" });
  const button = h("button#replay.primary", { type: "button", disabled: !record.route }, "Replay");
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = "";
    try {
      const { record: replay } = await api(`requests/${encodeURIComponent(id)}/replay`,
        { method: "POST", body: { version: select.value || null } });
      location.hash = `#/diff/${encodeURIComponent(id)}/${encodeURIComponent(replay.id)}`;
    } catch (error) {
      status.textContent = error.message;
      button.disabled = false;
    }
  });
  const q = record.request.query ? `?${record.request.query}` : "";
  view.append(
    h("div.page-head", {}, h("a.back", { href: "#/" }, "← Live requests"), recordHead(record)),
    h("section.card", {},
      h("div.card-head", {}, h("h2", {}, "Lifecycle"),
        h("div.replay-bar", {}, h("label", { for: "replay-version" }, "Replay against"), select, button, status)),
      timeline(record.timeline, "timeline", record.route ? `${record.method} ${record.route}` : null)),
    h("section.card", {}, h("h2", {}, "State at each hook boundary"),
      h("div#snapshots.snapshots", {}, snapshotList(record.snapshots))),
    h("div.columns", {},
      h("section#request.card", {}, h("h2", {}, "Request"),
        h("p.line", {}, h("span.method", {}, record.request.method), " ", h("code", {}, record.request.path + q)),
        h("h3", {}, "Headers"), headersTable(record.request.headers),
        h("h3", {}, "Body"), bodyBlock(record.request.body)),
      h("section#response.card", {}, h("h2", {}, "Response"),
        h("p.line", {}, statusPill(record.response.status)),
        h("h3", {}, "Headers"), headersTable(record.response.headers),
        h("h3", {}, "Body"), bodyBlock(record.response.body))));
}

// ---------------------------------------------------------------- view: diff

function valueCell(value, present, kind) {
  if (!present) return h("span.muted", {}, "—");
  // a header's values show as sent (one value, or a repeated header's values joined by ", ")
  const text = kind === "body" ? JSON.stringify(value) : [value].flat().join(", ");
  return h("code.value", {}, text);
}

/** A header change's path is [name] or [name, index of a repeated header]. */
const headerName = (path) => path.length > 1 && path[1] > 0 ? `${path[0]} (#${path[1] + 1})` : String(path[0]);

const OPS = ["added", "removed", "changed"];

function changeRows(changes, kind) {
  return changes.map((c) => h(`tr.op-${OPS.includes(c.op) ? c.op : "other"}`, { "data-change": c.op },
    h("td", {}, h(`span.op.op-${OPS.includes(c.op) ? c.op : "other"}`, {}, c.op)),
    h("td", {}, h("code", {}, kind === "body" ? pathText(c.path) : headerName(c.path))),
    h("td", {}, valueCell(c.left, c.op !== "added", kind)),
    h("td", {}, valueCell(c.right, c.op !== "removed", kind))));
}

function changeTable(changes, kind, id) {
  const table = h(`table.grid.changes${id ? "#" + id : ""}`, {},
    h("thead", {}, h("tr", {}, ["Change", kind === "body" ? "JSON path" : "Header", "Left", "Right"]
      .map((t) => h("th", {}, t)))),
    h("tbody", {}, changeRows(changes, kind)));
  return changes.length ? table : h(`div${id ? "#" + id : ""}`, {}, h("p.same", {}, `No ${kind} changes: identical.`));
}

function sideLabel(summary, side) {
  return h("a.side", { href: `#/requests/${encodeURIComponent(summary.id)}` },
    h("span.side-name", {}, side), versionPill(summary.version), statusPill(summary.status),
    h("span.meta", {}, ms(summary.duration_ms)), summary.replay_of ? h("span.pill.replay", {}, "replay") : null);
}

async function diffView(view, left, right) {
  const diff = await api(`diff?left=${encodeURIComponent(left)}&right=${encodeURIComponent(right)}`);
  const { status } = diff;
  const scale = Math.max(span(diff.timelines.left), span(diff.timelines.right));
  view.append(
    h("div.page-head", {}, h("a.back", { href: "#/" }, "← Live requests"),
      h("h1", {}, "Diff ", h("span.muted", {}, `${diff.left.method} ${diff.left.path}`))),
    h("div.sides", {}, sideLabel(diff.left, "left"), h("span.arrow", {}, "→"), sideLabel(diff.right, "right")),
    h("section.card", {}, h("h2", {}, "Status"),
      h(`div#diff-status.diff-status.${status.equal ? "equal" : "differs"}`, { "data-equal": status.equal },
        statusPill(status.left), h("span.arrow", {}, "→"), statusPill(status.right),
        h("span.verdict", {}, status.equal ? "same status" : "status differs"))),
    h("section.card", {}, h("h2", {}, "Body ", h("span.count-label", {}, `${diff.body.length} change(s)`)),
      changeTable(diff.body, "body", "diff-body")),
    h("section.card", {}, h("h2", {}, "Headers ", h("span.count-label", {}, `${diff.headers.length} change(s)`)),
      changeTable(diff.headers, "header", "diff-headers")),
    h("div.columns", {},
      h("section.card", {}, h("h2", {}, "Left lifecycle ", versionPill(diff.left.version)),
        timeline(diff.timelines.left, "timeline-left", null, scale)),
      h("section.card", {}, h("h2", {}, "Right lifecycle ", versionPill(diff.right.version)),
        timeline(diff.timelines.right, "timeline-right", null, scale))));
}

// ---------------------------------------------------------------- view: gates

/** The text as a JSON object, or an error message saying why it is not one. */
function parseState(text) {
  let value;
  try { value = JSON.parse(text); } catch (error) { return { error: `Not valid JSON: ${error.message}` }; }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { error: "The state must be a JSON object ({ … })." };
  }
  return { value };
}

function pausedCard(paused) {
  const base = `paused/${encodeURIComponent(paused.pause_id)}/`;
  let saved = pretty(paused.state);
  const editor = h("textarea.state-editor", { spellcheck: "false", rows: Math.min(16, saved.split("\n").length + 1),
    "aria-label": `state of request ${paused.request_id}` });
  editor.value = saved;
  const error = h("p.state-error", { role: "alert", hidden: true });
  const note = h("span.saved-note");
  const save = h("button.save-state", { type: "button" }, "Save state");
  const resume = h("button.resume.primary", { type: "button" }, "Resume");
  const abort = h("button.abort.danger", { type: "button" }, "Abort (503)");
  const countdown = h("span.countdown");
  const showError = (message) => {
    error.textContent = message || "";
    error.hidden = !message;
    editor.classList.toggle("invalid", Boolean(message));
    save.disabled = Boolean(message);
  };
  editor.addEventListener("input", () => { showError(parseState(editor.value).error); note.textContent = ""; });
  const saveState = async () => {
    const parsed = parseState(editor.value);
    if (parsed.error) { showError(parsed.error); return false; }
    try {
      const updated = await api(base + "state", { method: "PUT", body: editor.value });
      saved = pretty(updated.state);
      editor.value = saved; // as the request now holds it
      note.textContent = "saved";
      return true;
    } catch (e) { showError(e.message); return false; }
  };
  const act = (action) => async () => {
    for (const b of [save, resume, abort]) b.disabled = true;
    // Unsaved valid edits travel with the resume: what you see is what the handler gets.
    if (action === "resume" && editor.value !== saved && !(await saveState())) {
      for (const b of [resume, abort]) b.disabled = false;
      return;
    }
    try {
      await api(base + action, { method: "POST" });
      card.ended();
      note.textContent = action === "resume" ? "resumed" : "aborted (503)";
    } catch (e) {
      if (e.status === 404) { card.ended(); return; } // it ended meanwhile (its timeout passed)
      showError(e.message);
      for (const b of [save, resume, abort]) b.disabled = false;
    }
  };
  save.addEventListener("click", saveState);
  resume.addEventListener("click", act("resume"));
  abort.addEventListener("click", act("abort"));
  const card = h("div.paused-card", { "data-pause-id": paused.pause_id, "data-request-id": paused.request_id },
    h("div.paused-head", {}, h("span.pill.paused", {}, "paused"), h("code", {}, paused.route),
      h("span.meta", {}, `${paused.when} `, h("code", {}, paused.hook)),
      h("span.meta", {}, "request ", h("code", {}, paused.request_id)), countdown),
    h("label.field-label", {}, "lctx.state (JSON object)"), editor, error,
    h("div.actions", {}, save, resume, abort, note));
  const tick = () => {
    const left = Math.max(0, paused.deadline - Date.now() / 1000);
    countdown.textContent = `resumes by itself in ${left.toFixed(0)} s`;
  };
  tick();
  card.timer = setInterval(tick, 1000);
  /** Shown as over once the server no longer lists it (its timeout passed, or another page ended it). */
  card.ended = () => {
    clearInterval(card.timer);
    card.classList.add("done");
    for (const b of [save, resume, abort]) b.disabled = true;
    editor.readOnly = true;
    countdown.textContent = "";
    note.textContent = "no longer paused: resumed at its timeout, or ended elsewhere";
  };
  return card;
}

function gateItem(gate) {
  const remove = h("button.small", { type: "button", title: "Delete the gate; its paused requests resume" }, "Remove");
  remove.addEventListener("click", async () => {
    remove.disabled = true;
    try { await api(`gates/${encodeURIComponent(gate.id)}`, { method: "DELETE" }); } catch { /* gone */ }
    refreshGates();
  });
  return h("li.gate", { "data-gate-id": gate.id },
    h("span.pill.when", {}, gate.when), h("code", {}, gate.hook), h("span.muted", {}, "on"),
    h("code", {}, gate.route),
    h("span.meta", {}, `${gate.remaining} left · times out after ${gate.timeout} s`), remove);
}

let refreshGates = () => {};

async function gatesView(view, query) {
  const wanted = new URLSearchParams(query || "");
  const [gates, versions] = await Promise.all([api("gates"), api("versions")]);
  const routeSelect = h("select#gate-route", { required: true },
    versions.routes.map((r) => h("option", { value: r.route, selected: r.route === wanted.get("route") }, r.route)));
  const hookInput = h("input#gate-hook", { required: true, placeholder: "hook id, or handler",
    value: wanted.get("hook") || "handler", autocomplete: "off" });
  const whenSelect = h("select#gate-when", {}, ["before", "after"].map((w) =>
    h("option", { value: w, selected: w === wanted.get("when") }, w)));
  const countInput = h("input#gate-count", { type: "number", min: 1, value: 1 });
  const timeoutInput = h("input#gate-timeout", { type: "number", min: 1, step: "any", value: 60 });
  const formError = h("p.form-error#gate-error", { role: "alert" });
  const form = h("form#gate-form.gate-form", {},
    h("label", {}, h("span", {}, "Route"), routeSelect),
    h("label", {}, h("span", {}, "When"), whenSelect),
    h("label", {}, h("span", {}, "Hook"), hookInput),
    h("label.narrow", {}, h("span", {}, "Requests"), countInput),
    h("label.narrow", {}, h("span", {}, "Timeout (s)"), timeoutInput),
    h("button#gate-add.primary", { type: "submit" }, "Add gate"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    formError.textContent = "";
    try {
      await api("gates", { method: "POST", body: { route: routeSelect.value, hook: hookInput.value.trim(),
        when: whenSelect.value, count: Number(countInput.value), timeout: Number(timeoutInput.value) } });
      refreshGates();
    } catch (error) { formError.textContent = error.message; }
  });
  const gateList = h("ul#gates.gate-list");
  const pausedList = h("div#paused.paused-list");
  const pausedEmpty = h("p.empty", {}, "No request is paused. Add a gate, then call its route.");
  // A card per paused request, added once (what is typed in it stays) and ended by the stream's
  // "resumed" event; a list read before that event may still name the pause: ended ids are kept.
  const endedIds = new Set();
  const cardOf = (pauseId) => pausedList.querySelector(`[data-pause-id="${CSS.escape(pauseId)}"]`);
  const addCard = (paused) => {
    if (endedIds.has(paused.pause_id) || cardOf(paused.pause_id)) return;
    pausedList.append(pausedCard(paused));
    pausedEmpty.hidden = true;
  };
  const endCard = (pauseId) => {
    endedIds.add(pauseId);
    const card = cardOf(pauseId);
    if (card && !card.classList.contains("done")) card.ended();
  };
  const render = (data) => {
    gateList.replaceChildren(...(data.gates.length ? data.gates.map(gateItem)
      : [h("li.empty", {}, "No gates. A gate pauses the route's next request(s) at a hook.")]));
    data.paused.forEach(addCard);
    pausedEmpty.hidden = pausedList.querySelector(".paused-card") !== null;
    setPausedCount(data.paused.length);
  };
  refreshGates = async () => { try { render(await api("gates")); } catch { /* next event retries */ } };
  view.append(
    h("div.page-head", {}, h("h1", {}, "Debug gates"),
      h("p.lede", {}, "Pause a route's next requests before or after a hook, edit ",
        h("code", {}, "lctx.state"), ", then resume or abort. ",
        h("strong", {}, "Gates are per process:"), " with several workers, only requests served by this one stop.")),
    h("section.card", {}, h("h2", {}, "Add a gate"), form, formError),
    h("section.card", {}, h("h2", {}, "Open gates"), gateList),
    h("section.card", {}, h("h2", {}, "Paused requests"), pausedEmpty, pausedList));
  render(gates);
  return (kind, data) => {
    if (kind === "paused") addCard(data);
    if (kind === "resumed") endCard(data.pause_id);
    if (kind === "paused" || kind === "resumed") refreshGates(); // the gates' counts
  };
}

// ---------------------------------------------------------------- view: versions

function versionNode(v, index) {
  return h(`li.version-node${v.breaking ? ".breaking" : ""}${v.deprecated ? ".deprecated" : ""}`,
    { "data-version": v.version },
    h("span.dot"),
    h("div.version-date", {}, v.version),
    h("div.version-flags", {},
      v.breaking ? h("span.pill.breaking", {}, "breaking")
        : index === 0 ? h("span.pill.initial", {}, "first version") : h("span.pill.compatible", {}, "compatible"),
      v.deprecated ? h("span.pill.deprecated", {}, v.sunset ? `deprecated · sunset ${v.sunset}` : "deprecated") : null,
      v.decommissioned ? h("span.pill.breaking", {}, "decommissioned (410)") : null,
      v.healthy === false ? h("span.pill.breaking", {}, "unhealthy (503)") : null),
    h("div.version-impl", {}, v.implementation ? h("code", { title: v.implementation }, shortName(v.implementation))
      : v.served_by && v.served_by !== v.version ? h("span.muted", {}, "served by ", h("code", {}, v.served_by), "'s handler")
        : h("span.muted", {}, "no handler")),
    v.transformers.length ? h("div.version-transformers", {}, h("span.muted", {}, "through "),
      v.transformers.map((t) => h("code.chip", {}, t))) : null,
    h("div.version-traffic", {}, h("strong", {}, v.requests), v.requests === 1 ? " request" : " requests"));
}

async function versionsView(view) {
  const [{ routes }, links] = await Promise.all([api("versions"), api("openapi").catch(() => ({}))]);
  const linkBar = h("div.links", {},
    links.openapi ? h("a.button", { href: links.openapi, target: "_blank", rel: "noopener" }, "OpenAPI document") : null,
    links.docs ? h("a.button", { href: links.docs, target: "_blank", rel: "noopener" }, "API docs") : null);
  const cards = routes.map((route) => h("section.card.route-card", { "data-route": route.route },
    h("h2", {}, h("code", {}, route.route), h("span.count-label", {}, route.versions.length
      ? `${route.versions.length} version${route.versions.length === 1 ? "" : "s"}` : "unversioned")),
    route.versions.length ? h("ol.version-line", {}, route.versions.map(versionNode))
      : h("p.muted", {}, "Unversioned: one implementation for every version.")));
  view.append(
    h("div.page-head", {}, h("h1", {}, "Versions"),
      h("p.lede", {}, "Each route's Timescape timeline, oldest first: breaking changes, transformers, deprecation, and the traffic each version served."),
      linkBar),
    h("div#versions", {}, cards.length ? cards : h("p.empty", {}, "No routes.")));
}

// ---------------------------------------------------------------- router

const ROUTES = [
  [/^#?\/?$/, "live", liveView],
  [/^#\/requests\/([^/]+)$/, "live", requestView],
  [/^#\/diff\/([^/]+)\/([^/]+)$/, "live", diffView],
  [/^#\/gates(?:\?(.*))?$/, "gates", gatesView], // (its query string is parsed, not decoded)
  [/^#\/versions$/, "versions", versionsView],
];

let renderToken = 0;
let currentListener = null;

async function route() {
  const token = ++renderToken;
  const hash = location.hash || "#/";
  const match = ROUTES.map(([re, nav, view]) => [hash.match(re), nav, view]).find(([m]) => m);
  const view = h("div.view");
  const main = document.getElementById("view");
  if (currentListener) live.listeners.delete(currentListener);
  currentListener = null;
  for (const card of main.querySelectorAll(".paused-card")) clearInterval(card.timer);
  const [params, nav, render] = match || [null, "", null];
  for (const link of document.querySelectorAll("[data-nav]")) {
    link.classList.toggle("active", link.dataset.nav === nav);
  }
  try {
    if (!render) throw new Error(`No page at ${hash}.`);
    const args = params.slice(1).map((p) => p === undefined || render === gatesView ? p : decodeURIComponent(p));
    const listener = await render(view, ...args);
    if (token !== renderToken) return; // a newer navigation won
    if (listener) { currentListener = listener; live.listeners.add(listener); }
  } catch (error) {
    if (token !== renderToken) return;
    view.replaceChildren(problemBox(error));
  }
  main.replaceChildren(view);
  window.scrollTo(0, 0);
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", () => {
  connectStream();
  route();
  api("gates").then((g) => setPausedCount(g.paused.length)).catch(() => {});
});

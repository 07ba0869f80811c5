// A request's page: its lifecycle, the state at each hook boundary, request and response, replay.

import { api, bodyBlock, h, headersTable, hookName, ms, pretty, shortName, statusPill, versionPill } from "./dom.js";
import { timeline } from "./timeline.js";

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

export async function requestView(view, id) {
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

// The diff of two requests: status, body and headers changes, the two timelines side by side.

import { api, h, ms, pathText, statusPill, versionPill } from "./dom.js";
import { span, timeline } from "./timeline.js";

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

export async function diffView(view, left, right) {
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

// The live view: the newest requests, a row added as each completes.

import { api, clock, h, ms, statusPill, versionPill } from "./dom.js";
import { LIVE_LIMIT, live } from "./stream.js";

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

export async function liveView(view) {
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

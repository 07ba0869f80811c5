// The gati playground: a small single-page UI over the /_gati/api/ endpoints, in plain
// JavaScript modules (no build step, no dependencies). This one routes the hash to a view.

import { api, h, problemBox } from "./dom.js";
import { connectStream, live, setPausedCount } from "./stream.js";
import { liveView } from "./live.js";
import { requestView } from "./request.js";
import { diffView } from "./diff.js";
import { gatesView } from "./gates.js";
import { versionsView } from "./versions.js";

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
  // events sent while the stream was down are lost: the lists it feeds are read again
  connectStream(() => { if (/^(#\/?)?$|^#\/gates/.test(location.hash)) route(); });
  route();
  api("gates").then((g) => setPausedCount(g.paused.length)).catch(() => {});
});

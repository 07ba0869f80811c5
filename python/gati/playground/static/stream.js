// The live feed: one Server-Sent Events stream for the page's life, handed to the view shown.

import { API } from "./dom.js";

export const LIVE_LIMIT = 200;
// summaries: the newest requests the stream delivered, each with its arrival number (seq)
export const live = { summaries: [], seq: 0, paused: 0, listeners: new Set() };

/** Opens the stream; ``onReconnect`` runs when it comes back after a drop (events were lost). */
export function connectStream(onReconnect) {
  const state = document.getElementById("stream-state");
  const source = new EventSource(API + "events");
  let dropped = false;
  source.onopen = () => {
    state.textContent = "live";
    state.className = "stream on";
    if (dropped) onReconnect();
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

export function setPausedCount(count) {
  live.paused = Math.max(0, count);
  const badge = document.getElementById("paused-count");
  badge.textContent = String(live.paused);
  badge.hidden = live.paused === 0;
}

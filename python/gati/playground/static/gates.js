// Debug gates: add and remove gates; edit, resume or abort the requests paused at them.

import { api, h, pretty } from "./dom.js";
import { setPausedCount } from "./stream.js";

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

export async function gatesView(view, query) {
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

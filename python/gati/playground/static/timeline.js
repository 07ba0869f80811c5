// The lifecycle timeline: one row per step on a shared time axis.

import { h, hookName, ms, shortName } from "./dom.js";

const PHASES = ["ingress", "version", "transform", "policy", "hook", "handler", "response"];
const OUTCOMES = ["ok", "error", "retry", "timeout"];
const GATEABLE = ["policy", "hook", "handler"];

/** The gates page, its form filled in for a gate on this route at this hook. */
const gateLink = (route, hook) => `#/gates?${new URLSearchParams({ route, hook, when: "before" })}`;

/** The time a timeline spans: its last step's end. */
export const span = (steps) => Math.max(0.001, ...steps.map((s) => s.start_ms + s.duration_ms));

/** A horizontal timeline: one row per step, bars placed by start and length on a shared axis
 * (``total`` ms wide: two timelines compared side by side share one scale).
 * With ``gateRoute`` ("METHOD template"), each hook and the handler link to a gate there. */
export function timeline(steps, id, gateRoute = null, total = span(steps)) {
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

// Each route's Timescape timeline.

import { api, h, shortName } from "./dom.js";

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

export async function versionsView(view) {
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

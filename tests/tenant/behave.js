// behave.js — switches that make the tenant behave like SCIM servers found in
// the wild (issue 18), set per test through the control port (POST /behaviour
// with some of the keys below, DELETE /behaviour for the defaults), as faults
// are. Unlike a fault rule, a switch applies to every request it concerns
// until it is reset, and switches combine.
//   ws1_past_end "404"|"empty"  Workspace ONE answers a startIndex past the end
//                               with 404 (DESIGN.md: "404 can mean a bad
//                               startIndex/count"); default "404".
//   cap N                       list pages hold at most N resources whatever
//                               count asked for, and totalResults is the length
//                               of the page returned (scim2-server: cap 50).
//   ignore_filter true|"text"   a filter (every one, or one containing the
//                               text, e.g. "lastModified") gets 200 with no
//                               resources (django-scim2 on meta.lastModified).
//   no_last_modified "Users"|"Groups"|"both"  resources carry no
//                               meta.lastModified.
//   ws1_strict_filter bool      Workspace ONE refuses what its API description
//                               does not list (only `attr eq|co|sw|gt|ge|lt|le
//                               value`): `or`, `and`, `not`, `pr`, `ne`, `ew`,
//                               brackets; default true.
//   spc_filter bool             ServiceProviderConfig's filter.supported
//                               (/scim/v2 only); default true.
export const DEFAULTS = Object.freeze({
  ws1_past_end: "404", cap: 0, ignore_filter: false, no_last_modified: "",
  ws1_strict_filter: true, spc_filter: true,
});

export class Behaviour {
  constructor() { this.reset(); }
  reset() { this.s = { ...DEFAULTS }; }
  set(obj) {
    for (const [k, v] of Object.entries(obj || {})) {
      if (!(k in DEFAULTS)) throw new Error(`unknown switch ${k}`);
      this.s[k] = v;
    }
  }

  // A filter refused as the real Workspace ONE tenant would, or null.
  ws1FilterRefusal(filter) {
    if (!this.s.ws1_strict_filter) return null;
    const one = /^\s*[A-Za-z][\w.:-]*\s+(eq|co|sw|gt|ge|lt|le)\s+("(?:[^"\\]|\\.)*"|true|false|null|-?\d+(?:\.\d+)?)\s*$/i;
    if (one.test(filter)) return null;
    return `filter '${filter}' is not supported: only 'attribute eq|co|sw|gt|ge|lt|le value'`;
  }

  ignores(filter) {
    const f = this.s.ignore_filter;
    return !!filter && (f === true || (typeof f === "string" && f !== "" && filter.includes(f)));
  }

  // 404 for a page past the end (Workspace ONE), or false.
  pastEnd404(dialect, start, total) {
    return dialect === "workspace-one" && this.s.ws1_past_end === "404" && start > 1 && start > total;
  }

  stripsLastModified(kind) {
    const v = this.s.no_last_modified;
    return v === "both" || v === true || v === kind;
  }

  // A list body as the switches make it: capped pages that report their own
  // length as the total; meta.lastModified removed.
  list(body, kind) {
    const b = { ...body };
    if (this.s.cap > 0 && Array.isArray(b.Resources)) {
      b.Resources = b.Resources.slice(0, this.s.cap);
      b.itemsPerPage = b.totalResults = b.Resources.length;
    }
    if (Array.isArray(b.Resources)) b.Resources = b.Resources.map((r) => this.resource(r, kind));
    return b;
  }

  resource(r, kind) {
    if (!r || !r.meta || !this.stripsLastModified(kind)) return r;
    const { lastModified, ...meta } = r.meta;
    return { ...r, meta };
  }
}

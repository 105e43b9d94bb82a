// faults.js — per-request fault injection. A rule matches requests whose path
// contains `match` (and whose method is `method`, when given); it skips the
// first `after` matches, then applies to the next `times` (0 = forever).
// Kinds that need no body act before the handler (500, 429, stall, close,
// expire-token); the others rewrite the body the handler produced. A 500
// says `message` when the rule gives one (what a hostile tenant would say).
const BEFORE = new Set(["500", "400", "429", "stall", "close", "expire-token"]);

export class Faults {
  constructor() {
    this.rules = [];
    this.stalled = new Set();
  }

  add(rule) {
    this.rules.push({ after: 0, times: 1, ...rule, seen: 0, applied: 0 });
  }

  clear() {
    this.rules = [];
    for (const t of this.stalled) clearTimeout(t);
    this.stalled.clear();
  }

  pick(req) {
    for (const r of this.rules) {
      if (!req.originalUrl.includes(r.match || "")) continue;
      if (r.method && r.method !== req.method) continue;
      r.seen++;
      if (r.seen <= r.after) continue;
      if (r.times && r.applied >= r.times) continue;
      r.applied++;
      return r;
    }
    return null;
  }

  apply(req, res, next, tokens) {
    const r = this.pick(req);
    if (!r) return next();
    res.locals.fault = r;
    switch (r.kind) {
      case "500":
        return res.status(500).json({ errors: [{ code: "internal.error", message: r.message ?? "injected server error" }] });
      case "400": // a request the tenant does not accept, e.g. an unsupported filter
        return res.status(400).json({ errors: [{ code: "invalid.request", message: "injected bad request" }] });
      case "429":
        res.set("Retry-After", String(r.retry_after ?? 1));
        return res.status(429).json({ errors: [{ code: "rate.limited", message: "injected rate limit" }] });
      case "close":
        return req.socket.destroy();
      case "expire-token": {
        const m = /^Bearer (.+)$/.exec(req.headers.authorization || "");
        if (m) tokens.delete(m[1]);
        return res.status(401).json({ errors: [{ code: "auth.token.expired", message: "the access token has expired" }] });
      }
      case "stall":
        if (!r.delay_ms) return; // hold until the client gives up (or stop())
        { const t = setTimeout(() => { this.stalled.delete(t); next(); }, r.delay_ms); this.stalled.add(t); }
        return;
      default:
        return next();
    }
  }

  // Sends body, rewritten by a body-level fault if one was picked.
  send(res, status, body) {
    const r = res.locals.fault;
    if (!r || BEFORE.has(r.kind)) return res.status(status).json(body);
    const json = JSON.stringify(body);
    switch (r.kind) {
      case "truncate":
        return res.status(200).type("application/json").send(json.slice(0, Math.max(1, Math.floor(json.length / 2))));
      case "malformed":
        return res.status(200).type("application/json").send('{"totalResults": 3, "Resources": [{"id": "x",,]');
      case "wrong-types": {
        const b = structuredClone(body);
        if ("totalResults" in b) b.totalResults = String(b.totalResults);
        if (b.Resources && b.Resources[0]) b.Resources[0].userName = 12345;
        return res.status(status).json(b);
      }
      case "duplicate-ids": {
        const b = structuredClone(body);
        if (b.Resources && b.Resources.length >= 2) b.Resources[b.Resources.length - 1] = b.Resources[0];
        else if (b.Resources && b.Resources.length === 1) { b.Resources.push(b.Resources[0]); b.itemsPerPage = 2; }
        return res.status(status).json(b);
      }
      case "total-more":
      case "total-less": {
        const b = structuredClone(body);
        if (typeof b.totalResults === "number") b.totalResults = r.kind === "total-more" ? b.totalResults + 5 : Math.max(0, b.totalResults - 5);
        return res.status(status).json(b);
      }
      default:
        return res.status(status).json(body);
    }
  }
}

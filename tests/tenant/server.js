// server.js — a local Workspace ONE Access tenant for scimbridge's tests and
// demo: the OAuth token endpoint, SCIM 1.1 (Workspace ONE) and SCIM 2.0 over
// one store, the directory API, per-request fault injection, and counters.
// Filters use SCIMMY's filter engine (a real SCIM implementation), applied to
// the rendered resources of the dialect asked for.
//
// usage: node server.js --cert C --key K [--port 0] [--ctl-port 0]
//          [--dataset small|large|N] [--token-ttl S] --client-id ID --secret-file F
// prints "LISTENING <port> <ctl-port>" when ready.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import express from "express";
import SCIMMY from "scimmy";
import { Store, seedSmall, seedLarge, stableId, DOMAIN } from "./store.js";
import { WS1, SCIM2, WS1_EXT, WS1_ENT, S2_ENT, CUSTOM, renderUser, renderGroup, renderList, renderError } from "./render.js";
import { Faults } from "./faults.js";
import { Behaviour } from "./behave.js";
import { scim2Router } from "./scim2.js";
import { matchFilter } from "./ci.js";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const TOKEN_TTL = Number(args["token-ttl"] || 21599);
const CLIENT_ID = args["client-id"] || "scimbridge-test";
const SECRET = fs.readFileSync(args["secret-file"], "utf8").trim();
const MAX_COUNT = 1000;
const WS1_BASE = "/SAAS/jersey/manager/api/scim";
const S2_BASE = "/scim/v2";

const store = new Store();
const ds = args.dataset || "small";
if (ds === "small") seedSmall(store);
else seedLarge(store, ds === "large" ? 100000 : Number(ds), ds === "large" ? 10000 : Math.max(1, Math.floor(Number(ds) / 10)));

const tokens = new Map(); // token → expiry (ms)
const faults = new Faults();
const behave = new Behaviour();
const stats = { requests: 0, token_requests: 0, tls_handshakes: 0, by_path: {} };

const app = express();
app.disable("x-powered-by");
app.use(express.json({ limit: "8mb", type: ["application/json", "application/*+json", "application/scim+json"] }));

app.use((req, res, next) => {
  stats.requests++;
  const key = `${req.method} ${req.path.replace(/\/[0-9a-f-]{36}$/, "/{id}")}`;
  stats.by_path[key] = (stats.by_path[key] || 0) + 1;
  faults.apply(req, res, next, tokens);
});

// --- OAuth 2.0 client credentials ---------------------------------------
app.post("/SAAS/auth/oauthtoken", express.urlencoded({ extended: false }), (req, res) => {
  stats.token_requests++;
  const auth = req.headers.authorization || "";
  const [id, secret] = Buffer.from(auth.replace(/^Basic /, ""), "base64").toString().split(":");
  if (!auth.startsWith("Basic ") || id !== CLIENT_ID || secret !== SECRET)
    return res.status(401).json({ error: "invalid_client", error_description: "invalid client credentials" });
  if (req.query.grant_type !== "client_credentials")
    return res.status(400).json({ error: "unsupported_grant_type" });
  const token = crypto.randomBytes(24).toString("hex");
  tokens.set(token, Date.now() + TOKEN_TTL * 1000);
  res.json({ access_token: token, token_type: "Bearer", expires_in: TOKEN_TTL, scope: "admin" });
});

function dialectOf(req) {
  return req.baseUrl === S2_BASE || req.path.startsWith(S2_BASE) ? SCIM2 : WS1;
}

function fail(req, res, status, code, message) {
  res.status(status).json(renderError(dialectOf(req), status, code, message));
}

function requireToken(req, res, next) {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization || "");
  const exp = m && tokens.get(m[1]);
  if (!exp || exp < Date.now()) return fail(req, res, 401, "auth.token.invalid", "the access token is invalid or expired");
  res.locals.token = m[1];
  next();
}

// --- SCIM: both dialects, one router -------------------------------------
function scimRouter(dialect, base) {
  const r = express.Router();
  r.use(requireToken);
  const send = (res, status, body) => faults.send(res, status, body);

  const list = (kind) => (req, res) => {
    const start = Math.max(1, parseInt(req.query.startIndex || "1", 10) || 1);
    const count = Math.min(MAX_COUNT, Math.max(0, parseInt(req.query.count || "20", 10) || 0));
    const render = (id) => kind === "Users" ? renderUser(store.users.get(id), dialect, base, store) : renderGroup(store.groups.get(id), dialect, base);
    const ids = kind === "Users" ? store.order : store.gorder;
    const filter = req.query.filter ? String(req.query.filter) : "";
    let page, total;
    if (filter) {
      const refused = dialect === WS1 && behave.ws1FilterRefusal(filter);
      if (refused) return fail(req, res, 400, "filter.not.supported", refused);
      if (behave.ignores(filter)) return send(res, 200, renderList(dialect, [], 0, start));
      let matched;
      try {
        // What the switches strip is not there to match either.
        matched = matchFilter(filter, ids.map((id) => behave.resource(render(id), kind)));
      } catch (e) {
        return fail(req, res, 400, "invalidFilter", `bad filter: ${e.message}`);
      }
      page = matched.slice(start - 1, start - 1 + count);
      total = matched.length;
    } else {
      // The common case, a full listing, renders only the page asked for.
      page = ids.slice(start - 1, start - 1 + count).map(render);
      total = ids.length;
    }
    if (behave.pastEnd404(dialect, start, total))
      return fail(req, res, 404, "invalid.startIndex", `startIndex ${start} is past the last result`);
    send(res, 200, behave.list(renderList(dialect, page, total, start), kind));
  };

  r.get("/Users", list("Users"));
  r.get("/Groups", list("Groups"));
  r.get("/Users/:id", (req, res) => {
    const u = store.users.get(req.params.id);
    if (!u) return fail(req, res, 404, "user.not.found", `User ${req.params.id} not found`);
    send(res, 200, behave.resource(renderUser(u, dialect, base, store), "Users"));
  });
  r.get("/Groups/:id", (req, res) => {
    const g = store.groups.get(req.params.id);
    if (!g) return fail(req, res, 404, "group.not.found", `Group ${req.params.id} not found`);
    send(res, 200, behave.resource(renderGroup(g, dialect, base), "Groups"));
  });
  r.post("/Users", (req, res) => {
    const b = req.body || {};
    if (typeof b.userName !== "string") return fail(req, res, 400, "invalidValue", "userName is required");
    if (store.userByName(b.userName)) return fail(req, res, 409, "uniqueness", `userName ${b.userName} exists`);
    const u = store.addUser({ userName: b.userName, id: stableId("user", b.userName) });
    applyUserAttrs(u, b);
    res.status(201).json(renderUser(u, dialect, base, store));
  });
  r.patch("/Users/:id", (req, res) => {
    const u = store.users.get(req.params.id);
    if (!u) return fail(req, res, 404, "user.not.found", `User ${req.params.id} not found`);
    const b = req.body || {};
    if (Array.isArray(b.Operations)) for (const op of b.Operations) applyUserAttrs(u, op.path ? { [op.path]: op.value } : op.value || {});
    else applyUserAttrs(u, b);
    res.json(renderUser(u, dialect, base, store));
  });
  r.put("/Users/:id", (req, res) => {
    const u = store.users.get(req.params.id);
    if (!u) return fail(req, res, 404, "user.not.found", `User ${req.params.id} not found`);
    applyUserAttrs(u, req.body || {});
    res.json(renderUser(u, dialect, base, store));
  });
  r.delete("/Users/:id", (req, res) => {
    if (!store.users.has(req.params.id)) return fail(req, res, 404, "user.not.found", "not found");
    store.deleteUser(req.params.id);
    res.status(204).end();
  });
  r.post("/Groups", (req, res) => {
    const b = req.body || {};
    if (typeof b.displayName !== "string") return fail(req, res, 400, "invalidValue", "displayName is required");
    if (store.groupByName(b.displayName)) return fail(req, res, 409, "uniqueness", `group ${b.displayName} exists`);
    const g = store.addGroup({ displayName: b.displayName, members: (b.members || []).map(memberOf) });
    res.status(201).json(renderGroup(g, dialect, base));
  });
  r.patch("/Groups/:id", (req, res) => {
    const g = store.groups.get(req.params.id);
    if (!g) return fail(req, res, 404, "group.not.found", "not found");
    patchGroup(g, req.body || {});
    res.json(renderGroup(g, dialect, base));
  });
  r.delete("/Groups/:id", (req, res) => {
    if (!store.groups.has(req.params.id)) return fail(req, res, 404, "group.not.found", "not found");
    store.deleteGroup(req.params.id);
    res.status(204).end();
  });
  return r;
}

function memberOf(m) {
  const type = m.type || (store.groups.has(m.value) ? "Group" : "User");
  return { value: m.value, type };
}

// Okta's PATCH bodies: ws1 partial objects, or a SCIM 2.0 op's value.
function applyUserAttrs(u, b) {
  const set = (k, v) => {
    switch (k) {
      case "active": u.active = v === true || v === "true"; break;
      case "displayName": u.displayName = String(v); break;
      case "userName": u.userName = String(v); break;
      case "name": if (v && typeof v === "object") { if (v.givenName) u.givenName = v.givenName; if (v.familyName) u.familyName = v.familyName; } break;
      case "name.givenName": u.givenName = String(v); break;
      case "name.familyName": u.familyName = String(v); break;
      case WS1_EXT: if (v && typeof v === "object") for (const [kk, vv] of Object.entries(v)) set(`${WS1_EXT}:${kk}`, vv); break;
      case `${WS1_EXT}:domain`: u.domain = String(v); break;
      case `${WS1_EXT}:userStatus`: u.userStatus = String(v); break;
      case `${WS1_EXT}:softDeleted`: u.softDeleted = v === true || v === "true"; break;
      case WS1_ENT: case S2_ENT: if (v && typeof v === "object" && "employeeNumber" in v) u.employeeNumber = v.employeeNumber; break;
      case `${WS1_ENT}:employeeNumber`: case `${S2_ENT}:employeeNumber`: u.employeeNumber = v; break;
      case CUSTOM: if (v && typeof v === "object" && "sshPublicKey" in v) set(`${CUSTOM}:sshPublicKey`, v.sshPublicKey); break;
      case `${CUSTOM}:sshPublicKey`: u.sshKeys = v == null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]; break;
      default: break; // schemas, meta, unknown attributes: ignored as the real tenant does
    }
  };
  for (const [k, v] of Object.entries(b)) set(k, v);
  store.touchUser(u);
}

function patchGroup(g, b) {
  const ops = Array.isArray(b.Operations)
    ? b.Operations.map((op) => ({ members: op.value, remove: String(op.op).toLowerCase() === "remove", path: op.path }))
    : [{ members: b.members || [], remove: false }];
  for (const op of ops) {
    for (const m of op.members || []) {
      const gone = op.remove || m.operation === "delete";
      g.members = g.members.filter((x) => x.value !== m.value);
      if (!gone) g.members.push(memberOf(m));
    }
    if (op.remove && op.path) { const mm = /value eq "([^"]+)"/.exec(op.path); if (mm) g.members = g.members.filter((x) => x.value !== mm[1]); }
  }
  if (typeof b.displayName === "string") g.displayName = b.displayName;
  g.lastModified = new Date().toISOString();
  store.markGroupsChanged();
}

app.use(WS1_BASE, scimRouter(WS1, WS1_BASE));
// SCIMMY drops attributes of schemas outside urn:ietf:params:scim:schemas:
// (it refuses to declare them), so the SSH keys of the custom extension are
// added to its answers here; body-level faults are applied here too.
app.use(S2_BASE, (req, res, next) => {
  const send = res.send;
  const path = req.path; // nested routers rewrite req.url before the answer
  const kind = (/^\/(Users|Groups)\b/.exec(path) || [])[1];
  res.send = function (b) {
    res.send = send;
    let body;
    try { body = JSON.parse(Buffer.isBuffer(b) ? b.toString() : typeof b === "string" ? b : JSON.stringify(b)); } catch { return send.call(res, b); }
    if (body && typeof body === "object") {
      // SCIMMY answers a startIndex past the end with a page from the start.
      const si = parseInt(req.query.startIndex || "1", 10);
      if (Array.isArray(body.Resources) && si > body.totalResults) { body.Resources = []; body.itemsPerPage = 0; body.startIndex = si; }
      if (kind && res.statusCode === 200) body = Array.isArray(body.Resources) ? behave.list(body, kind) : behave.resource(body, kind);
      if (/^\/ServiceProviderConfig/.test(path) && body.filter && !behave.s.spc_filter) body.filter = { ...body.filter, supported: false };
      for (const r of Array.isArray(body.Resources) ? body.Resources : [body]) {
        const u = r && typeof r.id === "string" && store.users.get(r.id);
        if (u && u.sshKeys.length && r.userName !== undefined)
          r[CUSTOM] = { sshPublicKey: u.sshKeys.length === 1 ? u.sshKeys[0] : u.sshKeys };
      }
    }
    if (res.statusCode === 200 && res.locals.fault) return faults.send(res, 200, body);
    if (!res.get("Content-Type")) res.type("application/scim+json");
    return send.call(res, JSON.stringify(body));
  };
  next();
});
// A filter the switches say to ignore: 200 and no resources, before SCIMMY.
for (const kind of ["Users", "Groups"]) {
  app.get(`${S2_BASE}/${kind}`, (req, res, next) => {
    if (!behave.ignores(req.query.filter ? String(req.query.filter) : "")) return next();
    requireToken(req, res, () => res.type("application/scim+json").send(JSON.stringify(
      renderList(SCIM2, [], 0, Math.max(1, parseInt(req.query.startIndex || "1", 10) || 1)))));
  });
}
// Fast path: SCIMMY renders and validates every resource of the store for each
// list GET (minutes for 100 pages of 1000 out of 100,000 users), so unfiltered
// list GETs of a large store (> 5,000 users) are built directly from the store
// in the same SCIM 2.0 shape. The small data set always goes through SCIMMY.
const FAST_MIN = 5000;
for (const kind of ["Users", "Groups"]) {
  app.get(`${S2_BASE}/${kind}`, (req, res, next) => {
    if (req.query.filter || store.order.length <= FAST_MIN) return next();
    requireToken(req, res, () => {
      const start = Math.max(1, parseInt(req.query.startIndex || "1", 10) || 1);
      const count = Math.min(MAX_COUNT, Math.max(0, parseInt(req.query.count || "20", 10) || 0));
      const ids = kind === "Users" ? store.order : store.gorder;
      const page = ids.slice(start - 1, start - 1 + count).map((id) => {
        if (kind === "Groups") return renderGroup(store.groups.get(id), SCIM2, S2_BASE);
        const r = renderUser(store.users.get(id), SCIM2, S2_BASE, store);
        delete r.groups;
        return r;
      });
      faults.send(res.type("application/scim+json"), 200, renderList(SCIM2, page, ids.length, start));
    });
  });
}
app.use(S2_BASE, scim2Router(store, tokens, S2_BASE));

// --- the directory of type Other -------------------------------------------
app.post("/SAAS/jersey/manager/api/connectormanagement/directoryconfigs", requireToken,
  express.json({ type: "application/vnd.vmware.horizon.manager.connector.management.directory.other+json" }),
  (req, res) => {
    const b = req.body || {};
    if (b.type !== "OTHER_DIRECTORY" || !Array.isArray(b.domains) || !b.domains.length || typeof b.name !== "string")
      return res.status(400).json({ errors: [{ code: "invalid.request", message: "type OTHER_DIRECTORY, name and domains are required" }] });
    for (const d of b.domains)
      if (store.directories.has(d))
        return res.status(409).json({ errors: [{ code: "directory.domain.exists", message: `domain ${d} already belongs to directory ${store.directories.get(d).name}` }] });
    const dir = { directoryId: stableId("dir", b.domains[0]), name: b.name, type: "OTHER_DIRECTORY", domains: b.domains };
    for (const d of b.domains) store.directories.set(d, dir);
    res.status(201).json(dir);
  });

app.use((req, res) => fail(req, res, 404, "not.found", `no such endpoint: ${req.method} ${req.path}`));

// --- control API (plain HTTP, loopback only) --------------------------------
const ctl = express();
ctl.use(express.json({ limit: "1mb" }));
ctl.post("/faults", (req, res) => { faults.add(req.body); res.json({ ok: true, rules: faults.rules.length }); });
ctl.delete("/faults", (req, res) => { faults.clear(); res.json({ ok: true }); });
ctl.post("/behaviour", (req, res) => {
  try { behave.set(req.body); } catch (e) { return res.status(400).json({ error: e.message }); }
  res.json(behave.s);
});
ctl.delete("/behaviour", (req, res) => { behave.reset(); res.json(behave.s); });
ctl.get("/behaviour", (req, res) => res.json(behave.s));
ctl.get("/stats", (req, res) => res.json(stats));
ctl.post("/stats/reset", (req, res) => { stats.requests = stats.token_requests = stats.tls_handshakes = 0; stats.by_path = {}; res.json({ ok: true }); });
// One user in N new groups (hostile data that is tedious through SCIM one by one).
ctl.post("/bulk-groups", (req, res) => {
  const u = store.userByName(req.body.user);
  if (!u) return res.status(404).json({ error: "no such user" });
  for (let i = 0; i < Number(req.body.n || 0); i++)
    store.addGroup({ displayName: `bulk-${req.body.user}-${i}`, members: [{ value: u.id, type: "User" }] });
  res.json({ ok: true });
});

const server = https.createServer({ key: fs.readFileSync(args.key), cert: fs.readFileSync(args.cert) }, app);
server.keepAliveTimeout = 30000;
server.on("secureConnection", () => stats.tls_handshakes++);
const sockets = new Set();
server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });
const ctlServer = http.createServer(ctl);

server.listen(Number(args.port || 0), "127.0.0.1", () => {
  ctlServer.listen(Number(args["ctl-port"] || 0), "127.0.0.1", () => {
    console.log(`LISTENING ${server.address().port} ${ctlServer.address().port} ${DOMAIN}`);
  });
});

function stop() {
  for (const s of sockets) s.destroy();
  faults.clear();
  server.close();
  ctlServer.close();
  setTimeout(() => process.exit(0), 50).unref();
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

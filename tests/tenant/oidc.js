// oidc.js — a real OpenID provider for scimbridge's device sign-in tests
// (issue 17): oidc-provider (panva's certified implementation) with the
// device authorization grant (RFC 8628), over HTTPS with the test CA, on its
// own port. Its accounts are the tenant's users: every lookup asks the
// running tenant (server.js) over SCIM 2.0 with client credentials, so a
// user deactivated there is still a user here (the provider lets them
// approve; refusing them is scimbridge's job).
//
// usage: node oidc.js --cert C --key K --tenant URL --ca CA --client-id ID
//          --secret-file F [--port 0] [--ctl-port 0] [--interval 5]
//          [--device-ttl 600] [--public-client scimbridge-host]
// prints "LISTENING <port> <ctl-port> <issuer>" when ready.
//
// Clients: <public-client> (RS256 ID tokens) and <public-client>-es256
// (ES256), both public (token_endpoint_auth_method none), device grant only.
//
// Test-only control (plain HTTP on loopback, never part of a real provider):
//   POST /approve {user_code, user}   approve as the tenant user `user`
//   POST /deny {user_code}            the user says no (access_denied)
//   POST /idtoken {mode, user?}       how the next ID tokens are signed:
//     normal | other-key (same kid, another key) | unknown-kid | rotate
//     (a new key, published in the JWKS from now on) | other-aud | expired |
//     other-user (preferred_username = user) | alg-none | hs256 (HMAC keyed
//     with the RSA public key: the algorithm confusion attack)
//   POST /slow-down {count}           the next count polls answer slow_down
//   POST /stall {seconds}             every provider request waits that long
//   POST /pad-metadata {bytes}        discovery answers grow by that much
//   GET /stats                        counters (device_auths, polls, jwks, …)
//   POST /reset                       mode normal, no slow-down, stall or padding
// The browser side (GET /device, the login and consent pages) is the
// provider's own devInteractions and is not driven here yet.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import Provider from "oidc-provider";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith("--") ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const TENANT = new URL(args.tenant);
const CA = fs.readFileSync(args.ca);
const TENANT_ID = args["client-id"];
const TENANT_SECRET = fs.readFileSync(args["secret-file"], "utf8").trim();
const INTERVAL = Number(args.interval || 5);
const DEVICE_TTL = Number(args["device-ttl"] || 600);
const CLIENT = args["public-client"] || "scimbridge-host";

// --- the tenant's users --------------------------------------------------
let tenantToken = null;
function tenantRequest(method, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: TENANT.hostname, port: TENANT.port, path, method, ca: CA, headers, timeout: 10000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => { body += c; });
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("timeout", () => req.destroy(new Error("tenant timeout")));
    req.on("error", reject);
    req.end();
  });
}
async function tenantGet(path) {
  for (let attempt = 0; attempt < 2; attempt++) {
    if (!tenantToken) {
      const basic = Buffer.from(`${TENANT_ID}:${TENANT_SECRET}`).toString("base64");
      const r = await tenantRequest("POST", "/SAAS/auth/oauthtoken?grant_type=client_credentials", { authorization: `Basic ${basic}` });
      if (r.status !== 200) throw new Error(`tenant token: HTTP ${r.status}`);
      tenantToken = JSON.parse(r.body).access_token;
    }
    const r = await tenantRequest("GET", path, { authorization: `Bearer ${tenantToken}`, accept: "application/scim+json" });
    if (r.status === 401) { tenantToken = null; continue; }
    return r;
  }
  throw new Error("tenant: 401 twice");
}
async function userById(id) {
  const r = await tenantGet(`/scim/v2/Users/${encodeURIComponent(id)}`);
  return r.status === 200 ? JSON.parse(r.body) : undefined;
}
async function userByName(name) {
  const filter = encodeURIComponent(`userName eq "${String(name).replace(/["\\]/g, "\\$&")}"`);
  const r = await tenantGet(`/scim/v2/Users?filter=${filter}`);
  if (r.status !== 200) return undefined;
  return (JSON.parse(r.body).Resources || [])[0];
}
// accountId is the SCIM id (the control approves by userName; the provider's
// own login page may pass a userName, which is looked up the same way).
async function findAccount(ctx, id) {
  const u = (await userById(id)) || (await userByName(id));
  if (!u) return undefined;
  return {
    accountId: id,
    async claims() {
      return { sub: id, preferred_username: u.userName, name: u.displayName || u.userName,
        email: (u.emails || [])[0]?.value };
    },
  };
}

// --- keys ----------------------------------------------------------------
function jwkPair(type, kid, alg) {
  const kp = type === "rsa" ? crypto.generateKeyPairSync("rsa", { modulusLength: 2048 })
    : crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const priv = { ...kp.privateKey.export({ format: "jwk" }), kid, alg, use: "sig" };
  const pub = { ...kp.publicKey.export({ format: "jwk" }), kid, alg, use: "sig" };
  return { priv, pub, key: kp.privateKey, publicKey: kp.publicKey };
}
const rsa = jwkPair("rsa", "provider-rsa-1", "RS256");
const ec = jwkPair("ec", "provider-ec-1", "ES256");
const stranger = jwkPair("rsa", "stranger-1", "RS256"); // never published
const rotated = jwkPair("rsa", "rotated-2", "RS256");   // published on "rotate"
let publishRotated = false;

const b64u = (b) => Buffer.from(b).toString("base64url");
function signJwt(header, payload, key) {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  if (header.alg === "none") return `${input}.`;
  if (header.alg === "HS256") return `${input}.${b64u(crypto.createHmac("sha256", key).update(input).digest())}`;
  const opts = header.alg.startsWith("ES") ? { key, dsaEncoding: "ieee-p1363" } : key;
  return `${input}.${b64u(crypto.sign("sha256", Buffer.from(input), opts))}`;
}

// --- test switches -------------------------------------------------------
const state = { mode: "normal", user: "bob", slowDown: 0, stall: 0, pad: 0 };
const stats = { device_auths: 0, polls: 0, slow_downs: 0, jwks: 0, discovery: 0, id_tokens: 0, forged: 0 };

// The provider signed `tok`; give back what the current mode asks for.
function forge(tok) {
  const [h, p] = tok.split(".").slice(0, 2).map((s) => JSON.parse(Buffer.from(s, "base64url")));
  const own = h.kid === ec.pub.kid ? ec : rsa;
  const now = Math.floor(Date.now() / 1000);
  switch (state.mode) {
    case "other-key": return signJwt(h, p, stranger.key);
    case "unknown-kid": return signJwt({ ...h, alg: "RS256", kid: stranger.pub.kid }, p, stranger.key);
    case "rotate": return signJwt({ ...h, alg: "RS256", kid: rotated.pub.kid }, p, rotated.key);
    case "other-aud": return signJwt(h, { ...p, aud: "another-client" }, own.key);
    case "expired": return signJwt(h, { ...p, iat: now - 7200, exp: now - 3600 }, own.key);
    case "other-user": return signJwt(h, { ...p, preferred_username: state.user }, own.key);
    case "alg-none": return signJwt({ alg: "none", kid: h.kid }, p, null);
    case "hs256": return signJwt({ alg: "HS256", kid: rsa.pub.kid }, p,
      rsa.publicKey.export({ format: "pem", type: "spki" }));
    default: return tok;
  }
}

// --- the provider --------------------------------------------------------
const deviceClient = (client_id, alg) => ({
  client_id, token_endpoint_auth_method: "none", application_type: "native",
  grant_types: ["urn:ietf:params:oauth:grant-type:device_code"], response_types: [],
  redirect_uris: [], id_token_signed_response_alg: alg,
});

let handler = (req, res) => { res.statusCode = 503; res.end(); };
const server = https.createServer({ key: fs.readFileSync(args.key), cert: fs.readFileSync(args.cert) },
  (req, res) => handler(req, res));
const sockets = new Set();
server.on("connection", (s) => { sockets.add(s); s.on("close", () => sockets.delete(s)); });

server.listen(Number(args.port || 0), "127.0.0.1", () => {
  const issuer = `https://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [deviceClient(CLIENT, "RS256"), deviceClient(`${CLIENT}-es256`, "ES256")],
    jwks: { keys: [rsa.priv, ec.priv] },
    findAccount,
    claims: { openid: ["sub"], profile: ["preferred_username", "name"], email: ["email"] },
    // profile claims in the ID token itself (scimbridge reads no userinfo)
    conformIdTokenClaims: false,
    features: { deviceFlow: { enabled: true }, devInteractions: { enabled: true }, revocation: { enabled: false } },
    cookies: { keys: [crypto.randomBytes(32).toString("hex")] },
    ttl: { DeviceCode: DEVICE_TTL, IdToken: 3600, AccessToken: 600, Grant: 600, Session: 600, Interaction: 600 },
    issueRefreshToken: () => false,
  });
  provider.on("server_error", (ctx, err) => console.error("server_error", err));

  provider.use(async (ctx, next) => {
    if (state.stall > 0) await new Promise((r) => setTimeout(r, state.stall * 1000));
    if (ctx.path === "/token" && ctx.method === "POST") {
      stats.polls++;
      if (state.slowDown > 0) {
        state.slowDown--;
        stats.slow_downs++;
        ctx.status = 400;
        ctx.body = { error: "slow_down", error_description: "you are polling too quickly" };
        return;
      }
    }
    await next();
    if (ctx.path === "/device/auth" && ctx.status === 200 && ctx.body) {
      stats.device_auths++;
      ctx.body.interval = INTERVAL; // RFC 8628 §3.2; oidc-provider sends none (clients then use 5 s)
    }
    if (ctx.path === "/jwks" && ctx.status === 200 && ctx.body) {
      stats.jwks++;
      if (publishRotated) ctx.body = { keys: [...ctx.body.keys, rotated.pub] };
    }
    if (ctx.path === "/.well-known/openid-configuration") {
      stats.discovery++;
      if (state.pad > 0) ctx.body = { ...ctx.body, padding: "x".repeat(state.pad) };
    }
    if (ctx.path === "/token" && ctx.status === 200 && ctx.body?.id_token) {
      stats.id_tokens++;
      if (state.mode !== "normal") {
        stats.forged++;
        ctx.body = { ...ctx.body, id_token: forge(ctx.body.id_token) };
      }
    }
  });
  handler = provider.callback();

  // --- the control ---------------------------------------------------------
  const normalize = (c) => String(c || "").toUpperCase().replace(/\W/g, "");
  async function pending(res, body) {
    const code = await provider.DeviceCode.findByUserCode(normalize(body.user_code));
    if (!code) { json(res, 404, { error: `no pending device code '${body.user_code}'` }); return null; }
    if (code.accountId || code.error) { json(res, 409, { error: "device code already answered" }); return null; }
    return code;
  }
  async function approve(res, body) {
    const code = await pending(res, body);
    if (!code) return;
    const u = await userByName(body.user);
    if (!u) return json(res, 404, { error: `no tenant user '${body.user}'` });
    const scope = code.params.scope || "openid";
    const grant = new provider.Grant({ accountId: u.id, clientId: code.clientId });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    Object.assign(code, { accountId: u.id, grantId, scope, authTime: Math.floor(Date.now() / 1000) });
    await code.save();
    json(res, 200, { ok: true, accountId: u.id, userName: u.userName });
  }
  async function deny(res, body) {
    const code = await pending(res, body);
    if (!code) return;
    Object.assign(code, { error: "access_denied", errorDescription: "the user denied the sign-in" });
    await code.save();
    json(res, 200, { ok: true });
  }
  const routes = {
    "POST /approve": approve,
    "POST /deny": deny,
    "POST /idtoken": (res, b) => {
      state.mode = b.mode || "normal";
      if (b.user) state.user = b.user;
      if (state.mode === "rotate") publishRotated = true;
      json(res, 200, { ok: true, mode: state.mode });
    },
    "POST /slow-down": (res, b) => { state.slowDown = Number(b.count || 1); json(res, 200, { ok: true }); },
    "POST /stall": (res, b) => { state.stall = Number(b.seconds || 0); json(res, 200, { ok: true }); },
    "POST /pad-metadata": (res, b) => { state.pad = Number(b.bytes || 0); json(res, 200, { ok: true }); },
    "POST /reset": (res) => { Object.assign(state, { mode: "normal", slowDown: 0, stall: 0, pad: 0 }); json(res, 200, { ok: true }); },
    "GET /stats": (res) => json(res, 200, stats),
  };
  const ctl = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => { raw += c; if (raw.length > 65536) req.destroy(); });
    req.on("end", async () => {
      const route = routes[`${req.method} ${req.url}`];
      if (!route) return json(res, 404, { error: "no such control" });
      try { await route(res, raw ? JSON.parse(raw) : {}); } catch (e) { json(res, 500, { error: String(e.message || e) }); }
    });
  });
  ctl.listen(Number(args["ctl-port"] || 0), "127.0.0.1", () => {
    console.log(`LISTENING ${server.address().port} ${ctl.address().port} ${issuer}`);
  });
  function stop() {
    for (const s of sockets) s.destroy();
    server.close();
    ctl.close();
    setTimeout(() => process.exit(0), 50).unref();
  }
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
});

function json(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

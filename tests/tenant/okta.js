// okta.js — what Okta does to the tenant, as the tests' driver: real SCIM
// calls through the Workspace ONE dialect with a bearer token from the
// client-credentials endpoint. Needs TENANT_URL, TENANT_CA, TENANT_CLIENT_ID,
// TENANT_SECRET_FILE (and TENANT_CTL for the bulk helper) in the environment.
import fs from "node:fs";
import https from "node:https";
import http from "node:http";

const USAGE = `usage: okta COMMAND …
  create-user NAME [--display D] [--uid N] [--ssh-key K] [--domain D]   prints the SCIM id
  deactivate NAME | reactivate NAME | disable NAME | soft-delete NAME
  set-attr NAME ATTR VALUE      (VALUE as JSON when it parses, else a string)
  create-group NAME             prints the id
  add-member GROUP USER | remove-member GROUP USER | add-group-member GROUP CHILD
  bulk-groups USER N            put USER in N new groups (control API)`;
const BASE = "/SAAS/jersey/manager/api/scim";
const EXT = "urn:scim:schemas:extension:workspace:1.0";
const env = (k) => { if (!process.env[k]) { console.error(`okta: ${k} is not set`); process.exit(2); } return process.env[k]; };

function request(method, path, body, headers = {}) {
  const url = new URL(path, env("TENANT_URL"));
  const data = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ca: fs.readFileSync(env("TENANT_CA")),
      headers: { Accept: "application/json", ...(data !== undefined ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(data) } : {}), ...headers } },
    (res) => { let b = ""; res.on("data", (c) => (b += c)); res.on("end", () => resolve({ status: res.statusCode, body: b ? JSON.parse(b) : null })); });
    req.on("error", reject);
    if (data !== undefined) req.write(data);
    req.end();
  });
}

let token;
async function api(method, path, body) {
  if (!token) {
    const basic = Buffer.from(`${env("TENANT_CLIENT_ID")}:${fs.readFileSync(env("TENANT_SECRET_FILE"), "utf8").trim()}`).toString("base64");
    const r = await request("POST", "/SAAS/auth/oauthtoken?grant_type=client_credentials", "", { Authorization: `Basic ${basic}`, "Content-Type": "application/x-www-form-urlencoded" });
    if (r.status !== 200) throw new Error(`token: HTTP ${r.status}`);
    token = r.body.access_token;
  }
  const r = await request(method, path, body, { Authorization: `Bearer ${token}` });
  if (r.status >= 300) throw new Error(`${method} ${path}: HTTP ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

async function find(kind, attr, value) {
  const q = new URLSearchParams({ filter: `${attr} eq ${JSON.stringify(value)}`, count: "5" });
  const r = await api("GET", `${BASE}/${kind}?${q}`);
  if (!r.Resources || !r.Resources.length) throw new Error(`no ${kind} ${value}`);
  return r.Resources[0];
}

const user = (name) => find("Users", "userName", name);
const group = (name) => find("Groups", "displayName", name);
const patchUser = async (name, body) => api("PATCH", `${BASE}/Users/${(await user(name)).id}`, { schemas: ["urn:scim:schemas:core:1.0"], ...body });

function parseValue(v) { try { return JSON.parse(v); } catch { return v; } }

async function main(argv) {
  const [cmd, ...rest] = argv;
  const opt = (k) => { const i = rest.indexOf(k); return i >= 0 ? rest[i + 1] : undefined; };
  switch (cmd) {
    case "create-user": {
      const name = rest.filter((a, i) => !a.startsWith("--") || a === "--")[0] === "--" ? rest[rest.indexOf("--") + 1] : rest[0];
      const body = { schemas: ["urn:scim:schemas:core:1.0", EXT], userName: name, displayName: opt("--display") ?? name,
        name: { givenName: name, familyName: "Okta" }, active: true, [EXT]: { domain: opt("--domain") ?? process.env.TENANT_DOMAIN ?? "okta.example.com" } };
      if (opt("--uid") !== undefined) body["urn:scim:schemas:extension:enterprise:1.0"] = { employeeNumber: opt("--uid") };
      if (opt("--ssh-key") !== undefined) body["urn:scim:schemas:extension:custom:1.0"] = { sshPublicKey: opt("--ssh-key") };
      const r = await api("POST", `${BASE}/Users`, body);
      return console.log(r.id);
    }
    case "deactivate": return patchUser(rest[0], { active: false });
    case "reactivate": return patchUser(rest[0], { active: true, [EXT]: { userStatus: "1", softDeleted: false } });
    case "disable": return patchUser(rest[0], { [EXT]: { userStatus: "2" } });
    case "soft-delete": return patchUser(rest[0], { [EXT]: { softDeleted: true } });
    case "set-attr": return patchUser(rest[0], { [rest[1]]: parseValue(rest[2]) });
    case "create-group": return console.log((await api("POST", `${BASE}/Groups`, { schemas: ["urn:scim:schemas:core:1.0"], displayName: rest[0] })).id);
    case "add-member": case "remove-member": case "add-group-member": {
      const g = await group(rest[0]);
      const m = cmd === "add-group-member" ? { value: (await group(rest[1])).id, type: "Group" } : { value: (await user(rest[1])).id, type: "User" };
      if (cmd === "remove-member") m.operation = "delete";
      return api("PATCH", `${BASE}/Groups/${g.id}`, { schemas: ["urn:scim:schemas:core:1.0"], members: [m] });
    }
    case "bulk-groups": {
      const r = await new Promise((resolve, reject) => {
        const data = JSON.stringify({ user: rest[0], n: Number(rest[1]) });
        const req = http.request(new URL("/bulk-groups", env("TENANT_CTL")), { method: "POST", headers: { "Content-Type": "application/json", "Content-Length": data.length } },
          (res) => { res.resume(); res.on("end", () => resolve(res.statusCode)); });
        req.on("error", reject); req.end(data);
      });
      if (r !== 200) throw new Error(`bulk-groups: HTTP ${r}`);
      return;
    }
    default:
      console.log(USAGE);
      process.exit(cmd === "help" ? 0 : 2);
  }
}

main(process.argv.slice(2)).catch((e) => { console.error(`okta: ${e.message}`); process.exit(1); });

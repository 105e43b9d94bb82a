// cdp_approve.mjs — approves a device sign-in the way a person does, in a
// real headless chromium (Debian's), at the provider's own pages: open the
// verification URL, type the user code, sign in as USER, consent. Driven
// over the DevTools protocol with Node's WebSocket (no playwright). For
// tests/e2e/device_ssh.sh. TLS is checked as a person's browser checks it:
// the CA in $TENANT_CA is the one trusted root, in a certificate store
// (NSS db, made with certutil) of this run's own; a page chromium refuses
// ends the run ("BROWSER_CERT_ERROR").
// usage: TENANT_CA=ca.pem node --experimental-websocket cdp_approve.mjs URL CODE USER
// prints each step, then "BROWSER_DONE <page text>"; exit 0 on the
// provider's success page, 1 otherwise (bounded: 60 s).
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [url, code, user] = process.argv.slice(2);
if (!process.env.TENANT_CA) {
  console.log("BROWSER_NO_CA: set TENANT_CA");
  process.exit(1);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sbchrome."));
// chromium on Linux trusts the roots in $HOME/.pki/nssdb
const home = path.join(dir, "home");
const db = `sql:${path.join(home, ".pki", "nssdb")}`;
fs.mkdirSync(path.join(home, ".pki", "nssdb"), { recursive: true });
execFileSync("certutil", ["-N", "-d", db, "--empty-password"]);
execFileSync("certutil", ["-A", "-d", db, "-t", "C,,", "-n", "scimbridge-test-ca", "-i", process.env.TENANT_CA]);
const chrome = spawn("/usr/bin/chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  `--user-data-dir=${path.join(dir, "profile")}`, "--remote-debugging-port=0", url],
  { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, HOME: home } });
const end = (rc, what) => {
  console.log(what);
  chrome.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(rc);
};
setTimeout(() => end(1, "BROWSER_TIMEOUT"), 60000).unref();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let err = "";
const port = await new Promise((resolve) => {
  chrome.stderr.on("data", (d) => {
    err += d;
    const m = err.match(/DevTools listening on ws:\/\/[^:]+:(\d+)\//);
    if (m) resolve(m[1]);
  });
  chrome.on("exit", () => end(1, `BROWSER_EXITED ${err.slice(-500)}`));
});
let page;
for (let i = 0; i < 100 && !page; i++) {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  page = list.find((t) => t.type === "page");
  if (!page) await sleep(100);
}
const ws = new WebSocket(page.webSocketDebuggerUrl);
await new Promise((r) => ws.addEventListener("open", r));
let id = 0;
const pending = new Map();
ws.addEventListener("message", (ev) => {
  const m = JSON.parse(ev.data);
  if (m.id && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); }
});
const send = (method, params) => new Promise((r) => { pending.set(++id, r); ws.send(JSON.stringify({ id, method, params })); });
const evaluate = async (expr) => (await send("Runtime.evaluate", { expression: expr, returnByValue: true })).result?.result?.value;

// One step on whatever page is shown; a page already acted on (marked) is
// left alone until the browser has navigated away from it.
const step = `(() => {
  if (location.protocol === "chrome-error:" || /privacy error/i.test(document.title))
    return "certerror " + document.title + " " + (document.body ? document.body.innerText : "").replace(/\s+/g, " ").slice(0, 200);
  if (!document.body || document.readyState !== "complete") return "loading";
  if (window.__sbActed) return "navigating";
  const text = document.body.innerText;
  if (/success/i.test(text) && !document.querySelector("form button, form input[type=submit]"))
    return "done " + text.replace(/\\s+/g, " ").slice(0, 200);
  const input = (n) => document.querySelector("input[name=" + n + "]");
  if (input("user_code")) input("user_code").value = ${JSON.stringify(code)};
  if (input("login")) input("login").value = ${JSON.stringify(user)};
  if (input("password")) input("password").value = "any";
  const b = [...document.querySelectorAll("button, input[type=submit]")].find((x) => x.name !== "abort");
  if (!b) return "no-button " + text.slice(0, 100);
  window.__sbActed = true;
  b.click();
  return "clicked " + location.pathname + " " + (document.title || "");
})()`;
let last = "";
for (;;) {
  const r = (await evaluate(step)) || "";
  if (r !== last) console.log(`STEP ${r}`);
  last = r;
  if (r.startsWith("done")) end(0, `BROWSER_DONE ${r.slice(5)}`);
  if (r.startsWith("certerror")) end(1, `BROWSER_CERT_ERROR ${r.slice(10)}`);
  await sleep(150);
}

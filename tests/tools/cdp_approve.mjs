// cdp_approve.mjs — approves a device sign-in the way a person does, in a
// real headless chromium (Debian's), at the provider's own pages: open the
// verification URL, type the user code, sign in as USER, consent. Driven
// over the DevTools protocol with Node's WebSocket (no playwright). For
// tests/e2e/device_ssh.sh. The test CA is not in chromium's store, so
// certificate errors are ignored (this tests the flow, not TLS).
// usage: node --experimental-websocket cdp_approve.mjs URL CODE USER
// prints each step, then "BROWSER_DONE <page text>"; exit 0 on the
// provider's success page, 1 otherwise (bounded: 60 s).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [url, code, user] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sbchrome."));
const chrome = spawn("/usr/bin/chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--ignore-certificate-errors", `--user-data-dir=${dir}`, "--remote-debugging-port=0", url],
  { stdio: ["ignore", "ignore", "pipe"] });
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
  await sleep(150);
}

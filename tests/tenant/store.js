// store.js — the tenant's data: users and groups in one in-memory store that
// both dialects render from, plus the fixed small data set and the generated
// large one. Ids are derived from names (sha1 → UUID shape) so they are the
// same on every run.
import crypto from "node:crypto";

export const DOMAIN = "okta.example.com";

export function stableId(kind, name) {
  const h = crypto.createHash("sha1").update(`${kind}:${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const now = () => new Date().toISOString();

export class Store {
  constructor() {
    this.users = new Map();   // id → user
    this.groups = new Map();  // id → group
    this.order = [];          // user ids in creation order (list order)
    this.gorder = [];
    this.directories = new Map(); // domain → directory
  }

  addUser(u) {
    const t = now();
    const user = {
      id: u.id || stableId("user", u.userName),
      userName: u.userName,
      displayName: u.displayName ?? u.userName,
      givenName: u.givenName ?? u.userName,
      familyName: u.familyName ?? "Example",
      active: u.active ?? true,
      domain: u.domain ?? DOMAIN,
      userStatus: u.userStatus ?? "1",
      softDeleted: u.softDeleted ?? false,
      employeeNumber: u.employeeNumber,
      sshKeys: u.sshKeys ?? [],
      created: t,
      lastModified: t,
      version: 1,
    };
    if (!this.users.has(user.id)) this.order.push(user.id);
    this.users.set(user.id, user);
    const all = this.allUsersGroup();
    if (all && !all.members.some((m) => m.value === user.id)) all.members.push({ value: user.id, type: "User" });
    this.markGroupsChanged();
    return user;
  }

  addGroup(g) {
    const group = {
      id: g.id || stableId("group", g.displayName),
      displayName: g.displayName,
      members: g.members ?? [],
      lastModified: now(),
    };
    if (!this.groups.has(group.id)) this.gorder.push(group.id);
    this.groups.set(group.id, group);
    this.markGroupsChanged();
    return group;
  }

  // user id → [{value, display}] of the groups listing it; rebuilt lazily
  // after any membership change (markGroupsChanged) so a 100,000-user page
  // does not scan every group per user.
  memberOf(id) {
    if (!this._memberIndex) {
      this._memberIndex = new Map();
      for (const g of this.groups.values())
        for (const m of g.members) {
          let l = this._memberIndex.get(m.value);
          if (!l) this._memberIndex.set(m.value, (l = []));
          l.push({ value: g.id, display: g.displayName });
        }
    }
    return this._memberIndex.get(id) || [];
  }

  markGroupsChanged() {
    this._memberIndex = null;
  }

  allUsersGroup() {
    return this.groups.get(stableId("group", "ALL USERS"));
  }

  userByName(name) {
    for (const u of this.users.values()) if (u.userName.toLowerCase() === String(name).toLowerCase()) return u;
    return undefined;
  }

  groupByName(name) {
    for (const g of this.groups.values()) if (g.displayName === name) return g;
    return undefined;
  }

  touchUser(u) {
    u.lastModified = now();
    u.version++;
  }

  deleteUser(id) {
    this.users.delete(id);
    this.order = this.order.filter((x) => x !== id);
    for (const g of this.groups.values()) g.members = g.members.filter((m) => m.value !== id);
    this.markGroupsChanged();
  }

  deleteGroup(id) {
    this.groups.delete(id);
    this.gorder = this.gorder.filter((x) => x !== id);
    for (const g of this.groups.values()) g.members = g.members.filter((m) => m.value !== id);
    this.markGroupsChanged();
  }
}

// The fixed data set of tests/tenant/README.md.
export function seedSmall(store) {
  store.addGroup({ displayName: "ALL USERS" });
  const u = (userName, extra = {}) => store.addUser({ userName, ...extra });
  const alice = u("alice", { displayName: "Alice Anders", givenName: "Alice", familyName: "Anders",
    sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGFsaWNlLXRlc3Qta2V5LW5vdC1yZWFsLTAwMDAwMDAw alice@example"] });
  const bob = u("bob", { displayName: "Bob Brown", givenName: "Bob", familyName: "Brown" });
  const carol = u("carol", { displayName: "Carol Chen", givenName: "Carol", familyName: "Chen" });
  u("dave", { displayName: "Dave Deactivated", active: false });
  u("erin", { displayName: "Erin Disabled", userStatus: "2" });
  u("frank", { displayName: "Frank Deleted", softDeleted: true });
  u("grace", { displayName: "Grace Elsewhere", domain: "other.example.com" });
  u("bad:name", { displayName: "Bad Name" });
  u("root", { displayName: "Tenant Root" });
  const eng = store.addGroup({ displayName: "engineers", members: [
    { value: alice.id, type: "User" }, { value: bob.id, type: "User" }] });
  store.addGroup({ displayName: "admins", members: [{ value: alice.id, type: "User" }] });
  store.addGroup({ displayName: "research", members: [
    { value: eng.id, type: "Group" }, { value: carol.id, type: "User" }] });
  store.directories.set(DOMAIN, { directoryId: stableId("dir", DOMAIN), name: "Okta",
    type: "OTHER_DIRECTORY", domains: [DOMAIN] });
}

// n users u000001…, m groups g00001…; user i is in ~10 groups, and the first
// three groups are large (every 10th, 100th, 1000th user).
export function seedLarge(store, n = 100000, m = 10000) {
  const members = Array.from({ length: m }, () => []);
  const users = [];
  for (let i = 1; i <= n; i++) {
    const name = `u${String(i).padStart(6, "0")}`;
    const user = {
      id: stableId("user", name), userName: name, displayName: `User ${i}`, givenName: "User",
      familyName: String(i), active: i % 50 !== 0, domain: DOMAIN, userStatus: "1", softDeleted: false,
      sshKeys: [], created: "2026-01-01T00:00:00.000Z", lastModified: "2026-01-01T00:00:00.000Z", version: 1,
    };
    users.push(user);
    const seen = new Set();
    for (let k = 0; k < 10; k++) seen.add((i * 7 + k * k * 131 + k) % m);
    if (i % 10 === 0) seen.add(0);
    if (i % 100 === 0) seen.add(1);
    if (i % 1000 === 0) seen.add(2);
    for (const g of seen) members[g].push({ value: user.id, type: "User" });
  }
  for (const u of users) { store.users.set(u.id, u); store.order.push(u.id); }
  for (let j = 0; j < m; j++) {
    const name = `g${String(j + 1).padStart(5, "0")}`;
    store.addGroup({ displayName: name, members: members[j] });
  }
  store.markGroupsChanged();
  store.directories.set(DOMAIN, { directoryId: stableId("dir", DOMAIN), name: "Okta",
    type: "OTHER_DIRECTORY", domains: [DOMAIN] });
}

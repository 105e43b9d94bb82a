// scim2.js — the SCIM 2.0 side of the tenant, served by SCIMMY (resource
// types, schema validation, filtering, paging, errors) through
// scimmy-routers, over the same store the Workspace ONE side renders.
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";
import { renderUser, renderGroup, SCIM2 } from "./render.js";
import { matchFilter } from "./ci.js";

export function scim2Router(store, tokens, base) {
  SCIMMY.Schemas.User.extend(SCIMMY.Schemas.EnterpriseUser, false);
  const notFound = (kind, id) => new SCIMMY.Types.Error(404, null, `${kind} ${id} not found`);
  const userOut = (u) => {
    const r = renderUser(u, SCIM2, base, store);
    delete r.groups; // SCIMMY computes nothing here; groups come from Groups
    return r;
  };

  SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .egress((resource) => {
      if (resource.id) {
        const u = store.users.get(resource.id);
        if (!u) throw notFound("User", resource.id);
        return [userOut(u)];
      }
      const all = store.order.map((id) => userOut(store.users.get(id)));
      return resource.filter ? matchFilter(resource.filter.expression, all, (r) => store.users.get(r.id)?.domain) : all;
    })
    .ingress((resource, instance) => {
      const u = resource.id ? store.users.get(resource.id) : store.addUser({ userName: instance.userName });
      if (!u) throw notFound("User", resource.id);
      if (instance.userName) u.userName = instance.userName;
      if (instance.displayName !== undefined) u.displayName = instance.displayName;
      if (instance.active !== undefined) u.active = !!instance.active;
      store.touchUser(u);
      return userOut(u);
    })
    .degress((resource) => {
      if (!store.users.has(resource.id)) throw notFound("User", resource.id);
      store.deleteUser(resource.id);
    });

  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .egress((resource) => {
      if (resource.id) {
        const g = store.groups.get(resource.id);
        if (!g) throw notFound("Group", resource.id);
        return [renderGroup(g, SCIM2, base)];
      }
      const all = store.gorder.map((id) => renderGroup(store.groups.get(id), SCIM2, base));
      return resource.filter ? matchFilter(resource.filter.expression, all) : all;
    })
    .ingress((resource, instance) => {
      const g = resource.id ? store.groups.get(resource.id) : store.addGroup({ displayName: instance.displayName });
      if (!g) throw notFound("Group", resource.id);
      if (instance.displayName) g.displayName = instance.displayName;
      if (Array.isArray(instance.members))
        g.members = instance.members.map((m) => ({ value: m.value, type: m.type || (store.groups.has(m.value) ? "Group" : "User") }));
      g.lastModified = new Date().toISOString();
      store.markGroupsChanged();
      return renderGroup(g, SCIM2, base);
    })
    .degress((resource) => {
      if (!store.groups.has(resource.id)) throw notFound("Group", resource.id);
      store.deleteGroup(resource.id);
    });

  return new SCIMMYRouters({
    type: "bearer",
    docUri: "https://example.invalid/scimbridge-test-tenant",
    handler: (req) => {
      const m = /^Bearer (.+)$/.exec(req.header("Authorization") || "");
      const exp = m && tokens.get(m[1]);
      if (!exp || exp < Date.now()) throw new Error("the access token is invalid or expired");
      return "scimbridge-test";
    },
  });
}

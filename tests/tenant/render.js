// render.js — one store, two dialects. Workspace ONE Access answers in SCIM
// 1.1 shapes (core 1.0 schema, its workspace extension, the enterprise 1.0
// extension, errors as {"errors":[…]}); SCIM 2.0 in RFC 7643/7644 shapes.
export const WS1 = "workspace-one";
export const SCIM2 = "scim2";
export const WS1_CORE = "urn:scim:schemas:core:1.0";
export const WS1_EXT = "urn:scim:schemas:extension:workspace:1.0";
export const WS1_ENT = "urn:scim:schemas:extension:enterprise:1.0";
export const S2_USER = "urn:ietf:params:scim:schemas:core:2.0:User";
export const S2_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";
export const S2_ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const S2_LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const S2_ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
export const CUSTOM = "urn:scim:schemas:extension:custom:1.0";

export function renderUser(u, dialect, base, store) {
  const groups = store.memberOf(u.id);
  const common = {
    id: u.id,
    userName: u.userName,
    displayName: u.displayName,
    name: { givenName: u.givenName, familyName: u.familyName, formatted: `${u.givenName} ${u.familyName}` },
    emails: [{ value: `${u.userName}@${u.domain}`, type: "work", primary: true }],
    active: u.active,
    groups,
    meta: { resourceType: "User", created: u.created, lastModified: u.lastModified,
      location: `${base}/Users/${u.id}`, version: `W/"${u.version}"` },
  };
  if (u.sshKeys.length) common[CUSTOM] = { sshPublicKey: u.sshKeys.length === 1 ? u.sshKeys[0] : u.sshKeys };
  if (dialect === WS1) {
    const r = { schemas: [WS1_CORE, WS1_EXT, WS1_ENT], ...common };
    r[WS1_EXT] = { domain: u.domain, userPrincipalName: `${u.userName}@${u.domain}`,
      internalUserType: "PROVISIONED", userStatus: u.userStatus, softDeleted: u.softDeleted };
    if (u.employeeNumber !== undefined) r[WS1_ENT] = { employeeNumber: u.employeeNumber };
    return r;
  }
  const r = { schemas: [S2_USER, S2_ENT], ...common };
  // SCIM 2.0 has no userStatus: a disabled or deleted account is inactive.
  r.active = u.active && u.userStatus === "1" && !u.softDeleted;
  if (u.employeeNumber !== undefined) r[S2_ENT] = { employeeNumber: u.employeeNumber };
  return r;
}

export function renderGroup(g, dialect, base) {
  return {
    schemas: [dialect === WS1 ? WS1_CORE : S2_GROUP],
    id: g.id,
    displayName: g.displayName,
    members: g.members.map((m) => ({ value: m.value, type: m.type, ...(m.display ? { display: m.display } : {}) })),
    meta: { resourceType: "Group", lastModified: g.lastModified, location: `${base}/Groups/${g.id}` },
  };
}

export function renderList(dialect, resources, total, start) {
  if (dialect === WS1)
    return { schemas: [WS1_CORE], totalResults: total, itemsPerPage: resources.length, startIndex: start, Resources: resources };
  return { schemas: [S2_LIST], totalResults: total, itemsPerPage: resources.length, startIndex: start, Resources: resources };
}

export function renderError(dialect, status, code, message) {
  if (dialect === WS1) return { errors: [{ code, message }] };
  return { schemas: [S2_ERROR], status: String(status), detail: message, ...(code ? { scimType: code } : {}) };
}

// ci.js — SCIM filtering with userName compared case-insensitively (RFC 7643:
// userName has caseExact false), on top of SCIMMY's filter engine, which
// compares strings exactly. The userName literals of the expression and the
// resources' userNames are lower-cased for the match; the originals are returned.
import SCIMMY from "scimmy";

export function lowerUserNames(expr) {
  return String(expr).replace(/(\buserName\s+(?:eq|ne|co|sw|ew|gt|ge|lt|le)\s+)"((?:[^"\\]|\\.)*)"/gi,
    (_, head, v) => `${head}"${v.toLowerCase()}"`);
}

// The workspace extension's domain (qualified, or plain "domain") is matched
// through a flat alias, as SCIMMY resolves only SCIM 2.0 URN prefixes.
const WS1_EXT = "urn:scim:schemas:extension:workspace:1.0";
export function matchFilter(expr, resources, domainOf = (r) => r[WS1_EXT] && r[WS1_EXT].domain) {
  const e = lowerUserNames(expr).replace(/\burn:scim:schemas:extension:workspace:1\.0:domain\b|(?<![.:\w])domain\b(?=\s+(?:eq|ne|co|sw|ew|gt|ge|lt|le|pr)\b)/gi, "xwsdomain");
  const f = new SCIMMY.Types.Filter(e);
  const keyed = resources.map((r, i) => ({ ...r, userName: typeof r.userName === "string" ? r.userName.toLowerCase() : r.userName,
    xwsdomain: domainOf(r), __i: i }));
  return f.match(keyed).map((r) => resources[r.__i]);
}

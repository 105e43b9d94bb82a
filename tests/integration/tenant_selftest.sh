#!/bin/bash
# tenant_selftest — the local test tenant (tests/tenant) answers as the
# interface in tests/tenant/README.md says: token, both dialects, paging,
# filters, error shapes, the Okta driver, every fault kind, the directory API.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/tenant.sh"
t_tmpdir
tenant_start || { t_fail "tenant_start"; t_done; exit 1; }
t_ok "tenant started at $TENANT_URL"
t_eq "TENANT_DIR is 0755" 755 "$(stat -c %a "$TENANT_DIR")"
t_eq "secret file is 0600" 600 "$(stat -c %a "$TENANT_SECRET_FILE")"

WS=$TENANT_URL/SAAS/jersey/manager/api/scim
S2=$TENANT_URL/scim/v2
TOK=$TENANT_URL/SAAS/auth/oauthtoken?grant_type=client_credentials
SECRET=$(cat "$TENANT_SECRET_FILE")
code() { curl -s -o "$T_TMP/body" -w '%{http_code}' --cacert "$TENANT_CA" "$@"; }
body() { cat "$T_TMP/body"; }
jq_() { node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{let v;try{v=JSON.parse(s)}catch(e){console.log("INVALID");return}const f=new Function("j","return ("+process.argv[1]+")");console.log(f(v))})' "$1"; }

t_eq "token, good secret: 200" 200 "$(code -u "$TENANT_CLIENT_ID:$SECRET" -X POST "$TOK")"
T=$(body | jq_ j.access_token)
t_eq "token answer" "Bearer 21599 admin" "$(body | jq_ '[j.token_type,j.expires_in,j.scope].join(" ")')"
t_eq "token, wrong secret: 401" 401 "$(code -u "$TENANT_CLIENT_ID:nope" -X POST "$TOK")"
A=(-H "Authorization: Bearer $T")

t_eq "ws1 without a token: 401" 401 "$(code "$WS/Users")"
t_eq "ws1 401 error shape" true "$(body | jq_ 'Array.isArray(j.errors)&&!!j.errors[0].code')"
t_eq "scim2 without a token: 401" 401 "$(code "$S2/Users")"
t_eq "scim2 401 error shape" "401" "$(body | jq_ 'j.status')"

# Workspace ONE dialect
t_eq "ws1 list: 200" 200 "$(code "${A[@]}" "$WS/Users")"
t_eq "ws1 list: 9 users, all on one default page" "9 9 1 urn:scim:schemas:core:1.0" "$(body | jq_ '[j.totalResults,j.Resources.length,j.startIndex,j.schemas[0]].join(" ")')"
code "${A[@]}" "$WS/Users?startIndex=3&count=2" >/dev/null
t_eq "ws1 paging: startIndex=3 count=2" "9 2 3 carol,dave" "$(body | jq_ '[j.totalResults,j.itemsPerPage,j.startIndex,j.Resources.map(r=>r.userName)].join(" ")')"
t_eq "ws1 startIndex past the end: 404 (the real tenant's answer)" 404 "$(code "${A[@]}" "$WS/Users?startIndex=50&count=10")"
t_eq "ws1 past-end 404 error shape" "invalid.startIndex" "$(body | jq_ 'j.errors[0].code')"
t_eq "ws1 empty filtered list at startIndex 1: 200" 200 "$(code "${A[@]}" -G --data-urlencode 'filter=userName eq "nobody"' "$WS/Users")"
tenant_behave '{"ws1_past_end":"empty"}'
code "${A[@]}" "$WS/Users?startIndex=50&count=10" >/dev/null
t_eq "ws1 startIndex past the end, ws1_past_end=empty: empty, right total" "9 0" "$(body | jq_ '[j.totalResults,j.Resources.length].join(" ")')"
tenant_reset_behaviour
code "${A[@]}" -G --data-urlencode 'filter=userName eq "ALICE"' "$WS/Users" >/dev/null
t_eq "ws1 filter userName eq (case-insensitive)" "1 alice" "$(body | jq_ '[j.totalResults,j.Resources.map(r=>r.userName)].join(" ")')"
t_eq "ws1 alice: workspace extension, ssh key" "okta.example.com PROVISIONED 1 ssh-ed25519" \
	"$(body | jq_ 'j.Resources.map(r=>[r["urn:scim:schemas:extension:workspace:1.0"].domain,r["urn:scim:schemas:extension:workspace:1.0"].internalUserType,r["urn:scim:schemas:extension:workspace:1.0"].userStatus,String(r["urn:scim:schemas:extension:custom:1.0"].sshPublicKey).split(" ")[0]].join(" "))[0]')"
ALICE=$(body | jq_ 'j.Resources[0].id')
code "${A[@]}" -G --data-urlencode 'filter=userName sw "a"' "$WS/Users" >/dev/null
t_eq "ws1 filter sw" "alice" "$(body | jq_ 'j.Resources.map(r=>r.userName).join()')"
t_eq "ws1 filter with 'or': 400, as the real tenant documents only eq co sw gt ge lt le" 400 \
	"$(code "${A[@]}" -G --data-urlencode 'filter=userName sw "a" or userName eq "bob"' "$WS/Users")"
t_eq "ws1 refused filter: the tenant's error shape" "filter.not.supported" "$(body | jq_ 'j.errors[0].code')"
tenant_behave '{"ws1_strict_filter":false}'
code "${A[@]}" -G --data-urlencode 'filter=userName sw "a" or userName eq "bob"' "$WS/Users" >/dev/null
t_eq "ws1 filter sw/or with ws1_strict_filter=false" "alice,bob" "$(body | jq_ 'j.Resources.map(r=>r.userName).join()')"
tenant_reset_behaviour
tenant_behave '{"cap":3}'
code "${A[@]}" "$WS/Users?count=100" >/dev/null
t_eq "cap=3: 3 resources, totalResults = the page's length" "3 3" "$(body | jq_ '[j.totalResults,j.Resources.length].join(" ")')"
code "${A[@]}" "$S2/Users?count=100" >/dev/null
t_eq "cap=3 on scim2 too" "3 3" "$(body | jq_ '[j.totalResults,j.Resources.length].join(" ")')"
tenant_reset_behaviour
tenant_behave '{"ignore_filter":"lastModified","no_last_modified":"Groups"}'
code "${A[@]}" -G --data-urlencode 'filter=meta.lastModified gt "2000-01-01T00:00:00Z"' "$S2/Users" >/dev/null
t_eq "ignore_filter: 200 and nothing (scim2)" "0 0" "$(body | jq_ '[j.totalResults,j.Resources.length].join(" ")')"
code "${A[@]}" -G --data-urlencode 'filter=meta.lastModified gt "2000-01-01T00:00:00Z"' "$WS/Users" >/dev/null
t_eq "ignore_filter: 200 and nothing (ws1)" "0 0" "$(body | jq_ '[j.totalResults,j.Resources.length].join(" ")')"
code "${A[@]}" -G --data-urlencode 'filter=userName eq "alice"' "$S2/Users" >/dev/null
t_eq "ignore_filter=lastModified leaves other filters alone" "alice" "$(body | jq_ 'j.Resources.map(r=>r.userName).join()')"
code "${A[@]}" "$S2/Groups" >/dev/null
t_eq "no_last_modified=Groups: groups without meta.lastModified" "false" "$(body | jq_ 'j.Resources.some(r=>"lastModified" in r.meta)')"
code "${A[@]}" "$WS/Users" >/dev/null
t_eq "no_last_modified=Groups: users keep it" "true" "$(body | jq_ 'j.Resources.every(r=>"lastModified" in r.meta)')"
tenant_reset_behaviour
tenant_behave '{"spc_filter":false}'
code "${A[@]}" "$S2/ServiceProviderConfig" >/dev/null
t_eq "spc_filter=false: ServiceProviderConfig says filter.supported false" false "$(body | jq_ 'j.filter.supported')"
tenant_reset_behaviour
t_eq "an unknown switch is refused" 400 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{"nope":1}' "$TENANT_CTL/behaviour")"
code "${A[@]}" -G --data-urlencode 'filter=active eq false' "$WS/Users" >/dev/null
t_eq "ws1 filter active eq false" "dave" "$(body | jq_ 'j.Resources.map(r=>r.userName).join()')"
code "${A[@]}" -G --data-urlencode 'filter=urn:scim:schemas:extension:workspace:1.0:domain eq "other.example.com"' "$WS/Users" >/dev/null
t_eq "ws1 filter on the workspace domain" "grace" "$(body | jq_ 'j.Resources.map(r=>r.userName).join()')"
t_eq "ws1 get by id: 200" 200 "$(code "${A[@]}" "$WS/Users/$ALICE")"
t_eq "ws1 get by id: alice" alice "$(body | jq_ j.userName)"
t_eq "ws1 unknown id: 404" 404 "$(code "${A[@]}" "$WS/Users/no-such-id")"
t_eq "ws1 404 error shape" true "$(body | jq_ 'Array.isArray(j.errors)&&!!j.errors[0].message')"
code "${A[@]}" -G --data-urlencode 'filter=displayName eq "ALL USERS"' "$WS/Groups" >/dev/null
t_eq "ws1 ALL USERS holds everyone" "1 9" "$(body | jq_ '[j.totalResults,j.Resources[0].members.length].join(" ")')"
code "${A[@]}" "$WS/Groups?count=100" >/dev/null
t_eq "ws1 groups" "ALL USERS,engineers,admins,research" "$(body | jq_ 'j.Resources.map(r=>r.displayName).join()')"

# SCIM 2.0 dialect
t_eq "scim2 list: 200" 200 "$(code "${A[@]}" "$S2/Users?count=2")"
t_eq "scim2 ListResponse page" "urn:ietf:params:scim:api:messages:2.0:ListResponse 9 2" "$(body | jq_ '[j.schemas[0],j.totalResults,j.Resources.length].join(" ")')"
code "${A[@]}" "$S2/Users?startIndex=2&count=2" >/dev/null
t_eq "scim2 paging" "bob,carol" "$(body | jq_ 'j.Resources.map(r=>r.userName).join()')"
code "${A[@]}" "$S2/Users?startIndex=50&count=10" >/dev/null
t_eq "scim2 startIndex past the end: empty, right total" "9 0" "$(body | jq_ '[j.totalResults,j.Resources.length].join(" ")')"
code "${A[@]}" -G --data-urlencode 'filter=userName eq "Alice"' "$S2/Users" >/dev/null
t_eq "scim2 filter userName eq (case-insensitive)" "alice" "$(body | jq_ 'j.Resources.map(r=>r.userName).join()')"
code "${A[@]}" -G --data-urlencode 'filter=displayName eq "ALL USERS"' "$S2/Groups" >/dev/null
t_eq "scim2 ALL USERS holds everyone" "9" "$(body | jq_ 'j.Resources[0].members.length')"
code "${A[@]}" -G --data-urlencode 'filter=urn:scim:schemas:extension:workspace:1.0:domain eq "other.example.com"' "$S2/Users" >/dev/null
t_eq "scim2 filter on the workspace domain" "grace" "$(body | jq_ 'j.Resources.map(r=>r.userName).join()')"
code "${A[@]}" "$S2/Users/$ALICE" >/dev/null
t_eq "scim2 alice: ssh key" "ssh-ed25519" "$(body | jq_ 'String(j["urn:scim:schemas:extension:custom:1.0"].sshPublicKey).split(" ")[0]')"
code "${A[@]}" -G --data-urlencode 'filter=meta.lastModified ge "2000-01-01T00:00:00Z" and active eq true' "$S2/Users" >/dev/null
t_eq "scim2 filter meta.lastModified ge ... and active" "6" "$(body | jq_ 'j.totalResults')"
t_eq "scim2 unknown id: 404" 404 "$(code "${A[@]}" "$S2/Users/no-such-id")"
t_eq "scim2 Error shape" "urn:ietf:params:scim:api:messages:2.0:Error 404" "$(body | jq_ '[j.schemas[0],j.status].join(" ")')"

# Okta driver
t_check "okta deactivate bob" okta deactivate bob
code "${A[@]}" -G --data-urlencode 'filter=userName eq "bob"' "$WS/Users" >/dev/null
t_eq "ws1 sees bob inactive" false "$(body | jq_ 'j.Resources[0].active')"
code "${A[@]}" -G --data-urlencode 'filter=userName eq "bob"' "$S2/Users" >/dev/null
t_eq "scim2 sees bob inactive" false "$(body | jq_ 'j.Resources[0].active')"
t_check "okta reactivate bob" okta reactivate bob
id=$(okta create-user zed --uid 4242 --ssh-key "ssh-ed25519 AAAA zed")
t_eq "ws1 new user by id" "zed 4242 ssh-ed25519 AAAA zed" "$(code "${A[@]}" "$WS/Users/$id" >/dev/null; body | jq_ '[j.userName,j["urn:scim:schemas:extension:enterprise:1.0"].employeeNumber,j["urn:scim:schemas:extension:custom:1.0"].sshPublicKey].join(" ")')"
gid=$(okta create-group zeds) && okta add-member zeds zed
t_eq "group member added" "$id" "$(code "${A[@]}" "$WS/Groups/$gid" >/dev/null; body | jq_ 'j.members.map(m=>m.value).join()')"
okta remove-member zeds zed
t_eq "group member removed" "0" "$(code "${A[@]}" "$WS/Groups/$gid" >/dev/null; body | jq_ 'j.members.length')"

# Faults: each kind observably happens, once.
fault() { tenant_reset_faults; tenant_fault "$1"; }
fault '{"match":"/scim/Users","kind":"500"}'
t_eq "fault 500" "500 200" "$(code "${A[@]}" "$WS/Users") $(code "${A[@]}" "$WS/Users")"
fault '{"match":"/scim/Users","kind":"429","retry_after":7}'
t_eq "fault 429 with Retry-After" "7" "$(curl -s -D - -o /dev/null --cacert "$TENANT_CA" "${A[@]}" "$WS/Users" | tr -d '\r' | sed -n 's/^[Rr]etry-[Aa]fter: //p')"
fault '{"match":"/scim/Users","kind":"stall","delay_ms":1500}'
s=$(date +%s%N); code "${A[@]}" "$WS/Users" >/dev/null; e=$((($(date +%s%N) - s) / 1000000))
t_check "fault stall delay_ms=1500 (${e} ms)" test "$e" -ge 1400
fault '{"match":"/scim/Users","kind":"stall"}'
t_eq "fault stall forever: client times out" 28 "$(curl -s -o /dev/null -m 1 --cacert "$TENANT_CA" "${A[@]}" "$WS/Users"; echo $?)"
fault '{"match":"/scim/Users","kind":"truncate"}'
code "${A[@]}" "$WS/Users" >/dev/null
t_eq "fault truncate: invalid JSON" INVALID "$(body | jq_ 1)"
fault '{"match":"/scim/Users","kind":"malformed"}'
code "${A[@]}" "$WS/Users" >/dev/null
t_eq "fault malformed: invalid JSON" INVALID "$(body | jq_ 1)"
fault '{"match":"/scim/Users","kind":"wrong-types"}'
code "${A[@]}" "$WS/Users" >/dev/null
t_eq "fault wrong-types" "string number" "$(body | jq_ '[typeof j.totalResults, typeof j.Resources[0].userName].join(" ")')"
fault '{"match":"/scim/Users","kind":"duplicate-ids"}'
code "${A[@]}" "$WS/Users?count=3" >/dev/null
t_eq "fault duplicate-ids" "2" "$(body | jq_ 'new Set(j.Resources.map(r=>r.id)).size')"
fault '{"match":"/scim/Users","kind":"total-more"}'
code "${A[@]}" "$WS/Users" >/dev/null
t_check "fault total-more ($(body | jq_ j.totalResults))" test "$(body | jq_ j.totalResults)" -gt 10
fault '{"match":"/scim/Users","kind":"total-less"}'
code "${A[@]}" "$WS/Users" >/dev/null
t_check "fault total-less ($(body | jq_ j.totalResults))" test "$(body | jq_ j.totalResults)" -lt 9
fault '{"match":"/scim/Users","kind":"close"}'
t_eq "fault close: empty reply" 52 "$(curl -s -o /dev/null --cacert "$TENANT_CA" "${A[@]}" "$WS/Users"; echo $?)"
fault '{"match":"/scim/Users","kind":"expire-token"}'
t_eq "fault expire-token: 401, then the token stays dead" "401 401" "$(code "${A[@]}" "$WS/Users") $(code "${A[@]}" "$WS/Users")"
code -u "$TENANT_CLIENT_ID:$SECRET" -X POST "$TOK" >/dev/null; T=$(body | jq_ j.access_token); A=(-H "Authorization: Bearer $T")
fault '{"match":"/oauthtoken","kind":"500","after":1,"times":2}'
t_eq "fault on the token endpoint, after=1 times=2" "200 500 500 200" \
	"$(for i in 1 2 3 4; do code -u "$TENANT_CLIENT_ID:$SECRET" -X POST "$TOK"; echo -n ' '; done | sed 's/ $//')"
fault '{"match":"/scim/v2/Users","kind":"500","times":0}'
t_eq "fault on scim2, times=0 (forever)" "500 500 500" "$(code "${A[@]}" "$S2/Users") $(code "${A[@]}" "$S2/Users") $(code "${A[@]}" "$S2/Users")"
fault '{"match":"/scim/v2/Users","kind":"truncate"}'
code "${A[@]}" "$S2/Users" >/dev/null
t_eq "fault truncate on scim2" INVALID "$(body | jq_ 1)"
tenant_reset_faults
t_eq "faults reset" 200 "$(code "${A[@]}" "$S2/Users")"

# Counters
tenant_reset_stats
for i in 1 2 3; do code "${A[@]}" "$WS/Groups" >/dev/null; done
t_eq "stats: requests and handshakes" "3 3 3" "$(tenant_stats | jq_ '[j.requests,j.tls_handshakes,j.by_path["GET /SAAS/jersey/manager/api/scim/Groups"]].join(" ")')"
tenant_reset_stats
curl -s --cacert "$TENANT_CA" "${A[@]}" "$WS/Groups" "$WS/Groups" -o /dev/null -o /dev/null
t_eq "stats: keep-alive, one handshake for two requests" "2 1" "$(tenant_stats | jq_ '[j.requests,j.tls_handshakes].join(" ")')"

# Directory API
DIRS=$TENANT_URL/SAAS/jersey/manager/api/connectormanagement/directoryconfigs
CT='Content-Type: application/vnd.vmware.horizon.manager.connector.management.directory.other+json'
t_eq "directory for a new domain: 201" 201 "$(code "${A[@]}" -H "$CT" -d '{"type":"OTHER_DIRECTORY","domains":["new.example.com"],"name":"New"}' "$DIRS")"
t_eq "directory answer" "OTHER_DIRECTORY new.example.com true" "$(body | jq_ '[j.type,j.domains[0],!!j.directoryId].join(" ")')"
t_eq "same domain again: 409" 409 "$(code "${A[@]}" -H "$CT" -d '{"type":"OTHER_DIRECTORY","domains":["new.example.com"],"name":"New"}' "$DIRS")"
t_eq "okta.example.com already has one: 409" 409 "$(code "${A[@]}" -H "$CT" -d '{"type":"OTHER_DIRECTORY","domains":["okta.example.com"],"name":"X"}' "$DIRS")"
t_eq "409 error shape" true "$(body | jq_ 'Array.isArray(j.errors)&&!!j.errors[0].code')"

# Short token TTL, restart within a suite, prompt stop with a stalled client.
urls() { WS=$TENANT_URL/SAAS/jersey/manager/api/scim; S2=$TENANT_URL/scim/v2; TOK=$TENANT_URL/SAAS/auth/oauthtoken?grant_type=client_credentials; SECRET=$(cat "$TENANT_SECRET_FILE"); }
tenant_start --token-ttl 1 || t_fail "restart"
urls
code -u "$TENANT_CLIENT_ID:$SECRET" -X POST "$TOK" >/dev/null; T=$(body | jq_ j.access_token)
t_eq "restarted, token ttl 1" 1 "$(body | jq_ j.expires_in)"
sleep 1.2
t_eq "expired token: 401" 401 "$(code -H "Authorization: Bearer $T" "$TENANT_URL/SAAS/jersey/manager/api/scim/Users")"
tenant_fault '{"match":"/scim","kind":"stall"}'
curl -s -o /dev/null --cacert "$TENANT_CA" "$TENANT_URL/SAAS/jersey/manager/api/scim/Users" & cpid=$!
sleep 0.3
s=$(date +%s%N); tenant_stop; e=$((($(date +%s%N) - s) / 1000000))
wait $cpid 2>/dev/null
t_check "tenant_stop with a stalled client is prompt (${e} ms)" test "$e" -lt 2000

# A small generated data set
tenant_start --dataset 500 || t_fail "start --dataset 500"
urls
code -u "$TENANT_CLIENT_ID:$SECRET" -X POST "$TOK" >/dev/null; T=$(body | jq_ j.access_token)
code -H "Authorization: Bearer $T" "$TENANT_URL/SAAS/jersey/manager/api/scim/Users?count=5000" >/dev/null
t_eq "--dataset 500: 500 users" "500 500 u000001" "$(body | jq_ '[j.totalResults,j.Resources.length,j.Resources[0].userName].join(" ")')"
t_done

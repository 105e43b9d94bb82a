#!/bin/bash
# libnss_scim.so.2 without root: exact return codes through tests/bin/nssprobe
# (dlopen), real getent/id through cwrap's nss_wrapper, enumeration on/off,
# 16 threads reading while the cache is replaced 100 times, valgrind over the
# module, and strace proof that a lookup opens neither the secret nor the
# network.
. "$(dirname "$0")/../lib/testlib.sh"
t_tmpdir
cd "$T_ROOT" || exit 1
SO=$T_ROOT/nss_module/libnss_scim.so.2
P=$T_ROOT/tests/bin/nssprobe
export SCIMBRIDGE_CONF=$T_TMP/scimbridge.conf
# glibc's status codes
SUCCESS=1 NOTFOUND=0 UNAVAIL=-1 TRYAGAIN=-2 ENOENT=2 ERANGE=34

tests/bin/mkcache -p "$T_TMP/passwd.txt" -g "$T_TMP/group.txt" "$T_TMP/cache" 50 5 || exit 1
echo 'client secret' >"$T_TMP/secret"
chmod 600 "$T_TMP/secret"
conf() {
	cat >"$SCIMBRIDGE_CONF" <<EOC
url = https://127.0.0.1:9
client_id = x
client_secret_file = $T_TMP/secret
cache_path = $1
socket_path = $T_TMP/no-daemon.sock
enumerate = ${2:-no}
${3:-}
EOC
}
conf "$T_TMP/cache"

r=$($P "$SO" pwnam u000007)
t_eq "getpwnam_r hit" "status=$SUCCESS errno=0 u000007:*:200007:200007:User 7 gen 1:/home/u000007:/bin/bash" "$r"
t_eq "getpwuid_r hit" "status=$SUCCESS errno=0 u000008:*:200008:200008:User 8 gen 1:/home/u000008:/bin/bash" "$($P "$SO" pwuid 200008)"
t_eq "getpwnam_r unknown: NOTFOUND, ENOENT" "status=$NOTFOUND errno=$ENOENT" "$($P "$SO" pwnam nosuchuser)"
t_eq "getpwuid_r 0 never served" "status=$NOTFOUND errno=$ENOENT" "$($P "$SO" pwuid 0)"
t_eq "getpwnam_r root never served" "status=$NOTFOUND errno=$ENOENT" "$($P "$SO" pwnam root)"
t_eq "small buffer: TRYAGAIN, ERANGE" "status=$TRYAGAIN errno=$ERANGE" "$($P "$SO" pwnam u000007 20)"
r=$($P "$SO" grnam g00001)
t_check "getgrnam_r lists members ($r)" grep -q "^status=$SUCCESS errno=0 g00001:x:300000000:u0" <<<"$r"
t_eq "getgrgid_r user private group: no member listed (as useradd and SSSD)" \
	"status=$SUCCESS errno=0 u000003:x:200003:" "$($P "$SO" grgid 200003)"
t_eq "group buffer too small for gr_mem: TRYAGAIN, ERANGE" "status=$TRYAGAIN errno=$ERANGE" "$($P "$SO" grnam g00001 64)"
r=$($P "$SO" initgroups u000002)
t_check "initgroups_dyn: supplementary groups ($r)" grep -qE "^status=$SUCCESS errno=0 groups=[1-9]" <<<"$r"

conf "$T_TMP/cache" no "uid_min = 200010"
t_eq "a cached uid below the config's uid_min is never served" "status=$NOTFOUND errno=$ENOENT" "$($P "$SO" pwnam u000007)"
t_eq "… nor by uid" "status=$NOTFOUND errno=$ENOENT" "$($P "$SO" pwuid 200007)"
t_check "… one at or above it is" grep -q "^status=$SUCCESS errno=0 u000012:" <<<"$($P "$SO" pwnam u000012)"
conf "$T_TMP/cache"

conf "$T_TMP/missing"
t_eq "missing cache: UNAVAIL" "status=$UNAVAIL errno=$ENOENT" "$($P "$SO" pwnam u000007)"
head -c 300 "$T_TMP/cache" >"$T_TMP/truncated"
conf "$T_TMP/truncated"
t_eq "truncated cache: UNAVAIL" "status=$UNAVAIL errno=$ENOENT" "$($P "$SO" pwnam u000007)"
echo "root:x:0:0:root:/root:/bin/bash" >"$T_TMP/foreign"
conf "$T_TMP/foreign"
t_eq "foreign file: UNAVAIL" "status=$UNAVAIL errno=$ENOENT" "$($P "$SO" pwnam u000007)"

# primary_group = a local group below the id floor (Debian's users, gid
# 100): the mapping gives every user that gid, and the module must serve
# them with it, while a gid the config does not name stays refused.
read -r lgroup lgid < <(awk -F: '$3 > 0 && $3 < 1000 { print $1, $3; exit }' /etc/group)
tests/bin/mkcache -P "$lgid" "$T_TMP/primary-cache" 5 2 || exit 1
conf "$T_TMP/primary-cache"
t_eq "primary_group unset: a user with gid $lgid is not served" "status=$NOTFOUND errno=$ENOENT" \
	"$($P "$SO" pwnam u000002)"
echo "primary_group = $lgroup" >>"$SCIMBRIDGE_CONF"
t_eq "primary_group = $lgroup (gid $lgid): served with that gid" \
	"status=$SUCCESS errno=0 u000002:*:200002:$lgid:User 2 gen 1:/home/u000002:/bin/bash" \
	"$($P "$SO" pwnam u000002)"
t_eq "primary_group = $lgroup: by uid too" \
	"status=$SUCCESS errno=0 u000003:*:200003:$lgid:User 3 gen 1:/home/u000003:/bin/bash" \
	"$($P "$SO" pwuid 200003)"

# Real clients through nss_wrapper (no root, no /etc/nsswitch.conf change).
conf "$T_TMP/cache"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$T_TMP/passwd"
printf 'root:x:0:\n' >"$T_TMP/group"
W() {
	LD_PRELOAD=libnss_wrapper.so NSS_WRAPPER_PASSWD=$T_TMP/passwd NSS_WRAPPER_GROUP=$T_TMP/group \
		NSS_WRAPPER_MODULE_SO_PATH=$SO NSS_WRAPPER_MODULE_FN_PREFIX=scim "$@"
}
t_eq "getent passwd NAME" "u000001:*:200001:200001:User 1 gen 1:/home/u000001:/bin/bash" "$(W getent passwd u000001)"
t_eq "getent passwd UID" "u000002:*:200002:200002:User 2 gen 1:/home/u000002:/bin/bash" "$(W getent passwd 200002)"
W getent passwd nosuchuser >/dev/null
t_eq "getent passwd unknown exits 2" 2 $?
t_eq "enumerate off: getent passwd shows only local users" 1 "$(W getent passwd | wc -l)"
conf "$T_TMP/cache" yes
t_eq "enumerate on: every user" 51 "$(W getent passwd | wc -l)"
t_eq "enumerate on: every group (50 private + 5)" 56 "$(W getent group | wc -l)"
conf "$T_TMP/primary-cache" yes
echo "primary_group = $lgroup" >>"$SCIMBRIDGE_CONF"
t_eq "primary_group = $lgroup: getent passwd enumerates every user with gid $lgid" 5 \
	"$(W getent passwd | grep -c ":$lgid:User ")"
conf "$T_TMP/cache" yes
# nss_wrapper answers getgrouplist by walking getgrent, so `id` needs
# enumeration here; the end-to-end suite checks initgroups through glibc.
# The module agrees with itself (nss_files' rule): initgroups_dyn returns
# exactly the gids of the groups whose member list names the user.
for u in u000001 u000002 u000003; do
	want=$(W getent group | awk -F: -v u="$u" '{n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) print $3}' | sort -n | tr '\n' ' ')
	got=$($P "$SO" initgroups "$u" | cut -d' ' -f4- | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')
	t_eq "initgroups_dyn $u = the groups listing $u" "$want" "$got"
done
r=$(W id u000001)
t_check "id lists the user's groups ($r)" grep -qE 'uid=200001\(u000001\) gid=200001\(u000001\) groups=200001\(u000001\),3000000' <<<"$r"
conf "$T_TMP/cache"

# errno discipline (nss-systemd's PROTECT_ERRNO): a call that succeeds
# leaves errno alone, even the first, which reads the config and maps the
# cache; a failure says why in *errnop (glibc's errno).
conf "$T_TMP/cache" yes
r=$($P "$SO" errno u000002 200002 200002 nosuchuser)
t_check "errno: kept by every successful entry point, set by every failure ($(tr '\n' ';' <<<"$r"))" \
	grep -q '^errno: 0 wrong' <<<"$r"

# A sync during an enumeration: the cursor stays on the file it started on.
conf "$T_TMP/ecache" yes
for db in pw gr; do
	r=$(timeout 20 $P "$SO" enumswap "$T_TMP/ecache" $db)
	t_check "$db enumeration while the cache is replaced: the file it began on, whole, also in a forked child ($r)" \
		grep -q 'dup=0 missing=0 foreign=0 newgen=0 child=ok' <<<"$r"
done
r=$(timeout 30 $P "$SO" enumthreads "$T_TMP/ecache" 20)
t_check "passwd and group enumerations in two threads, 20 replacements: each one generation whole ($r)" \
	grep -q ' bad=0 ' <<<"$r"
conf "$T_TMP/cache"

r=$(timeout 20 $P "$SO" fork u000007)
t_check "fork while another thread is inside the module: 50 children look up fine ($r)" grep -q 'child lookups ok' <<<"$r"
conf "$T_TMP/cache" yes
r=$(timeout 60 $P "$SO" forkenum nosuchuser)
t_check "fork while another thread enumerates and misses: 50 children find every lock free ($r)" \
	grep -q 'child enumerations ok' <<<"$r"
conf "$T_TMP/cache"

# 16 threads while the cache is replaced 100 times: answers old or new, never torn.
conf "$T_TMP/tcache"
r=$($P "$SO" threads "$T_TMP/tcache" 16 100)
t_check "16 threads, 100 replacements: no torn or failed answer ($r)" grep -q ' bad=0 ' <<<"$r"

# valgrind: the module's lookups leak nothing and read nothing uninitialised.
if command -v valgrind >/dev/null; then
	valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
		"$P" "$SO" pwnam u000007 >"$T_TMP/vg.out" 2>"$T_TMP/vg.err"
	t_eq "valgrind memcheck over a lookup: clean" 0 $?
	conf "$T_TMP/vcache"
	valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
		"$P" "$SO" threads "$T_TMP/vcache" 4 10 >"$T_TMP/vg2.out" 2>"$T_TMP/vg2.err"
	t_eq "valgrind memcheck over 4 threads and 10 replacements: clean" 0 $?
	grep -m5 . "$T_TMP/vg.err" "$T_TMP/vg2.err"
	conf "$T_TMP/cache"
else
	t_skip "valgrind not installed"
fi

# The TSan build of the module and probe (make tsan): lookups in 4 threads
# while the cache is replaced 20 times, and enumerations in 2 threads while
# it is replaced 10 times, with no data race reported.
if [ -x build/tsan/tests/bin/nssprobe ] && [ -f build/tsan/nss_module/libnss_scim.so.2 ]; then
	conf "$T_TMP/tscache"
	r=$(TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/bin/nssprobe \
		"$T_ROOT/build/tsan/nss_module/libnss_scim.so.2" threads "$T_TMP/tscache" 4 20 \
		2>"$T_TMP/tsan.err")
	rc=$?
	t_check "TSan over lookups in 4 threads, 20 replacements: no race ($r)" \
		bash -c "[ $rc -eq 0 ] && grep -q ' bad=0 ' <<<'$r' && ! grep -q ThreadSanitizer '$T_TMP/tsan.err'"
	grep -m10 . "$T_TMP/tsan.err"
	conf "$T_TMP/tsecache" yes
	r=$(TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/bin/nssprobe \
		"$T_ROOT/build/tsan/nss_module/libnss_scim.so.2" enumthreads "$T_TMP/tsecache" 10 \
		2>"$T_TMP/tsan2.err")
	rc=$?
	t_check "TSan over passwd and group enumerations in 2 threads, 10 replacements: no race ($r)" \
		bash -c "[ $rc -eq 0 ] && grep -q ' bad=0 ' <<<'$r' && ! grep -q ThreadSanitizer '$T_TMP/tsan2.err'"
	grep -m10 . "$T_TMP/tsan2.err"
	conf "$T_TMP/cache"
else
	t_skip "TSan build not present (make tsan)"
fi

# The ASan+UBSan build of the module (make asan), with LeakSanitizer, over
# at least 100,000 lookups in 4 threads while the cache is replaced 20 times.
if [ -x build/asan/tests/bin/nssprobe ] && [ -f build/asan/nss_module/libnss_scim.so.2 ]; then
	conf "$T_TMP/acache"
	r=$(ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
		build/asan/tests/bin/nssprobe "$T_ROOT/build/asan/nss_module/libnss_scim.so.2" \
		threads "$T_TMP/acache" 4 20 2>"$T_TMP/asan.err")
	rc=$?
	n=$(sed -n 's/^answers=\([0-9]*\).*/\1/p' <<<"$r")
	t_check "ASan+UBSan+LSan over ${n:-0} lookups in 4 threads, 20 replacements: clean ($r)" \
		test "$rc" -eq 0 -a "${n:-0}" -ge 100000
	grep -m10 . "$T_TMP/asan.err"
	conf "$T_TMP/cache"
else
	t_skip "ASan build not present (make asan)"
fi

# The module never opens the secret and never connects anywhere but the socket.
if command -v strace >/dev/null; then
	strace -f -qq -e trace=open,openat,connect -o "$T_TMP/strace" env LD_PRELOAD=libnss_wrapper.so \
		NSS_WRAPPER_PASSWD="$T_TMP/passwd" NSS_WRAPPER_GROUP="$T_TMP/group" \
		NSS_WRAPPER_MODULE_SO_PATH="$SO" NSS_WRAPPER_MODULE_FN_PREFIX=scim \
		getent passwd u000001 nosuchuser >/dev/null
	t_check "strace: the secret file is never opened (by path, nor by name through a directory fd)" \
		bash -c "! grep -qE '\"($T_TMP/)?secret\"' '$T_TMP/strace'"
	t_check "strace: no connect() except the daemon's socket" \
		bash -c "! grep 'connect(' '$T_TMP/strace' | grep -v 'no-daemon.sock' | grep -q ."
	# through its directory, so the directory checked is the one it came from
	t_check "strace: the cache was read (its directory opened, then the file in it)" \
		bash -c "grep -qE 'openat\(AT_FDCWD, \"$T_TMP\", [^)]*O_PATH' '$T_TMP/strace' &&
			grep -qE 'openat\([0-9]+, \"cache\", O_RDONLY' '$T_TMP/strace'"
else
	t_skip "strace not installed"
fi
t_done

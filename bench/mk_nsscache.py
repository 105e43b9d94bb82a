# mk_nsscache.py — writes Debian libnss-cache's passwd.cache and its sorted
# .ixname/.ixuid indexes (fixed-width lines: key, NUL padding, the entry's byte
# offset, NUL padding, newline) from a passwd file, for bench_nss.sh.
# usage: mk_nsscache.py PASSWD OUT
import sys
src, out = sys.argv[1], sys.argv[2]
data = open(src, 'rb').read()
open(out, 'wb').write(data)
byname, byuid = {}, {}
pos = 0
for line in data.split(b'\n'):
    if line:
        f = line.split(b':')
        byname[f[0]] = pos; byuid[f[2]] = pos
    pos += len(line) + 1
for ext, idx in (('.ixname', byname), ('.ixuid', byuid)):
    kl = max(len(k) for k in idx) + 1
    pl = max(len(str(v)) for v in idx.values()) + 1
    with open(out + ext, 'wb') as f:
        for k in sorted(idx):
            f.write(k + b'\0' * (kl - len(k)) + str(idx[k]).encode() + b'\0' * (pl - len(str(idx[k]))) + b'\n')

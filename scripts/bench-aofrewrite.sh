#!/usr/bin/env bash
# What BGREWRITEAOF costs the clients, Modis next to Debian's redis-server in
# the same run (the sibling of bench-bgsave.sh): both run with appendonly
# yes (appendfsync everysec, the automatic rewrite off); fill KEYS keys
# (default 1,000,000), run BGREWRITEAOF while a client PINGs in a loop, and
# report the longest PING round trip during the rewrite (the stall) and how
# long the rewrite took. Median of ROUNDS runs (default 3). Loopback only;
# each server writes into its own temporary dir.
#
#   scripts/bench-aofrewrite.sh
#   KEYS=200000 ROUNDS=5 PREAMBLE=no scripts/bench-aofrewrite.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

KEYS=${KEYS:-1000000}
ROUNDS=${ROUNDS:-3}
PREAMBLE=${PREAMBLE:-yes} # aof-use-rdb-preamble

for tool in redis-server redis-cli go python3; do
	command -v $tool >/dev/null || { echo "bench-aofrewrite: $tool missing" >&2; exit 1; }
done

tmp=$(mktemp -d)
go build -o "$tmp/server" ./cmd/server
go build -o "$tmp/bgsavestall" ./scripts/bgsavestall

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mport=$(free_port)
rport=$(free_port)
mkdir -p "$tmp/modis" "$tmp/redis"
common="appendonly yes
appendfsync everysec
auto-aof-rewrite-percentage 0
aof-use-rdb-preamble $PREAMBLE
save \"\"
loglevel warning
bind 127.0.0.1"
printf '%s\ndir %s\nport %s\n' "$common" "$tmp/modis" "$mport" >"$tmp/modis.conf"
printf '%s\ndir %s\nport %s\n' "$common" "$tmp/redis" "$rport" >"$tmp/redis.conf"
"$tmp/server" --config "$tmp/modis.conf" >"$tmp/modis.log" 2>&1 &
mpid=$!
redis-server "$tmp/redis.conf" --daemonize no >"$tmp/redis.log" 2>&1 &
rpid=$!
trap 'kill $mpid $rpid 2>/dev/null; wait $mpid $rpid 2>/dev/null; rm -rf "$tmp"' EXIT
for p in $mport $rport; do
	for _ in $(seq 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }

# measure PORT: ROUNDS rewrites, the first after filling the keys.
measure() {
	local port=$1 keys=$KEYS stalls=() took=()
	for _ in $(seq "$ROUNDS"); do
		out=$("$tmp/bgsavestall" -rewrite -addr "127.0.0.1:$port" -keys "$keys")
		keys=0
		stalls+=("$(sed -n 's/.*stall_us=\([0-9]*\).*/\1/p' <<<"$out")")
		took+=("$(sed -n 's/.*save_ms=\([0-9]*\).*/\1/p' <<<"$out")")
	done
	local all
	all=$(IFS=,; echo "${stalls[*]}")
	echo "$(printf '%s\n' "${stalls[@]}" | median) $(printf '%s\n' "${took[@]}" | median) $all"
}

read -r mstall mtook mall < <(measure "$mport")
read -r rstall rtook rall < <(measure "$rport")
echo "BGREWRITEAOF of $KEYS keys (aof-use-rdb-preamble $PREAMBLE) while a client PINGs, median of $ROUNDS runs; ratios < 1 mean Modis stalls/takes less"
echo "longest PING stall: modis ${mstall} us, redis ${rstall} us, modis/redis = $(ratio "$mstall" "$rstall") (each run: modis $mall; redis $rall)"
echo "rewrite time:       modis ${mtook} ms, redis ${rtook} ms, modis/redis = $(ratio "$mtook" "$rtook")"

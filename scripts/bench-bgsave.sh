#!/usr/bin/env bash
# What BGSAVE costs the clients, Modis next to Debian's redis-server in the
# same run: fill KEYS keys (default 1,000,000), run BGSAVE while a client
# PINGs in a loop, and report the longest PING round trip during the save
# (the stall) and how long the save took. Median of ROUNDS runs (default 3).
# Loopback only; each server writes its dump into its own temporary dir.
#
#   scripts/bench-bgsave.sh
#   KEYS=200000 ROUNDS=5 scripts/bench-bgsave.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

KEYS=${KEYS:-1000000}
ROUNDS=${ROUNDS:-3}

for tool in redis-server redis-cli go; do
	command -v $tool >/dev/null || { echo "bench-bgsave: $tool missing" >&2; exit 1; }
done

tmp=$(mktemp -d)
go build -o "$tmp/server" ./cmd/server
go build -o "$tmp/bgsavestall" ./scripts/bgsavestall

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mport=$(free_port)
rport=$(free_port)
mkdir -p "$tmp/modis" "$tmp/redis"
printf 'dir %s\n' "$tmp/modis" >"$tmp/modis.conf"
"$tmp/server" --config "$tmp/modis.conf" --port "$mport" --loglevel warning &
mpid=$!
redis-server --port "$rport" --bind 127.0.0.1 --dir "$tmp/redis" --save '' --appendonly no --daemonize no --loglevel warning >/dev/null &
rpid=$!
trap 'kill $mpid $rpid 2>/dev/null; wait $mpid $rpid 2>/dev/null; rm -rf "$tmp"' EXIT
for p in $mport $rport; do
	for _ in $(seq 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# measure PORT: ROUNDS runs, the first one fills the keys.
measure() {
	local port=$1 keys=$KEYS stalls=() saves=()
	for _ in $(seq "$ROUNDS"); do
		out=$("$tmp/bgsavestall" -addr "127.0.0.1:$port" -keys "$keys")
		keys=0
		stalls+=("$(sed -n 's/.*stall_us=\([0-9]*\).*/\1/p' <<<"$out")")
		saves+=("$(sed -n 's/.*save_ms=\([0-9]*\).*/\1/p' <<<"$out")")
	done
	echo "$(printf '%s\n' "${stalls[@]}" | median) $(printf '%s\n' "${saves[@]}" | median)"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }

read -r mstall msave < <(measure "$mport")
read -r rstall rsave < <(measure "$rport")
echo "BGSAVE of $KEYS keys while a client PINGs, median of $ROUNDS runs; ratios < 1 mean Modis stalls/saves less"
echo "longest PING stall: modis ${mstall} us, redis ${rstall} us, modis/redis = $(ratio "$mstall" "$rstall")"
echo "save time:          modis ${msave} ms, redis ${rsave} ms, modis/redis = $(ratio "$msave" "$rsave")"

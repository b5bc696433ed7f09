#!/usr/bin/env bash
# Persistence costs, Modis next to Debian's redis-server in the same run,
# printed as ratios (modis/redis; medians of ROUNDS runs, default 3: these
# machines are noisy):
#
#   1. SAVE time for KEYS keys (default 1,000,000) of mixed types: 60%
#      strings (DEBUG POPULATE, 32-byte values), 10% each hashes, lists,
#      sets and sorted sets of 5 elements (every 100th has 200), filled
#      pipelined;
#   2. load time at startup of that dump: from starting the process to the
#      first +PONG (not -LOADING);
#   3. write throughput with the AOF on: redis-benchmark -t set,lpush,incr
#      -q with appendonly yes and appendfsync everysec (-n N, default
#      200000), then appendfsync always (-n N_ALWAYS, default N; lower it
#      on a disk where fsync is slow).
#
# Loopback only; each server works in its own temporary directory. What
# BGSAVE and BGREWRITEAOF cost the clients (the longest PING stall) is
# measured by the siblings scripts/bench-bgsave.sh and
# scripts/bench-aofrewrite.sh.
#
#   scripts/bench-persist.sh
#   KEYS=200000 ROUNDS=5 N=100000 N_ALWAYS=20000 scripts/bench-persist.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

KEYS=${KEYS:-1000000}
ROUNDS=${ROUNDS:-3}
N=${N:-200000}
N_ALWAYS=${N_ALWAYS:-$N}
C=${C:-50}

for tool in redis-server redis-cli redis-benchmark go python3; do
	command -v $tool >/dev/null || { echo "bench-persist: $tool missing" >&2; exit 1; }
done

tmp=$(mktemp -d)
go build -o "$tmp/server" ./cmd/server
go build -o "$tmp/helper" ./scripts/bench-persist

# Servers are started in subshells: their pids go to a file.
cleanup() {
	if [ -f "$tmp/pids" ]; then
		while read -r p; do kill "$p" 2>/dev/null || true; done <"$tmp/pids"
	fi
	sleep 0.2
	rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }
field() { sed -n "s/.*$1=\([0-9]*\).*/\1/p"; }

# start WHICH PORT DIR EXTRA-CONFIG-LINES...: starts modis or redis with
# its data in DIR and sets $pid.
start() {
	local which=$1 port=$2 dir=$3
	shift 3
	mkdir -p "$dir"
	{
		printf 'port %s\nbind 127.0.0.1\ndir %s\nsave ""\nloglevel warning\nenable-debug-command local\n' "$port" "$dir"
		printf '%s\n' "$@"
	} >"$dir.conf"
	if [ "$which" = modis ]; then
		"$tmp/server" --config "$dir.conf" >>"$tmp/modis.log" 2>&1 &
	else
		redis-server "$dir.conf" --daemonize no >>"$tmp/redis.log" 2>&1 &
	fi
	pid=$!
	echo "$pid" >>"$tmp/pids"
}

stop() {
	local port=$1 p=$2
	redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
	kill "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}

# rdb WHICH: prints "SAVE_MS LOAD_MS" (medians).
rdb() {
	local which=$1 port dir saves=() loads=()
	port=$(free_port)
	dir=$tmp/$which-rdb
	start "$which" "$port" "$dir" "appendonly no"
	"$tmp/helper" wait -addr "127.0.0.1:$port" >/dev/null
	filled=$("$tmp/helper" fill -addr "127.0.0.1:$port" -keys "$KEYS" | field keys)
	for _ in $(seq "$ROUNDS"); do
		saves+=("$("$tmp/helper" save -addr "127.0.0.1:$port" | field save_ms)")
	done
	stop "$port" "$pid"
	for _ in $(seq "$ROUNDS"); do
		t0=$(date +%s%N)
		start "$which" "$port" "$dir" "appendonly no"
		loads+=("$("$tmp/helper" wait -addr "127.0.0.1:$port" -since "$t0" | field ready_ms)")
		got=$(redis-cli -p "$port" dbsize)
		[ "$got" = "$filled" ] || { echo "bench-persist: $which loaded $got keys, filled $filled" >&2; exit 1; }
		stop "$port" "$pid"
	done
	echo "$(printf '%s\n' "${saves[@]}" | median) $(printf '%s\n' "${loads[@]}" | median) $filled"
}

# aof WHICH FSYNC REQUESTS: prints "SET LPUSH INCR" requests per second
# (medians), the AOF on with appendfsync FSYNC.
aof() {
	local which=$1 fsync=$2 n=$3 port dir sets=() lpushes=() incrs=()
	port=$(free_port)
	dir=$tmp/$which-aof-$fsync
	start "$which" "$port" "$dir" "appendonly yes" "appendfsync $fsync"
	"$tmp/helper" wait -addr "127.0.0.1:$port" >/dev/null
	for _ in $(seq "$ROUNDS"); do
		out=$(redis-benchmark -p "$port" -c "$C" -n "$n" -r 100000 -t set,lpush,incr -q | tr '\r' '\n')
		rps() { awk -v t="$1" '$1 == t":" { for (i=1;i<=NF;i++) if ($i=="requests") print $(i-1) }' <<<"$out" | tail -1; }
		sets+=("$(rps SET)")
		lpushes+=("$(rps LPUSH)")
		incrs+=("$(rps INCR)")
	done
	stop "$port" "$pid"
	echo "$(printf '%s\n' "${sets[@]}" | median) $(printf '%s\n' "${lpushes[@]}" | median) $(printf '%s\n' "${incrs[@]}" | median)"
}

echo "bench-persist: $KEYS mixed keys, median of $ROUNDS runs; ratios are modis/redis"
read -r msave mload mkeys < <(rdb modis)
read -r rsave rload rkeys < <(rdb redis)
echo "SAVE of $mkeys keys (redis $rkeys): modis ${msave} ms, redis ${rsave} ms, modis/redis = $(ratio "$msave" "$rsave") (< 1: Modis faster)"
echo "load at startup:            modis ${mload} ms, redis ${rload} ms, modis/redis = $(ratio "$mload" "$rload") (< 1: Modis faster)"
for mode in everysec always; do
	n=$N
	[ "$mode" = always ] && n=$N_ALWAYS
	read -r mset mlpush mincr < <(aof modis "$mode" "$n")
	read -r rset rlpush rincr < <(aof redis "$mode" "$n")
	echo "appendonly yes, appendfsync $mode, redis-benchmark -n $n -c $C (rps; > 1: Modis faster):"
	echo "  SET   modis $mset, redis $rset, modis/redis = $(ratio "$mset" "$rset")"
	echo "  LPUSH modis $mlpush, redis $rlpush, modis/redis = $(ratio "$mlpush" "$rlpush")"
	echo "  INCR  modis $mincr, redis $rincr, modis/redis = $(ratio "$mincr" "$rincr")"
done

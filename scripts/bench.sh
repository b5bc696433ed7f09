#!/usr/bin/env bash
# Benchmarks Modis with redis-benchmark, side by side with Debian's
# redis-server in the same run, and prints ratios (never absolute targets):
#
#   - HSET on Modis vs EXAMPLE.HGETSET on Modis (a module command, with its two
#     in-process Calls, should cost no more than the built-in);
#   - GET, SET, HSET on Modis vs the same on redis-server;
#   - the example modules' data types: BF.ADD (plugins/bloom) and JSON.SET
#     (plugins/json) on Modis, against the nearest built-in on redis-server
#     (SADD and SET: Debian's Redis has no RedisBloom or RedisJSON) and on
#     Modis.
#
# Each measurement is repeated ROUNDS times (default 3), and the median is
# reported: these machines are shared and noisy.
#
#   scripts/bench.sh            N=200000 requests, C=50 clients, P=1 pipeline
#   N=100000 P=16 scripts/bench.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

N=${N:-200000}
C=${C:-50}
P=${P:-1}
ROUNDS=${ROUNDS:-3}

for tool in redis-benchmark redis-server redis-cli; do
	command -v $tool >/dev/null || { echo "bench: $tool missing (apt-get install redis-server redis-tools)" >&2; exit 1; }
done

scripts/build-plugins.sh plugins/example plugins/bloom plugins/json >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mport=$(free_port)
rport=$(free_port)
bin/server --port "$mport" --loglevel warning --loadmodule bin/plugins/example.so \
	--loadmodule bin/plugins/bloom.so --loadmodule bin/plugins/json.so &
mpid=$!
redis-server --port "$rport" --save '' --appendonly no --daemonize no --loglevel warning >/dev/null &
rpid=$!
trap 'kill $mpid $rpid 2>/dev/null; wait $mpid $rpid 2>/dev/null' EXIT
for p in $mport $rport; do
	for _ in $(seq 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
done

# rps PORT ARGS...: median requests per second over ROUNDS runs.
rps() {
	local port=$1
	shift
	local vals=()
	for _ in $(seq "$ROUNDS"); do
		vals+=("$(redis-benchmark -p "$port" -n "$N" -c "$C" -P "$P" -r 100000 -q "$@" | tr '\r' '\n' |
			awk '/requests per second/ { for (i=1;i<=NF;i++) if ($i=="requests") print $(i-1) }' | tail -1)")
	done
	printf '%s\n' "${vals[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a/b; else print "n/a" }'; }

echo "redis-benchmark -n $N -c $C -P $P, median of $ROUNDS runs; ratios > 1 mean Modis is faster"
hset=$(rps "$mport" hset 'h:__rand_int__' f v)
hgetset=$(rps "$mport" example.hgetset 'h:__rand_int__' f v)
echo "modis HSET            $hset rps"
echo "modis EXAMPLE.HGETSET $hgetset rps   hgetset/hset = $(ratio "$hgetset" "$hset")"
for t in get set hset; do
	case $t in
	get) args=(get 'k:__rand_int__') ;;
	set) args=(set 'k:__rand_int__' v) ;;
	hset) args=(hset 'h:__rand_int__' f v) ;;
	esac
	m=$(rps "$mport" "${args[@]}")
	r=$(rps "$rport" "${args[@]}")
	echo "$(printf '%-6s' "$t") modis $m rps, redis $r rps, modis/redis = $(ratio "$m" "$r")"
done

bfadd=$(rps "$mport" bf.add 'bf:__rand_int__' 'item:__rand_int__')
msadd=$(rps "$mport" sadd 's:__rand_int__' 'item:__rand_int__')
rsadd=$(rps "$rport" sadd 's:__rand_int__' 'item:__rand_int__')
echo "modis BF.ADD   $bfadd rps; SADD modis $msadd, redis $rsadd; BF.ADD/modis SADD = $(ratio "$bfadd" "$msadd"), BF.ADD/redis SADD = $(ratio "$bfadd" "$rsadd")"
jset=$(rps "$mport" json.set 'j:__rand_int__' '$' '{"name":"modis","id":"__rand_int__","tags":["a","b"]}')
mset=$(rps "$mport" set 'k:__rand_int__' '{"name":"modis","id":"__rand_int__","tags":["a","b"]}')
rset=$(rps "$rport" set 'k:__rand_int__' '{"name":"modis","id":"__rand_int__","tags":["a","b"]}')
echo "modis JSON.SET $jset rps; SET modis $mset, redis $rset; JSON.SET/modis SET = $(ratio "$jset" "$mset"), JSON.SET/redis SET = $(ratio "$jset" "$rset")"

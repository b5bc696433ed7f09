#!/usr/bin/env bash
# Runs the whole test suite: formatting and vet checks, the unit tests, and
# the integration tests in test/ (which build the server and plugins through
# scripts/build-plugins.sh and drive them with go-redis and redis-cli).
#
# The integration tests need redis-cli (Debian's redis-tools), redis-server
# (the compatibility suite runs every case against it too) and gcc; when they
# are missing and we are root, they are installed with apt-get.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need=()
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
# test/clients_test.go: real clients (Node's ioredis and node-redis from npm,
# Debian's redis-py) run against the server. Installed when we are root;
# elsewhere those tests skip without them (CI=1 makes them fail instead).
want=()
command -v node >/dev/null 2>&1 || want+=(nodejs)
command -v npm >/dev/null 2>&1 || want+=(npm)
dpkg -s python3-redis >/dev/null 2>&1 || want+=(python3-redis)
if [[ ${#want[@]} -gt 0 ]]; then
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
		need+=("${want[@]}")
	else
		echo "test: ${want[*]} missing: the client tests will skip" >&2
	fi
fi
if [[ ${#need[@]} -gt 0 ]]; then
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
		echo "test: installing ${need[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
	else
		echo "test: missing ${need[*]}: install Debian's redis-tools, redis-server and gcc" >&2
		exit 1
	fi
fi

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [[ -n $unformatted ]]; then
	echo "test: gofmt would change:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...
go test -count=1 "$@" ./...

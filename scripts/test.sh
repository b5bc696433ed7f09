#!/usr/bin/env bash
# Runs the whole test suite: formatting and vet checks, the unit tests, and
# the integration tests in test/ (which build the server and plugins through
# scripts/build-plugins.sh and drive them with go-redis and redis-cli).
#
# The integration tests need redis-cli (Debian's redis-tools) and gcc; when
# redis-cli is missing and we are root, it is installed with apt-get.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v redis-cli >/dev/null 2>&1; then
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
		echo "test: installing redis-tools (redis-cli)"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-tools >/dev/null
	else
		echo "test: redis-cli is missing: install Debian's redis-tools" >&2
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

#!/usr/bin/env bash
# Builds the server and the plugins with one toolchain and one flag set, so
# that the server can load every plugin (Go refuses a plugin that shares any
# package built differently from the server's).
#
#   scripts/build-plugins.sh                    the server and every plugins/*
#   scripts/build-plugins.sh plugins/example    the server and the named plugins
#
# Outputs: $OUT/server and $OUT/plugins/<name>.so (OUT defaults to bin/ in the
# repository). Every output is built into a temporary file in its directory
# and renamed into place: a running server keeps its mapping of the old file,
# which copying over it would corrupt. Then "server check-module" checks each
# plugin against the server just built.
#
# Environment:
#   OUT=dir            output root (relative paths are taken from the cwd)
#   RACE=1             add -race to every build
#   GOFLAGS_EXTRA=...  extra go build flags for every build, split into
#                      words as xargs does (quotes group):
#                      GOFLAGS_EXTRA="-tags=foo '-gcflags=all=-N -l'"
set -euo pipefail

caller_pwd=$PWD
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

out=${OUT:-bin}
case $out in
/*) ;;
*) if [[ -n ${OUT:-} ]]; then out=$caller_pwd/$out; else out=$root/$out; fi ;;
esac

# One flag set for everything. Plugins need cgo, and so does the server's
# plugin loader.
export CGO_ENABLED=1
flags=(-trimpath)
if [[ ${RACE:-0} == 1 ]]; then
	flags+=(-race)
fi
if [[ -n ${GOFLAGS_EXTRA:-} ]]; then
	mapfile -t extra < <(xargs -r printf '%s\n' <<<"$GOFLAGS_EXTRA")
	flags+=("${extra[@]}")
fi

# The plugin directories to build, as paths relative to the repository.
dirs=()
if [[ $# -gt 0 ]]; then
	for arg in "$@"; do
		if [[ $arg == /* ]]; then
			d=$arg
		elif [[ -d $caller_pwd/$arg ]]; then
			d=$caller_pwd/$arg
		else
			d=$root/$arg
		fi
		if [[ ! -d $d ]]; then
			echo "build-plugins: $arg: no such directory" >&2
			exit 2
		fi
		d=$(cd "$d" && pwd)
		case $d in
		"$root"/*) dirs+=("${d#"$root"/}") ;;
		*)
			echo "build-plugins: $arg is outside the repository $root" >&2
			exit 2
			;;
		esac
	done
else
	for d in plugins/*/; do
		[[ -d $d ]] && dirs+=("${d%/}")
	done
fi

tmp_files=()
cleanup() {
	if [[ ${#tmp_files[@]} -gt 0 ]]; then
		rm -f "${tmp_files[@]}"
	fi
}
trap cleanup EXIT

# build OUTPUT PACKAGE [go build flags...]: builds into a temporary file next
# to OUTPUT and renames it into place.
build() {
	local output=$1 pkg=$2
	shift 2
	local dir tmp
	dir=$(dirname "$output")
	mkdir -p "$dir"
	tmp=$dir/.$(basename "$output").tmp.$$
	tmp_files+=("$tmp")
	rm -f "$tmp"
	go build "${flags[@]}" "$@" -o "$tmp" "$pkg"
	mv -f "$tmp" "$output"
}

echo "build-plugins: $(go env GOVERSION) ${flags[*]}"
echo "build-plugins: server -> $out/server"
build "$out/server" ./cmd/server

for d in "${dirs[@]}"; do
	name=$(basename "$d")
	echo "build-plugins: $d -> $out/plugins/$name.so"
	build "$out/plugins/$name.so" "./$d" -buildmode=plugin
done

for d in "${dirs[@]}"; do
	name=$(basename "$d")
	echo "build-plugins: check-module $out/plugins/$name.so"
	"$out/server" check-module "$out/plugins/$name.so"
done
echo "build-plugins: ok"

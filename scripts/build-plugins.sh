#!/usr/bin/env bash
# Builds the server and the plugins with one toolchain and one flag set, so
# that the server can load every plugin (Go refuses a plugin that shares any
# package built differently from the server's).
#
#   scripts/build-plugins.sh                    the server and every plugins/*
#   scripts/build-plugins.sh plugins/example    the server and the named plugins
#   scripts/build-plugins.sh /path/to/mymod     a module outside the repository
#
# Outputs: $OUT/server and $OUT/plugins/<name>.so, <name> being the plugin
# directory's base name (OUT defaults to bin/ in the repository).
#
# A directory of this repository's module is built from the repository
# root. A directory of another Go module (outside the repository, or a
# nested module with its own go.mod) is built from that directory, with the
# same flags, in a temporary Go workspace (GOWORK) that uses both that
# module and this repository. That makes the repository a main module, so
# -trimpath names its packages "modis/sdk", as in the server's build, rather
# than "modis@v0.0.0/sdk" (a plain `replace modis => ...` dependency): with
# another name the compiler's fingerprint of modis/sdk differs from the
# server's and the server refuses the plugin. The module's own `replace
# modis => DIR` is then overridden by this repository, and its other
# dependencies are resolved together with the server's (each at least at the
# server's version). The module's go.mod and go.sum must be complete: run
# `go mod tidy` (or copy this repository's go.sum) there first. -mod=...
# is dropped from GOFLAGS for that build (a workspace allows only readonly). Every output is built into a temporary file in its directory
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

# The plugin directories to build: dirs holds, for each, a path relative to
# the repository (a package of the repository's module) or an absolute path
# (a directory of another module); names holds the outputs' base names.
dirs=()
names=()
add_dir() {
	local d=$1 name
	name=$(basename "$d")
	local n
	for n in "${names[@]}"; do
		if [[ $n == "$name" ]]; then
			echo "build-plugins: two plugin directories named $name (both would be $out/plugins/$name.so)" >&2
			exit 2
		fi
	done
	dirs+=("$d")
	names+=("$name")
}
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
		# Which module the directory belongs to decides how it is built.
		gomod=$(cd "$d" && GOWORK=off go env GOMOD)
		if [[ $gomod == "$root/go.mod" && $d == "$root"/* ]]; then
			add_dir "${d#"$root"/}"
		elif [[ -z $gomod || $gomod == /dev/null ]]; then
			echo "build-plugins: $arg is outside the repository $root and in no Go module: give it a go.mod" >&2
			echo "build-plugins: (module mymod / require modis v0.0.0 / replace modis => $root; see docs/modules.md)" >&2
			exit 2
		else
			add_dir "$d"
		fi
	done
else
	for d in plugins/*/; do
		[[ -d $d ]] && add_dir "${d%/}"
	done
fi

tmp_files=()
tmp_dirs=()
cleanup() {
	if [[ ${#tmp_files[@]} -gt 0 ]]; then
		rm -f "${tmp_files[@]}"
	fi
	if [[ ${#tmp_dirs[@]} -gt 0 ]]; then
		rm -rf "${tmp_dirs[@]}"
	fi
}
trap cleanup EXIT

# build OUTPUT PACKAGE [go build flags...]: builds into a temporary file next
# to OUTPUT and renames it into place. gocmd is the go command to run (with
# an environment and a -C directory for a module outside the repository).
gocmd=(go)
build() {
	local output=$1 pkg=$2
	shift 2
	local dir tmp
	dir=$(dirname "$output")
	mkdir -p "$dir"
	tmp=$dir/.$(basename "$output").tmp.$$
	tmp_files+=("$tmp")
	rm -f "$tmp"
	"${gocmd[@]}" build "${flags[@]}" "$@" -o "$tmp" "$pkg"
	mv -f "$tmp" "$output"
}

echo "build-plugins: $(go env GOVERSION) ${flags[*]}"
echo "build-plugins: server -> $out/server"
build "$out/server" ./cmd/server

# build_outside DIR OUTPUT: builds the plugin in DIR, a directory of another
# module, in a temporary workspace with this repository (see the top).
build_outside() {
	local dir=$1 output=$2 modroot work gover gf=() w
	modroot=$(dirname "$(cd "$dir" && GOWORK=off go env GOMOD)")
	gover=$(go env GOVERSION)
	gover=${gover%% *}
	work=$(mktemp -d "${TMPDIR:-/tmp}/build-plugins.XXXXXX")
	tmp_dirs+=("$work")
	{
		echo "go ${gover#go}"
		echo
		echo "use ("
		echo "	\"$modroot\""
		echo "	\"$root\""
		echo ")"
	} >"$work/go.work"
	for w in ${GOFLAGS:-}; do
		[[ $w == -mod=* ]] || gf+=("$w")
	done
	gocmd=(env "GOWORK=$work/go.work" "GOFLAGS=${gf[*]}" go -C "$dir")
	build "$output" . -buildmode=plugin
	gocmd=(go)
}

for i in "${!dirs[@]}"; do
	d=${dirs[$i]}
	name=${names[$i]}
	echo "build-plugins: $d -> $out/plugins/$name.so"
	if [[ $d == /* ]]; then
		build_outside "$d" "$out/plugins/$name.so"
	else
		build "$out/plugins/$name.so" "./$d" -buildmode=plugin
	fi
done

for name in "${names[@]}"; do
	echo "build-plugins: check-module $out/plugins/$name.so"
	"$out/server" check-module "$out/plugins/$name.so"
done
echo "build-plugins: ok"

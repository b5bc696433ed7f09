package loader

// Per-package link fingerprints.
//
// Verified on linux/amd64 with go1.26.8 (see cmd/link/internal/ld/symtab.go
// and runtime/plugin.go): when the linker builds a plugin, or an executable
// that links package plugin (ctxt.CanUsePlugins), it emits for every package
// P it links
//
//	go:link.pkghashbytes.P   8 bytes: P's link fingerprint (the hash the
//	                         compiler wrote into P's object file)
//	go:link.pkghash.P        a Go string header (pointer, length 8) pointing
//	                         at go:link.pkghashbytes.P
//
// Both are GLOBAL OBJECT symbols and appear in .dynsym (so they survive
// -ldflags=-s, which drops .symtab) as well as in .symtab. In an executable
// they live in .rodata (nm type R), in a plugin pkghashbytes is in .rodata and
// pkghash in .data.rel.ro (nm type D, it needs a relocation).
//
// A plugin also carries, in its moduledata, a table of (P, P's fingerprint at
// plugin link time, pointer to go:link.pkghash.P). The pointer is resolved by
// the dynamic linker, and with dlopen(RTLD_NOW|RTLD_GLOBAL) the FIRST
// definition in the global scope wins: the executable's if it links P,
// otherwise that of the first plugin loaded earlier that links P, otherwise
// the plugin's own. After dlopen, runtime.plugin_lastmoduleinit compares the
// two and fails with "plugin was built with a different version of package P".
// Checked experimentally: an executable and a plugin built from a changed
// package fails so, and so does a second plugin carrying another version of a
// package that only an earlier plugin (not the executable) links.
//
// So comparing the pkghashbytes values of the server, and of the plugins
// opened before, with the candidate's predicts exactly what the runtime will
// say. The symbol names use the package path as is (a plugin's main package
// appears under its plugin path, e.g. "modis/plugins/example", or
// "plugin/unnamed-HASH" for a plugin built from a list of .go files).

import (
	"debug/elf"
	"strings"
)

const (
	pkgHashBytesPrefix = "go:link.pkghashbytes."
	unnamedPluginPath  = "plugin/unnamed-"
)

// elfSymbols returns the file's dynamic symbols, or its static symbols when
// it has no dynamic ones.
func elfSymbols(f *elf.File) []elf.Symbol {
	if syms, err := f.DynamicSymbols(); err == nil && len(syms) > 0 {
		return syms
	}
	syms, _ := f.Symbols()
	return syms
}

// fingerprintsOf reads every go:link.pkghashbytes.* symbol of f. A file
// without them (not linked with plugin support) yields an empty map.
func fingerprintsOf(f *elf.File, syms []elf.Symbol) map[string][8]byte {
	fps := make(map[string][8]byte)
	for _, s := range syms {
		pkg, ok := strings.CutPrefix(s.Name, pkgHashBytesPrefix)
		if !ok || s.Size != 8 || elf.ST_TYPE(s.Info) != elf.STT_OBJECT {
			continue
		}
		if int(s.Section) <= 0 || int(s.Section) >= len(f.Sections) {
			continue
		}
		sec := f.Sections[s.Section]
		if sec.Type == elf.SHT_NOBITS || s.Value < sec.Addr || s.Value+8 > sec.Addr+sec.Size {
			continue
		}
		var b [8]byte
		if _, err := sec.ReadAt(b[:], int64(s.Value-sec.Addr)); err != nil {
			continue
		}
		fps[pkg] = b
	}
	return fps
}

// runtimePluginPath returns the plugin path the runtime will register the
// plugin under (moduledata.pluginpath), from the build info's main package
// path: the path itself, or, for a plugin built from .go files
// ("command-line-arguments"), the linker's "plugin/unnamed-HASH" found among
// the fingerprint symbols. It returns "" when that cannot be determined.
func runtimePluginPath(mainPath string, fps map[string][8]byte) string {
	if mainPath != "command-line-arguments" {
		return mainPath
	}
	found := ""
	for pkg := range fps {
		if strings.HasPrefix(pkg, unnamedPluginPath) {
			if found != "" {
				return ""
			}
			found = pkg
		}
	}
	return found
}

// findSymbol returns the symbol named name.
func findSymbol(syms []elf.Symbol, name string) (elf.Symbol, bool) {
	for _, s := range syms {
		if s.Name == name {
			return s, true
		}
	}
	return elf.Symbol{}, false
}

// pathToPrefix is cmd/internal/objabi.PathToPrefix: how the linker spells a
// package path in symbol names. The plugin package looks exported names up
// with dlsym(pathToPrefix(pluginpath) + "." + name).
func pathToPrefix(s string) string {
	slash := strings.LastIndex(s, "/")
	const hex = "0123456789abcdef"
	var b strings.Builder
	for r := 0; r < len(s); r++ {
		if c := s[r]; c <= ' ' || (c == '.' && r > slash) || c == '%' || c == '"' || c >= 0x7F {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xF])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Package loader is the safe front end to Go's plugin package: it decides,
// without dlopen, whether a file can be loaded into this server, and it keeps
// the registry that stops the server from asking Go's loader for something it
// cannot do.
//
// # Data flow
//
//	Self()             the server's own Settings: runtime/debug.ReadBuildInfo,
//	                   plus the per-package link fingerprints read from its own
//	                   ELF file (/proc/self/exe)
//	NewRegistry(ref)   one registry per process, holding ref
//	Registry.Open(p)   under one mutex:
//	  1. resolve p (filepath.Abs + EvalSymlinks) and hash the file;
//	     a real path seen before is answered from the registry
//	     (the cached Plugin, or "restart required");
//	  2. Preflight(p, ref): stat, ELF ET_DYN, debug/buildinfo -buildmode=plugin,
//	     Go version, GOOS/GOARCH, build settings, dependency versions, the
//	     exported OnLoad symbol, and the fingerprint of every package the
//	     plugin shares with the server or with a plugin opened earlier;
//	  3. refuse a plugin path (its main package) that another file already
//	     claimed;
//	  4. plugin.Open, recovering a panic in the plugin's package init;
//	     the outcome, failure included, is recorded for good;
//	  5. Lookup OnLoad (required) and OnUnload (optional) with exact types.
//
// Preflight is also what "server check-module PATH" runs from the shell.
//
// # Why each step
//
// plugin.Open on a C shared library or a Go c-shared library kills the process
// ("fatal error: runtime: no plugin module data"). After dlopen, Go's runtime
// refuses a plugin when any package it shares with the already loaded code was
// linked from a different build ("plugin was built with a different version of
// package X"): a different Go version, other flags (-trimpath, -race, -cover,
// -gcflags=all=...), or one changed line. The check compares link fingerprints
// that both sides export (see fingerprint.go), so Preflight reaches the same
// verdict as the runtime, before the file is mapped.
//
// Go cannot unload code and its plugin package caches by real path: a rebuilt
// file at the same path silently yields the old code, and a second Open of a
// path whose package init panicked blocks forever. Nothing that was dlopened
// is forgotten: the registry refuses such requests with "restart required".
// A preflight failure dlopens nothing, so it is not recorded and a retry
// simply preflights again.
package loader

// Package sdk is the whole contract between the Modis server and its modules.
//
// A module is a Go plugin: a package main built with
//
//	go build -buildmode=plugin -trimpath -o example.so ./plugins/example
//
// that exports an OnLoad function of exactly this type:
//
//	func OnLoad(ctx sdk.Ctx, args []sdk.String) error
//
// and optionally
//
//	func OnUnload(ctx sdk.Ctx) error
//
// The server opens the file at startup (server --loadmodule ./example.so) or at
// run time (MODULE LOAD ./example.so arg1 arg2), finds OnLoad and calls it with
// a Ctx through which the module names itself (Init) and registers commands
// (CreateCommand). The names follow the Redis Modules API: a reader of Redis's
// module documentation finds RedisModule_Init as Ctx.Init, RedisModule_Call as
// Ctx.Call, RedisModule_ReplyWithCallReply as Ctx.ReplyWithCallReply and so on.
//
// # Command handlers
//
// A handler has the type CmdFunc:
//
//	func HGetSet(ctx sdk.Ctx, argv []sdk.String) error
//
// argv[0] is the command name, as in Redis. A handler sends exactly one reply
// with the ReplyWith... methods (an array counts as one reply, its elements
// follow it). Returning a non-nil error instead sends that error to the client:
// an error text that starts with an upper-case word ("WRONGTYPE ...") is sent as
// it is, any other text gets the "ERR " prefix. A handler that returns nil
// without replying makes the server reply with an error naming the command,
// and a handler that panics is recovered: the client gets an error, the server
// log gets the stack, and the server keeps serving. Handlers run under the
// server's execution lock: a command, with every Call it makes, is atomic.
//
// # Lifetimes
//
// The String values in argv, and every CallReply, are valid only until the
// handler returns: the server may reuse their memory for the next command.
// Call String.Retain (or copy the bytes) to keep one longer. Memory is managed
// by Go's garbage collector: AutoMemory exists so that ported code reads like
// the C original, and nothing needs freeing.
//
// # The plugin build rules
//
// Go loads a plugin only when every package the plugin shares with the server
// is byte-for-byte the same build. In practice:
//
//   - Build the server and every plugin with the same Go version, the same
//     GOOS/GOARCH/GOAMD64, the same CGO_ENABLED, and the same flags: -trimpath,
//     -race, -cover, -gcflags=all=..., -asmflags, -tags. Modis's
//     scripts/build-plugins.sh does exactly that.
//   - A plugin may import only packages that the server was built with at the
//     same version (this package, the standard library), or packages the server
//     does not contain at all.
//   - A plugin must be built against exactly the server's source of this
//     package: Go fingerprints every package, and any edit to it, even a
//     comment that moves a line, makes a plugin built before it unloadable.
//     The server names the package that differs before it opens the file.
//     APIVersion numbers the contract (it goes up when the API changes).
//   - Go can never unload code: MODULE UNLOAD unregisters a module's commands,
//     but its code stays mapped until the server exits. A file rebuilt at the
//     same path cannot be loaded again without a restart; replace plugin files
//     by renaming a new file over the old one, never by copying into it.
//
// The server checks all of this before it opens a file (server check-module
// PATH runs the same check from the shell), and refuses a file that would fail
// or crash inside Go's loader with an error that names the difference.
package sdk

// APIVersion is the version of this package's contract: it goes up when the
// API changes. (A plugin is refused as soon as this package's source differs
// from the server's, whatever the version: see the build rules above.)
const APIVersion = 2

// APIVER_1 mirrors REDISMODULE_APIVER_1 for Ctx.Init, so ported code reads like
// the C original. (The underscore is the C API's name, kept on purpose.)
const APIVER_1 = 1

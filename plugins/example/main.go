// Command example is the module from "Writing Redis Modules", step by step, in
// Go: it adds EXAMPLE.HGETSET key element newvalue, which sets a hash field
// and returns the value it had before, atomically.
//
// Build it (scripts/build-plugins.sh does this with the server's own flags):
//
//	go build -buildmode=plugin -trimpath -o bin/plugins/example.so ./plugins/example
//
// and load it:
//
//	bin/server --loadmodule bin/plugins/example.so
package main

import "modis/sdk"

// HGetSetCommand is EXAMPLE.HGETSET <key> <element> <new value>.
func HGetSetCommand(ctx sdk.Ctx, argv []sdk.String) error {
	// 2. Validate the arguments: the command name and three arguments.
	if len(argv) != 4 {
		return ctx.WrongArity()
	}

	// 3. Activate AutoMemory (Go's garbage collector does the work).
	ctx.AutoMemory()

	// 4. Perform a Redis call: HGET key element.
	rep := ctx.Call("HGET", "ss", argv[1], argv[2])
	// And let's make sure it's not an error.
	if rep.Type() == sdk.ReplyError {
		return ctx.ReplyWithCallReply(rep)
	}

	// The second call: HSET key element newvalue.
	srep := ctx.Call("HSET", "sss", argv[1], argv[2], argv[3])
	if srep.Type() == sdk.ReplyError {
		return ctx.ReplyWithCallReply(srep)
	}

	// The article stops here; a module that writes must also say how its
	// write reaches the AOF (and replicas), in Redis as in Modis: an
	// in-process Call is not propagated unless asked. Propagating the
	// command itself replays it exactly.
	if err := ctx.ReplicateVerbatim(); err != nil {
		return err
	}

	// 5. Return the result: the value before we changed it.
	return ctx.ReplyWithCallReply(rep)
}

// OnLoad is the module's entry point, RedisModule_OnLoad.
func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	// 6. Register the module itself: it's called example and has a version of 1.
	if err := ctx.Init("example", 1, sdk.APIVER_1); err != nil {
		return err
	}
	// Register our command: it is a write command, with one key at argv[1].
	if err := ctx.CreateCommand("example.hgetset", HGetSetCommand, "write", 1, 1, 1); err != nil {
		return err
	}

	// Beyond the article (RedisModule_SetCommandInfo came with Redis 7.0):
	// describe the command for COMMAND DOCS (summary, complexity,
	// arguments) and COMMAND INFO (arity, key specification). The server
	// then checks the arity before the handler runs, and clients and
	// COMMAND GETKEYS learn from the key specification that the key at
	// argv[1] is read and updated.
	cmd, err := ctx.GetCommand("example.hgetset")
	if err != nil {
		return err
	}
	return cmd.SetCommandInfo(&sdk.CommandInfo{
		Summary:    "Sets the value of a hash field and returns the value it had before",
		Complexity: "O(1)",
		Since:      "1.0.0",
		Arity:      4,
		KeySpecs: []sdk.CommandKeySpec{{
			Flags:           sdk.CmdKeyRW | sdk.CmdKeyAccess | sdk.CmdKeyUpdate,
			BeginSearchType: sdk.KSpecBSIndex,
			BSIndex:         sdk.KeySpecBSIndex{Pos: 1},
			FindKeysType:    sdk.KSpecFKRange,
			FKRange:         sdk.KeySpecFKRange{LastKey: 0, KeyStep: 1},
		}},
		Args: []sdk.CommandArg{
			{Name: "key", Type: sdk.ArgTypeKey, KeySpecIndex: 0},
			{Name: "element", Type: sdk.ArgTypeString},
			{Name: "newvalue", Type: sdk.ArgTypeString},
		},
	})
}

// main is never called: a plugin's entry point is OnLoad. It is here so that
// `go build ./...` succeeds on the whole repository.
func main() {}

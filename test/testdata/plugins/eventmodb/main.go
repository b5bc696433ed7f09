// Command eventmodb is the second test module of the events family: it uses
// eventmod's shared API, Calls commands that eventmod's command filter
// rewrites (this module is not the filter's owner, so CmdFilterNoSelf does
// not spare it), and records the ModuleChange events it sees.
package main

import (
	"errors"
	"fmt"

	"modis/sdk"
)

var (
	modLog []string // ModuleChange events: "<sub>:<name>"
	dupErr string   // the error of exporting a name eventmod already exports
)

func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("eventmodb", 1, sdk.APIVER_1); err != nil {
		return err
	}
	if err := ctx.ExportSharedAPI("eventmod.add", func(a, b int) int { return a - b }); err != nil {
		dupErr = err.Error()
	} else {
		dupErr = "exporting a name another module exports succeeded"
	}
	if err := ctx.SubscribeToServerEvent(sdk.EventModuleChange, func(ctx sdk.Ctx, sub int, data any) {
		if d, ok := data.(sdk.ModuleChange); ok {
			modLog = append(modLog, fmt.Sprintf("%d:%s", sub, d.ModuleName))
		}
	}); err != nil {
		return err
	}
	for _, c := range []struct {
		name string
		fn   sdk.CmdFunc
	}{
		{"eventmodb.add", add},
		{"eventmodb.greeting", greeting},
		{"eventmodb.call", call},
		{"eventmodb.duperr", func(ctx sdk.Ctx, _ []sdk.String) error { return ctx.ReplyWithCString(dupErr) }},
		{"eventmodb.modlog", func(ctx sdk.Ctx, _ []sdk.String) error {
			ctx.ReplyWithArray(len(modLog))
			for _, l := range modLog {
				ctx.ReplyWithCString(l)
			}
			return nil
		}},
	} {
		if err := ctx.CreateCommand(c.name, c.fn, "readonly", 0, 0, 0); err != nil {
			return err
		}
	}
	return nil
}

// add A B: eventmod's shared "eventmod.add".
func add(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 {
		return ctx.WrongArity()
	}
	api, ok := ctx.GetSharedAPI("eventmod.add")
	if !ok {
		return errors.New("ERR eventmod.add is not exported")
	}
	fn, ok := api.(func(int, int) int)
	if !ok {
		return fmt.Errorf("ERR eventmod.add has type %T", api)
	}
	a, _ := argv[1].ToLongLong()
	b, _ := argv[2].ToLongLong()
	return ctx.ReplyWithLongLong(int64(fn(int(a), int(b))))
}

func greeting(ctx sdk.Ctx, argv []sdk.String) error {
	api, ok := ctx.GetSharedAPI("eventmod.greeting")
	if !ok {
		return ctx.ReplyWithNull()
	}
	if _, missing := ctx.GetSharedAPI("no.such.api"); missing {
		return errors.New("ERR a missing API was found")
	}
	return ctx.ReplyWithCString(api.(string))
}

// call CMD ARGS...: Call as this module.
func call(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 2 {
		return ctx.WrongArity()
	}
	return ctx.ReplyWithCallReply(ctx.Call(argv[1].String(), "v", argv[2:]))
}

func main() {}

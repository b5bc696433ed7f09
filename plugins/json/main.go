// Command json is an example Modis module that binds third-party Go
// libraries: a JSON document data type with RedisJSON 2's commands, built on
// github.com/tidwall/gjson (reading paths) and github.com/tidwall/sjson
// (writing them). The server itself links neither: only this plugin does.
//
//	JSON.SET key path value [NX | XX]
//	JSON.GET key [INDENT s] [NEWLINE s] [SPACE s] [path ...]
//	JSON.DEL key [path]          (alias JSON.FORGET)
//	JSON.TYPE key [path]
//	JSON.ARRAPPEND key path value [value ...]
//	JSON.NUMINCRBY key path number
//
// Paths are RedisJSON's: legacy ones (".", ".a.b[0]", "a.b") work on the
// first match and fail when there is none; JSONPaths ("$", "$.a", "$..a",
// "$.a[*]") work on every match and reply with one result per match (see
// path.go). Replies and error texts are RedisJSON 2's RESP2 ones, for both
// protocols. Values are kept in the canonical compact form RedisJSON prints
// (value.go), so JSON.GET returns what RedisJSON returns for the same input.
//
// The keys are of the module type "ReJSON-RL", encoding version 3, saved in
// RDB files as RedisJSON saves them (one string holding the document):
// files are interchangeable with RedisJSON's. Every write fires a "json.*"
// keyspace event of class 'd' (module) and is replicated verbatim (to the
// AOF); an AOF rewrite without the RDB preamble emits one JSON.SET per key.
// MEMORY USAGE reports the document's size.
//
// Build it with the server (scripts/build-plugins.sh plugins/json) and load
// it with --loadmodule bin/plugins/json.so.
package main

import (
	"errors"

	"modis/sdk"
)

// docType is the registered ReJSON-RL type.
var docType sdk.ModuleType

// The type's name and encoding version are RedisJSON's.
const (
	typeName9  = "ReJSON-RL"
	typeEncVer = 3
)

func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("ReJSON", 10000, sdk.APIVER_1); err != nil {
		return err
	}
	t, err := ctx.CreateDataType(typeName9, typeEncVer, &sdk.TypeMethods{
		RDBLoad:    rdbLoad,
		RDBSave:    func(io sdk.IO, v any) { io.SaveStringBuffer(v.(*Doc).raw) },
		AOFRewrite: func(io sdk.IO, key sdk.String, v any) { io.EmitAOF("JSON.SET", "scb", key, ".", v.(*Doc).raw) },
		MemUsage:   func(_ sdk.KeyOptCtx, v any, _ int) int { return docOverhead + cap(v.(*Doc).raw) },
		Digest: func(d sdk.Digest, v any) {
			d.AddStringBuffer(v.(*Doc).raw)
			d.EndSequence()
		},
		// Documents are never changed in place: a copy may share the bytes.
		Copy: func(_ sdk.KeyOptCtx, v any) any { return &Doc{raw: v.(*Doc).raw} },
	})
	if err != nil {
		return err
	}
	docType = t
	for _, c := range commands {
		if err := ctx.CreateCommand(c.name, c.fn, c.flags, 1, 1, 1); err != nil {
			return err
		}
		cmd, err := ctx.GetCommand(c.name)
		if err != nil {
			return err
		}
		info := c.info
		info.Since = "1.0.0"
		info.KeySpecs = []sdk.CommandKeySpec{{
			Flags:           c.keyFlags,
			BeginSearchType: sdk.KSpecBSIndex, BSIndex: sdk.KeySpecBSIndex{Pos: 1},
			FindKeysType: sdk.KSpecFKRange, FKRange: sdk.KeySpecFKRange{LastKey: 0, KeyStep: 1},
		}}
		info.Args = append([]sdk.CommandArg{{Name: "key", Type: sdk.ArgTypeKey, KeySpecIndex: 0}}, info.Args...)
		if err := cmd.SetCommandInfo(&info); err != nil {
			return err
		}
		if err := cmd.SetCommandACLCategories(c.acl); err != nil {
			return err
		}
	}
	return nil
}

// docOverhead is what a document costs besides its bytes: the Doc and the
// slice header.
const docOverhead = 32

// rdbLoad reads a document as RedisJSON saves it: encoding version 3 is one
// string; version 2 adds a count and, when it is not 0, two strings of an
// old RediSearch index, which are skipped. Version 0 (RedisJSON 1's binary
// tree) is refused.
func rdbLoad(io sdk.IO, encver int) (any, error) {
	var s []byte
	switch encver {
	case 3:
		s = io.LoadStringBuffer()
	case 2:
		s = io.LoadStringBuffer()
		if io.LoadUnsigned() > 0 {
			io.LoadStringBuffer()
			io.LoadStringBuffer()
		}
	default:
		return nil, errors.New("ReJSON-RL encoding version 0 (RedisJSON 1) is not supported")
	}
	if err := io.Err(); err != nil {
		return nil, err
	}
	raw, err := canonical(s)
	if err != nil {
		return nil, err
	}
	return &Doc{raw: raw}, nil
}

type command struct {
	name     string
	fn       sdk.CmdFunc
	flags    string
	acl      string
	keyFlags sdk.CmdKeyFlags
	info     sdk.CommandInfo
}

func pathArg(optional bool) sdk.CommandArg {
	a := sdk.CommandArg{Name: "path", Type: sdk.ArgTypeString}
	if optional {
		a.Flags = sdk.CmdArgOptional
	}
	return a
}

var commands = []command{
	{"json.set", jsonSet, "write deny-oom", "write slow", sdk.CmdKeyRW | sdk.CmdKeyUpdate, sdk.CommandInfo{
		Summary:    "Sets or updates the JSON value at a path",
		Complexity: "O(M+N) when path is evaluated to a single value where M is the size of the original value (if it exists) and N is the size of the new value",
		Arity:      -4,
		Args: []sdk.CommandArg{pathArg(false), {Name: "value", Type: sdk.ArgTypeString},
			{Name: "condition", Type: sdk.ArgTypeOneOf, Flags: sdk.CmdArgOptional, Subargs: []sdk.CommandArg{
				{Name: "nx", Type: sdk.ArgTypePureToken, Token: "NX"},
				{Name: "xx", Type: sdk.ArgTypePureToken, Token: "XX"}}}},
	}},
	{"json.get", jsonGet, "readonly", "read slow", sdk.CmdKeyRO | sdk.CmdKeyAccess, sdk.CommandInfo{
		Summary:    "Gets the value at one or more paths in JSON serialized form",
		Complexity: "O(N) when path is evaluated to a single value where N is the size of the value, O(N) when path is evaluated to multiple values, where N is the size of the key",
		Arity:      -2,
		Args: []sdk.CommandArg{
			{Name: "indent", Type: sdk.ArgTypeString, Token: "INDENT", Flags: sdk.CmdArgOptional},
			{Name: "newline", Type: sdk.ArgTypeString, Token: "NEWLINE", Flags: sdk.CmdArgOptional},
			{Name: "space", Type: sdk.ArgTypeString, Token: "SPACE", Flags: sdk.CmdArgOptional},
			{Name: "path", Type: sdk.ArgTypeString, Flags: sdk.CmdArgOptional | sdk.CmdArgMultiple}},
	}},
	{"json.del", jsonDel, "write", "write slow", sdk.CmdKeyRW | sdk.CmdKeyDelete, sdk.CommandInfo{
		Summary:    "Deletes a value",
		Complexity: "O(N) when path is evaluated to a single value where N is the size of the deleted value, O(N) when path is evaluated to multiple values, where N is the size of the key",
		Arity:      -2,
		Args:       []sdk.CommandArg{pathArg(true)},
	}},
	{"json.forget", jsonDel, "write", "write slow", sdk.CmdKeyRW | sdk.CmdKeyDelete, sdk.CommandInfo{
		Summary:    "Deletes a value",
		Complexity: "O(N) when path is evaluated to a single value where N is the size of the deleted value, O(N) when path is evaluated to multiple values, where N is the size of the key",
		Arity:      -2,
		Args:       []sdk.CommandArg{pathArg(true)},
	}},
	{"json.type", jsonTypeCmd, "readonly", "read fast", sdk.CmdKeyRO | sdk.CmdKeyAccess, sdk.CommandInfo{
		Summary:    "Returns the type of the JSON value at path",
		Complexity: "O(1) when path is evaluated to a single value, O(N) when path is evaluated to multiple values, where N is the size of the key",
		Arity:      -2,
		Args:       []sdk.CommandArg{pathArg(true)},
	}},
	{"json.arrappend", jsonArrAppend, "write deny-oom", "write slow", sdk.CmdKeyRW | sdk.CmdKeyUpdate, sdk.CommandInfo{
		Summary:    "Append one or more json values into the array at path after the last element in it.",
		Complexity: "O(1) when path is evaluated to a single value, O(N) when path is evaluated to multiple values, where N is the size of the key",
		Arity:      -4,
		Args:       []sdk.CommandArg{pathArg(false), {Name: "value", Type: sdk.ArgTypeString, Flags: sdk.CmdArgMultiple}},
	}},
	{"json.numincrby", jsonNumIncrBy, "write", "write slow", sdk.CmdKeyRW | sdk.CmdKeyUpdate, sdk.CommandInfo{
		Summary:    "Increments the numeric value at path by a value",
		Complexity: "O(1) when path is evaluated to a single value, O(N) when path is evaluated to multiple values, where N is the size of the key",
		Arity:      4,
		Args:       []sdk.CommandArg{pathArg(false), {Name: "value", Type: sdk.ArgTypeDouble}},
	}},
}

// main is never called: the server loads the plugin and calls OnLoad. It
// lets `go build ./...` build the package.
func main() {}

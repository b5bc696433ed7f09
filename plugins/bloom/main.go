// Command bloom is a Modis module: scalable Bloom filters with RedisBloom's
// BF.* commands, replies and error texts, stored as a module data type that
// persists through RDB and AOF. It is the sdk's example of a probabilistic
// data type.
//
// Build and load it like any module:
//
//	scripts/build-plugins.sh
//	bin/server --loadmodule bin/plugins/bloom.so [ERROR_RATE 0.01] [INITIAL_SIZE 100]
//
// # Commands
//
//	BF.RESERVE key error_rate capacity [EXPANSION expansion] [NONSCALING]
//
// creates an empty filter for capacity items at a false positive rate of
// error_rate (0 < error_rate < 1). When it is full, a scaling filter adds a
// sub-filter expansion times larger (2 by default) with a tighter error
// rate, so that the whole filter stays under error_rate; a NONSCALING filter
// refuses new items instead. Errors: "ERR item exists" (the key exists),
// "ERR bad error rate", "ERR (0 < error rate range < 1) ", "ERR bad
// capacity", "ERR (capacity should be larger than 0)", "ERR no expansion",
// "ERR bad expansion", "ERR expansion should be greater or equal to 1",
// "ERR Nonscaling filters cannot expand", and WRONGTYPE for a key of
// another type.
//
//	BF.ADD key item                 -> 1 if the item is new, 0 if it may exist
//	BF.MADD key item [item ...]     -> an array of those
//
// add items, creating the filter with the module's default error rate
// (0.01) and capacity (100) if the key does not exist. A full non-scaling
// filter answers "ERR non scaling filter is full" (for BF.MADD, as the last
// element of the array: the items after it are not added).
//
//	BF.EXISTS key item              -> 1 if the item may have been added, 0 if not
//	BF.MEXISTS key item [item ...]  -> an array of those
//
// answer 0 for a key that does not exist (or holds another type, as
// RedisBloom does).
//
//	BF.INFO key [CAPACITY | SIZE | FILTERS | ITEMS | EXPANSION]
//
// replies "Capacity", "Size" (bytes), "Number of filters", "Number of
// items inserted" and "Expansion rate" with their values (a map in RESP3,
// a flat array in RESP2; the expansion rate is null for a non-scaling
// filter), or the one field asked for, in an array of one. "ERR not found"
// for a key that does not exist.
//
// # Persistence
//
// The data type is "MBbloom--", encoding version 4, and its RDB encoding
// is RedisBloom's field for field (the same hashes, MurmurHash64A, and
// bit layout), so RDB files and DUMP payloads of RedisBloom's Bloom filters
// load here, and ours there. AOF: the commands replicate themselves
// (ReplicateVerbatim); a rewrite writes each filter in the RDB preamble,
// or, with aof-use-rdb-preamble no, as a RESTORE of its DUMP payload.
// MEMORY USAGE reports what BF.INFO's Size reports, plus the key. COPY is
// refused ("ERR not supported for this module key"), as with RedisBloom.
//
// # Load arguments
//
// ERROR_RATE r and INITIAL_SIZE n change the error rate and capacity of
// the filters BF.ADD and BF.MADD create, as RedisBloom's do.
package main

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"modis/sdk"
)

// The type's name and encoding version: RedisBloom's.
const (
	typeName = "MBbloom--"
	encVer   = 4
)

var (
	bfType sdk.ModuleType
	// The defaults of filters BF.ADD creates (load arguments).
	defaultErrorRate = 0.01
	defaultCapacity  = uint64(100)
)

const defaultExpansion = 2

// Errors with RedisBloom's texts.
var (
	errNotFound   = errors.New("ERR not found")
	errItemExists = errors.New("ERR item exists")
)

func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("bf", 1, sdk.APIVER_1); err != nil {
		return err
	}
	if err := parseLoadArgs(args); err != nil {
		return err
	}
	t, err := ctx.CreateDataType(typeName, encVer, &sdk.TypeMethods{
		RDBLoad: rdbLoad,
		RDBSave: rdbSave,
		MemUsage: func(_ sdk.KeyOptCtx, v any, _ int) int {
			return v.(*Chain).Bytes()
		},
		Digest: digest,
	})
	if err != nil {
		return err
	}
	bfType = t
	for _, c := range commands {
		flags := "readonly fast"
		if c.write {
			flags = "write deny-oom"
		}
		if err := ctx.CreateCommand(c.name, c.fn, flags, 1, 1, 1); err != nil {
			return err
		}
		cmd, err := ctx.GetCommand(c.name)
		if err != nil {
			return err
		}
		if err := cmd.SetCommandInfo(&c.info); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	return nil
}

// parseLoadArgs reads ERROR_RATE and INITIAL_SIZE, as RedisBloom does.
func parseLoadArgs(args []sdk.String) error {
	if len(args)%2 != 0 {
		return errors.New("Invalid number of arguments passed")
	}
	for i := 0; i < len(args); i += 2 {
		switch strings.ToLower(args[i].String()) {
		case "initial_size":
			n, err := args[i+1].ToLongLong()
			if err != nil {
				return errors.New("Invalid argument for 'INITIAL_SIZE'")
			}
			if n <= 0 {
				return errors.New("INITIAL_SIZE must be > 0")
			}
			defaultCapacity = uint64(n)
		case "error_rate":
			e, err := args[i+1].ToDouble()
			switch {
			case err != nil:
				return errors.New("Invalid argument for 'ERROR_RATE'")
			case e <= 0:
				return errors.New("ERROR_RATE must be > 0")
			case e >= 1:
				return errors.New("ERROR_RATE must be < 1")
			}
			defaultErrorRate = e
		default:
			return errors.New("Unrecognized option")
		}
	}
	return nil
}

// command is one BF command: handler, whether it writes, and its
// COMMAND INFO / COMMAND DOCS description.
type command struct {
	name  string
	fn    sdk.CmdFunc
	write bool
	info  sdk.CommandInfo
}

var (
	keyArg  = sdk.CommandArg{Name: "key", Type: sdk.ArgTypeKey}
	itemArg = sdk.CommandArg{Name: "item", Type: sdk.ArgTypeString, KeySpecIndex: -1}
	items   = sdk.CommandArg{Name: "item", Type: sdk.ArgTypeString, KeySpecIndex: -1, Flags: sdk.CmdArgMultiple}
)

// keySpec is the one key of every BF command, at argument 1.
func keySpec(flags sdk.CmdKeyFlags) []sdk.CommandKeySpec {
	return []sdk.CommandKeySpec{{Flags: flags, BeginSearchType: sdk.KSpecBSIndex, BSIndex: sdk.KeySpecBSIndex{Pos: 1},
		FindKeysType: sdk.KSpecFKRange, FKRange: sdk.KeySpecFKRange{LastKey: 0, KeyStep: 1}}}
}

var commands = []command{
	{"bf.reserve", bfReserve, true, sdk.CommandInfo{
		Summary: "Creates a new Bloom Filter", Complexity: "O(1)", Since: "1.0.0", Arity: -4,
		KeySpecs: keySpec(sdk.CmdKeyRW | sdk.CmdKeyInsert),
		Args: []sdk.CommandArg{keyArg,
			{Name: "error_rate", Type: sdk.ArgTypeDouble, KeySpecIndex: -1},
			{Name: "capacity", Type: sdk.ArgTypeInteger, KeySpecIndex: -1},
			{Name: "expansion", Type: sdk.ArgTypeInteger, KeySpecIndex: -1, Token: "EXPANSION", Flags: sdk.CmdArgOptional},
			{Name: "nonscaling", Type: sdk.ArgTypePureToken, KeySpecIndex: -1, Token: "NONSCALING", Flags: sdk.CmdArgOptional},
		}}},
	{"bf.add", bfAdd, true, sdk.CommandInfo{
		Summary: "Adds an item to a Bloom Filter", Complexity: "O(k), where k is the number of hash functions used by the last sub-filter",
		Since: "1.0.0", Arity: 3, KeySpecs: keySpec(sdk.CmdKeyRW | sdk.CmdKeyInsert), Args: []sdk.CommandArg{keyArg, itemArg}}},
	{"bf.madd", bfAdd, true, sdk.CommandInfo{
		Summary:    "Adds one or more items to a Bloom Filter. A filter will be created if it does not exist",
		Complexity: "O(k * n), where k is the number of hash functions and n is the number of items",
		Since:      "1.0.0", Arity: -3, KeySpecs: keySpec(sdk.CmdKeyRW | sdk.CmdKeyInsert), Args: []sdk.CommandArg{keyArg, items}}},
	{"bf.exists", bfExists, false, sdk.CommandInfo{
		Summary: "Checks whether an item exists in a Bloom Filter", Complexity: "O(k), where k is the number of hash functions used by the last sub-filter",
		Since: "1.0.0", Arity: 3, KeySpecs: keySpec(sdk.CmdKeyRO | sdk.CmdKeyAccess), Args: []sdk.CommandArg{keyArg, itemArg}}},
	{"bf.mexists", bfExists, false, sdk.CommandInfo{
		Summary: "Checks whether one or more items exist in a Bloom Filter", Complexity: "O(k * n), where k is the number of hash functions and n is the number of items",
		Since: "1.0.0", Arity: -3, KeySpecs: keySpec(sdk.CmdKeyRO | sdk.CmdKeyAccess), Args: []sdk.CommandArg{keyArg, items}}},
	{"bf.info", bfInfo, false, sdk.CommandInfo{
		Summary: "Returns information about a Bloom Filter", Complexity: "O(1)", Since: "1.0.0", Arity: -2,
		KeySpecs: keySpec(sdk.CmdKeyRO),
		Args: []sdk.CommandArg{keyArg, {Name: "single_value", Type: sdk.ArgTypeOneOf, KeySpecIndex: -1, Flags: sdk.CmdArgOptional,
			Subargs: []sdk.CommandArg{
				{Name: "capacity", Type: sdk.ArgTypePureToken, KeySpecIndex: -1, Token: "CAPACITY"},
				{Name: "size", Type: sdk.ArgTypePureToken, KeySpecIndex: -1, Token: "SIZE"},
				{Name: "filters", Type: sdk.ArgTypePureToken, KeySpecIndex: -1, Token: "FILTERS"},
				{Name: "items", Type: sdk.ArgTypePureToken, KeySpecIndex: -1, Token: "ITEMS"},
				{Name: "expansion", Type: sdk.ArgTypePureToken, KeySpecIndex: -1, Token: "EXPANSION"},
			}}}}},
}

// argIndex is RedisBloom's RMUtil_ArgIndex: the first argument equal to
// word, case-insensitively, or -1.
func argIndex(word string, argv []sdk.String) int {
	for i, a := range argv {
		if strings.EqualFold(a.String(), word) {
			return i
		}
	}
	return -1
}

// BF.RESERVE key error_rate capacity [EXPANSION expansion] [NONSCALING]
func bfReserve(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 4 || len(argv) > 7 {
		return ctx.WrongArity()
	}
	e, err := argv[2].ToDouble()
	if err != nil {
		return errors.New("ERR bad error rate")
	}
	if e >= 1 || e <= 0 {
		return errors.New("ERR (0 < error rate range < 1) ")
	}
	capacity, err := argv[3].ToLongLong()
	if err != nil {
		return errors.New("ERR bad capacity")
	}
	if capacity <= 0 {
		return errors.New("ERR (capacity should be larger than 0)")
	}
	nonScaling := argIndex("NONSCALING", argv) != -1
	expansion := int64(defaultExpansion)
	ex := argIndex("EXPANSION", argv)
	if ex+1 == len(argv) {
		return errors.New("ERR no expansion")
	}
	if ex != -1 {
		if nonScaling {
			return errors.New("ERR Nonscaling filters cannot expand")
		}
		if expansion, err = argv[ex+1].ToLongLong(); err != nil {
			return errors.New("ERR bad expansion")
		}
		if expansion < 1 {
			return errors.New("ERR expansion should be greater or equal to 1")
		}
	}
	key := ctx.OpenKey(argv[1], sdk.Read|sdk.Write)
	c, err := sdk.ValueAs[*Chain](key, bfType)
	if err != nil {
		return err
	}
	if c != nil {
		return errItemExists
	}
	c, err = newChain(uint64(capacity), e, uint64(expansion), nonScaling)
	if err != nil {
		return err
	}
	if err := key.ModuleTypeSetValue(bfType, c); err != nil {
		return err
	}
	ctx.ReplicateVerbatim()
	return ctx.ReplyWithSimpleString("OK")
}

// BF.ADD key item, BF.MADD key item [item ...]
func bfAdd(ctx sdk.Ctx, argv []sdk.String) error {
	multi := strings.EqualFold(argv[0].String(), "bf.madd")
	if multi && len(argv) < 3 || !multi && len(argv) != 3 {
		return ctx.WrongArity()
	}
	key := ctx.OpenKey(argv[1], sdk.Read|sdk.Write)
	c, err := sdk.ValueAs[*Chain](key, bfType)
	if err != nil {
		return err
	}
	if c == nil {
		if c, err = newChain(defaultCapacity, defaultErrorRate, defaultExpansion, false); err != nil {
			return err
		}
		if err := key.ModuleTypeSetValue(bfType, c); err != nil {
			return err
		}
	}
	if multi {
		ctx.ReplyWithArray(sdk.PostponedLen)
	}
	n := 0
	for _, it := range argv[2:] {
		n++
		added, err := c.Add(it.Bytes())
		if err != nil {
			ctx.ReplyWithError(err.Error())
			break
		}
		ctx.ReplyWithLongLong(b2i(added))
	}
	if multi {
		ctx.ReplySetArrayLength(n)
	}
	ctx.ReplicateVerbatim()
	return nil
}

// BF.EXISTS key item, BF.MEXISTS key item [item ...]
func bfExists(ctx sdk.Ctx, argv []sdk.String) error {
	multi := strings.EqualFold(argv[0].String(), "bf.mexists")
	if multi && len(argv) < 3 || !multi && len(argv) != 3 {
		return ctx.WrongArity()
	}
	// Like RedisBloom: a missing key, or one of another type, has nothing.
	c, _ := sdk.ValueAs[*Chain](ctx.OpenKey(argv[1], sdk.Read), bfType)
	if multi {
		ctx.ReplyWithArray(len(argv) - 2)
	}
	for _, it := range argv[2:] {
		ctx.ReplyWithLongLong(b2i(c != nil && c.Exists(it.Bytes())))
	}
	return nil
}

// BF.INFO key [CAPACITY | SIZE | FILTERS | ITEMS | EXPANSION]
func bfInfo(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 && len(argv) != 3 {
		return ctx.WrongArity()
	}
	c, err := sdk.ValueAs[*Chain](ctx.OpenKey(argv[1], sdk.Read), bfType)
	if err != nil {
		return err
	}
	if c == nil {
		return errNotFound
	}
	expansion := func() error {
		if g, ok := c.Expansion(); ok {
			return ctx.ReplyWithLongLong(int64(g))
		}
		return ctx.ReplyWithNull()
	}
	if len(argv) == 3 {
		var one func() error
		switch strings.ToLower(argv[2].String()) {
		case "capacity":
			one = func() error { return ctx.ReplyWithLongLong(int64(c.Capacity())) }
		case "size":
			one = func() error { return ctx.ReplyWithLongLong(int64(c.Bytes())) }
		case "filters":
			one = func() error { return ctx.ReplyWithLongLong(int64(len(c.filters))) }
		case "items":
			one = func() error { return ctx.ReplyWithLongLong(int64(c.size)) }
		case "expansion":
			one = expansion
		default:
			return errors.New("ERR Invalid information value")
		}
		ctx.ReplyWithArray(1)
		return one()
	}
	ctx.ReplyWithMap(5)
	ctx.ReplyWithSimpleString("Capacity")
	ctx.ReplyWithLongLong(int64(c.Capacity()))
	ctx.ReplyWithSimpleString("Size")
	ctx.ReplyWithLongLong(int64(c.Bytes()))
	ctx.ReplyWithSimpleString("Number of filters")
	ctx.ReplyWithLongLong(int64(len(c.filters)))
	ctx.ReplyWithSimpleString("Number of items inserted")
	ctx.ReplyWithLongLong(int64(c.size))
	ctx.ReplyWithSimpleString("Expansion rate")
	return expansion()
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// rdbSave writes a chain as RedisBloom's BFRdbSave does.
func rdbSave(io sdk.IO, v any) {
	c := v.(*Chain)
	io.SaveUnsigned(c.size)
	io.SaveUnsigned(uint64(len(c.filters)))
	io.SaveUnsigned(c.options)
	io.SaveUnsigned(c.growth)
	for _, f := range c.filters {
		io.SaveUnsigned(f.entries)
		io.SaveDouble(f.errRate)
		io.SaveUnsigned(f.hashes)
		io.SaveDouble(f.bpe)
		io.SaveUnsigned(f.bits)
		io.SaveUnsigned(f.n2)
		io.SaveStringBuffer(f.bf)
		io.SaveUnsigned(f.size)
	}
}

// rdbLoad reads a chain written by rdbSave or by RedisBloom (encoding
// versions 0 to 4), checking that it is whole and consistent: a bad value
// is an error, never a filter that would misbehave.
func rdbLoad(io sdk.IO, encver int) (any, error) {
	if encver > encVer {
		return nil, fmt.Errorf("encoding version %d is newer than this module's (%d)", encver, encVer)
	}
	c := &Chain{growth: defaultExpansion}
	c.size = io.LoadUnsigned()
	nf := io.LoadUnsigned()
	if encver >= 2 {
		c.options = io.LoadUnsigned()
	}
	if encver >= 4 {
		c.growth = io.LoadUnsigned()
	}
	if io.IsIOError() {
		return nil, io.Err()
	}
	if nf == 0 || nf > 1000 {
		return nil, fmt.Errorf("a Bloom filter of %d sub-filters", nf)
	}
	if c.options&optForce64 == 0 {
		return nil, errors.New("a Bloom filter with 32-bit hashes (RedisBloom before 2.0) is not supported")
	}
	for i := uint64(0); i < nf; i++ {
		f := &filter{}
		f.entries = io.LoadUnsigned()
		f.errRate = io.LoadDouble()
		f.hashes = io.LoadUnsigned()
		f.bpe = io.LoadDouble()
		if encver == 0 {
			f.bits = uint64(float64(f.entries) * f.bpe)
		} else {
			f.bits = io.LoadUnsigned()
			f.n2 = io.LoadUnsigned()
		}
		f.bf = io.LoadStringBuffer()
		f.size = io.LoadUnsigned()
		if io.IsIOError() {
			return nil, io.Err()
		}
		if err := f.check(); err != nil {
			return nil, fmt.Errorf("sub-filter %d: %w", i, err)
		}
		c.filters = append(c.filters, f)
	}
	return c, nil
}

// check is RedisBloom's bloom_validate_integrity, and that the bit array
// holds the bits.
func (f *filter) check() error {
	switch {
	case f.errRate <= 0 || f.errRate >= 1 || math.IsNaN(f.errRate):
		return fmt.Errorf("error rate %v out of range", f.errRate)
	case f.n2 > 63 || f.n2 != 0 && f.bits < 1<<f.n2:
		return fmt.Errorf("bad size (n2 %d, %d bits)", f.n2, f.bits)
	case f.bits == 0 || f.bits != uint64(len(f.bf))*8:
		return fmt.Errorf("%d bits in a %d-byte array", f.bits, len(f.bf))
	case f.hashes != uint64(math.Ceil(ln2*f.bpe)):
		return fmt.Errorf("%d hash functions for %v bits per entry", f.hashes, f.bpe)
	}
	return nil
}

// digest feeds DEBUG DIGEST the chain's counts and bits.
func digest(d sdk.Digest, v any) {
	c := v.(*Chain)
	d.AddLongLong(int64(c.size))
	d.AddLongLong(int64(c.growth))
	d.AddLongLong(int64(c.options))
	d.EndSequence()
	for _, f := range c.filters {
		d.AddLongLong(int64(f.entries))
		d.AddStringBuffer(f.bf)
		d.EndSequence()
	}
}

// main is never run: a plugin is opened, not executed; it lets go build ./... build
// this package.
func main() {}

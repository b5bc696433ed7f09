// Command eventmod is a test module for the sdk's events family: keyspace
// notifications and post-notification jobs, server events, INFO sections,
// GetServerInfo, command filters, the shared API (exporter side), client
// information and module users. It records what it sees and replays it
// through its commands, and panics on request so the tests can watch the
// server recover.
package main

import (
	"errors"
	"fmt"
	"strings"

	"modis/sdk"
)

var (
	ksLog     []string // keyspace events: "<typ>:<event>:<key>"
	srvLog    []string // server events (except cron and progress): "<event>:<sub>:<data>"
	cronCount int64
	progress  int64
	infoPanic bool
	filter    sdk.CommandFilter
	user      sdk.User
	userLog   []string // UserChangedFunc calls
	clientLog []string // ClientChange events: "<sub>:<id>:<addr>:<port>:<db>:<flags>"
	// removed records, per key, what the Key event saw before the key left:
	// "<value or length> <subevent> <abs expire> <checks>".
	removed = map[string]string{}
)

var keySubevents = map[int]string{
	sdk.SubeventKeyDeleted: "deleted", sdk.SubeventKeyExpired: "expired",
	sdk.SubeventKeyEvicted: "evicted", sdk.SubeventKeyOverwritten: "overwritten",
}

// onKeyRemoved reads the key a Key event is about to remove through the
// event's Key and, for comparison, a fresh OpenKey and a Call, as Redis's
// hooks test module does. checks is "ok" or what disagreed.
func onKeyRemoved(ctx sdk.Ctx, sub int, d sdk.KeyInfo) {
	k := d.Key
	name := d.Name.String()
	checks := "ok"
	fail := func(what string) {
		if checks == "ok" {
			checks = what
		}
	}
	if k.GetKeyNameFromModuleKey().String() != name || k.GetDbIdFromModuleKey() != d.DB || ctx.GetSelectedDb() != d.DB {
		fail("name-or-db")
	}
	if !errors.Is(k.DeleteKey(), sdk.ErrKeyNotWritable) {
		fail("writable")
	}
	again := ctx.OpenKey(d.Name, sdk.Read)
	if again.KeyType() != k.KeyType() || again.ValueLength() != k.ValueLength() {
		fail("reopen")
	}
	again.Close()
	sizeCmd := map[sdk.KeyType]string{sdk.KeyTypeString: "STRLEN", sdk.KeyTypeList: "LLEN",
		sdk.KeyTypeHash: "HLEN", sdk.KeyTypeSet: "SCARD", sdk.KeyTypeZSet: "ZCARD"}[k.KeyType()]
	if sizeCmd != "" {
		r := ctx.Call(sizeCmd, "s", d.Name)
		if r == nil || r.Integer() != k.ValueLength() {
			fail("call")
		}
	}
	v := fmt.Sprint(k.ValueLength())
	if k.KeyType() == sdk.KeyTypeString {
		b, err := k.StringDMA(sdk.Read)
		if err != nil {
			fail("dma")
		}
		v = string(b)
	}
	if k.KeyType() == sdk.KeyTypeEmpty {
		fail("empty")
	}
	removed[name] = fmt.Sprintf("%s %s %d %s", v, keySubevents[sub], k.GetAbsExpire(), checks)
}

func okCmd(ctx sdk.Ctx, argv []sdk.String) error { return ctx.ReplyWithSimpleString("OK") }

// removedCmd KEY: what the Key event saw for KEY (then forgets it), or an
// error if it never fired.
func removedCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	r, ok := removed[argv[1].String()]
	if !ok {
		return errors.New("ERR Key was not removed")
	}
	delete(removed, argv[1].String())
	return ctx.ReplyWithCString(r)
}

var eventNames = map[sdk.Event]string{
	sdk.EventPersistence: "persistence", sdk.EventFlushDB: "flushdb", sdk.EventLoading: "loading",
	sdk.EventClientChange: "clientchange", sdk.EventShutdown: "shutdown", sdk.EventModuleChange: "modulechange",
	sdk.EventSwapDB: "swapdb", sdk.EventConfig: "config", sdk.EventKey: "key",
	sdk.EventReplicationRoleChanged: "rolechanged", sdk.EventMasterLinkChange: "masterlink",
	sdk.EventReplicaChange: "replicachange",
}

func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("eventmod", 3, sdk.APIVER_1); err != nil {
		return err
	}
	cmds := []struct {
		name  string
		fn    sdk.CmdFunc
		flags string
	}{
		{"eventmod.kslog", logCmd(&ksLog), "readonly"},
		{"eventmod.srvlog", logCmd(&srvLog), "readonly"},
		{"eventmod.userlog", logCmd(&userLog), "readonly"},
		{"eventmod.clientlog", logCmd(&clientLog), "readonly"},
		{"eventmod.chan", chanCmd, "readonly getchannels-api"},
		{"eventmod.counts", counts, "readonly"},
		{"eventmod.notify", notify, "write"},
		{"eventmod.nke", nke, "readonly"},
		{"eventmod.publish", publish, "readonly"},
		{"eventmod.subevent", subevent, "readonly"},
		{"eventmod.serverinfo", serverInfo, "readonly"},
		{"eventmod.infopanic", func(ctx sdk.Ctx, argv []sdk.String) error {
			infoPanic = len(argv) > 1 && argv[1].String() == "on"
			return ctx.ReplyWithSimpleString("OK")
		}, "readonly"},
		{"eventmod.call", call, "write"},
		{"eventmod.unfilter", unfilter, "readonly"},
		{"eventmod.client", clientCmd, "readonly"},
		{"eventmod.setname", setName, "readonly"},
		{"eventmod.auth", auth, "readonly no-auth"},
		{"eventmod.authdefault", authDefault, "readonly"},
		{"eventmod.aclcheck", aclCheck, "readonly"},
		{"eventmod.freeuser", freeUser, "readonly"},
		{"eventmod.deauth", deauth, "readonly"},
		{"eventmod.removed", removedCmd, "readonly"},
		{"eventmod.cat", okCmd, "readonly"},   // ACL category @hash (below)
		{"eventmod.nocat", okCmd, "readonly"}, // no ACL category
	}
	for _, c := range cmds {
		if err := ctx.CreateCommand(c.name, c.fn, c.flags, 0, 0, 0); err != nil {
			return err
		}
	}
	cat, err := ctx.GetCommand("eventmod.cat")
	if err != nil {
		return err
	}
	if err := cat.SetCommandACLCategories("hash"); err != nil {
		return err
	}
	ctx.SetModuleOptions(sdk.ModuleOptionHandleIOErrors | sdk.ModuleOptionHandleReplAsyncLoad)
	types := sdk.NotifyAll | sdk.NotifyKeyMiss | sdk.NotifyNew | sdk.NotifyLoaded
	if err := ctx.SubscribeToKeyspaceEvents(types, onKeyspace); err != nil {
		return err
	}
	for ev := range eventNames {
		ev := ev
		if err := ctx.SubscribeToServerEvent(ev, func(ctx sdk.Ctx, sub int, data any) { onServerEvent(ctx, ev, sub, data) }); err != nil {
			return err
		}
	}
	if err := ctx.SubscribeToServerEvent(sdk.EventCronLoop, func(ctx sdk.Ctx, sub int, data any) {
		if d, ok := data.(sdk.CronLoop); ok && d.Hz > 0 {
			cronCount++
		}
	}); err != nil {
		return err
	}
	if err := ctx.SubscribeToServerEvent(sdk.EventLoadingProgress, func(ctx sdk.Ctx, sub int, data any) {
		progress++
	}); err != nil {
		return err
	}
	if err := ctx.SubscribeToServerEvent(sdk.Event(99), func(sdk.Ctx, int, any) {}); err == nil {
		return errors.New("SubscribeToServerEvent accepted event 99")
	}
	if err := ctx.RegisterInfoFunc(info); err != nil {
		return err
	}
	f, err := ctx.RegisterCommandFilter(commandFilter, sdk.CmdFilterNoSelf)
	if err != nil {
		return err
	}
	filter = f
	if err := ctx.ExportSharedAPI("eventmod.add", func(a, b int) int { return a + b }); err != nil {
		return err
	}
	return ctx.ExportSharedAPI("eventmod.greeting", "hello from eventmod")
}

// logCmd replies with a log's lines; with RESET it empties the log after.
func logCmd(log *[]string) sdk.CmdFunc {
	return func(ctx sdk.Ctx, argv []sdk.String) error {
		lines := *log
		if len(argv) > 1 && strings.EqualFold(argv[1].String(), "reset") {
			*log = nil
		}
		ctx.ReplyWithArray(len(lines))
		for _, l := range lines {
			ctx.ReplyWithCString(l)
		}
		return nil
	}
}

func onKeyspace(ctx sdk.Ctx, typ int, event string, key sdk.String) {
	k := key.String()
	ksLog = append(ksLog, fmt.Sprintf("%d:%s:%s", typ, event, k))
	if k == "panic:ks" {
		panic("eventmod keyspace callback panics (asked to)")
	}
	if event == "set" && strings.HasPrefix(k, "job:") {
		// Writes belong in a post-notification job, run after the SET.
		ctx.AddPostNotificationJob(func(ctx sdk.Ctx) {
			ctx.Call("INCR", "c", "jobs:"+k)
		})
	}
	if event == "set" && k == "selfset" {
		// A write from the callback itself: its "set" does not reach this
		// subscriber again (no re-entrance).
		ctx.Call("SET", "cc", "selfset", "again")
	}
}

func onServerEvent(ctx sdk.Ctx, ev sdk.Event, sub int, data any) {
	desc := "-"
	switch d := data.(type) {
	case sdk.FlushInfo:
		desc = fmt.Sprintf("db=%d,sync=%v", d.DBNum, d.Sync)
	case sdk.ClientInfo:
		desc = fmt.Sprintf("id=%d", d.ID)
		clientLog = append(clientLog, fmt.Sprintf("%d:%d:%s:%d:%d:%d", sub, d.ID, d.Addr, d.Port, d.DB, d.Flags))
	case sdk.ModuleChange:
		desc = fmt.Sprintf("%s/%d", d.ModuleName, d.ModuleVersion)
	case sdk.SwapDbInfo:
		desc = fmt.Sprintf("%d,%d", d.DBNumFirst, d.DBNumSecond)
	case sdk.ConfigChange:
		desc = strings.Join(d.ConfigNames, ",")
	case sdk.KeyInfo:
		desc = fmt.Sprintf("db=%d,key=%s", d.DB, d.Name.String())
		onKeyRemoved(ctx, sub, d)
		if d.Name.String() == "panic:key" {
			srvLog = append(srvLog, fmt.Sprintf("%s:%d:%s", eventNames[ev], sub, desc))
			panic("eventmod key event callback panics (asked to)")
		}
	case nil:
	default:
		desc = fmt.Sprintf("unexpected data %T", data)
	}
	if ev == sdk.EventShutdown {
		ctx.Log(sdk.LogWarning, "eventmod: shutdown event")
	}
	srvLog = append(srvLog, fmt.Sprintf("%s:%d:%s", eventNames[ev], sub, desc))
}

func counts(ctx sdk.Ctx, argv []sdk.String) error {
	ctx.ReplyWithArray(2)
	ctx.ReplyWithLongLong(cronCount)
	return ctx.ReplyWithLongLong(progress)
}

// notify TYPE EVENT KEY fires a keyspace event of class TYPE ("module",
// "generic", "string").
func notify(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 4 {
		return ctx.WrongArity()
	}
	classes := map[string]int{"module": sdk.NotifyModule, "generic": sdk.NotifyGeneric, "string": sdk.NotifyString}
	typ, ok := classes[argv[1].String()]
	if !ok {
		return errors.New("ERR unknown class")
	}
	if err := ctx.NotifyKeyspaceEvent(typ, argv[2].String(), argv[3]); err != nil {
		return err
	}
	return ctx.ReplyWithSimpleString("OK")
}

// publish CHANNEL MESSAGE [shard]: PublishMessage (PublishMessageShard).
func publish(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 3 {
		return ctx.WrongArity()
	}
	pub := ctx.PublishMessage
	if len(argv) > 3 {
		pub = ctx.PublishMessageShard
	}
	n, err := pub(argv[1], argv[2])
	if err != nil {
		return err
	}
	return ctx.ReplyWithLongLong(int64(n))
}

func nke(ctx sdk.Ctx, argv []sdk.String) error {
	ctx.ReplyWithArray(2)
	ctx.ReplyWithLongLong(int64(ctx.GetNotifyKeyspaceEvents()))
	return ctx.ReplyWithLongLong(int64(ctx.GetKeyspaceNotificationFlagsAll()))
}

// subevent EVENT SUB: IsSubEventSupported.
func subevent(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 {
		return ctx.WrongArity()
	}
	ev, _ := argv[1].ToLongLong()
	sub, _ := argv[2].ToLongLong()
	if ctx.IsSubEventSupported(sdk.Event(ev), int(sub)) {
		return ctx.ReplyWithLongLong(1)
	}
	return ctx.ReplyWithLongLong(0)
}

func info(ic sdk.InfoCtx, forCrashReport bool) {
	if infoPanic {
		panic("eventmod INFO callback panics (asked to)")
	}
	if ic.InfoAddSection("stats") == nil {
		ic.InfoAddFieldLongLong("keyspace_events", int64(len(ksLog)))
		ic.InfoAddFieldULongLong("big", 18446744073709551615)
		ic.InfoAddFieldDouble("ratio", 0.5)
		ic.InfoAddFieldString("owner", sdk.CreateString("tests"))
		ic.InfoBeginDictField("dict")
		ic.InfoAddFieldLongLong("a", 1)
		ic.InfoAddFieldCString("b", "two")
		ic.InfoEndDictField()
	}
	if ic.InfoAddSection("conf") == nil {
		ic.InfoAddFieldCString("mode", "test")
		ic.InfoBeginDictField("open") // ended by the next section or the end
		ic.InfoAddFieldLongLong("x", 9)
	}
}

// serverinfo SECTION FIELD: the field as a string, a signed number (or
// the error), a double (or the error).
func serverInfo(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 {
		return ctx.WrongArity()
	}
	d := ctx.GetServerInfo(argv[1].String())
	field := argv[2].String()
	ctx.ReplyWithArray(4)
	if v, ok := d.GetFieldC(field); ok {
		ctx.ReplyWithCString(v)
	} else {
		ctx.ReplyWithNull()
	}
	if n, err := d.GetFieldSigned(field); err == nil {
		ctx.ReplyWithLongLong(n)
	} else {
		ctx.ReplyWithCString(err.Error())
	}
	if f, err := d.GetFieldDouble(field); err == nil {
		ctx.ReplyWithDouble(f)
	} else {
		ctx.ReplyWithCString(err.Error())
	}
	return ctx.ReplyWithLongLong(int64(len(d.Fields())))
}

// commandFilter rewrites some commands:
//
//	FILTERED.ECHO x      -> ECHO x-filtered
//	FILTER.DEL a b c     -> ECHO c (deletes arguments, replaces the name)
//	FILTER.INSERT x      -> ECHO x (inserts ECHO before the rest, deletes the name)
//	FILTER.CLIENTID      -> ECHO <the client's id>
//	FILTER.PANIC         -> the filter panics; the command runs as sent
func commandFilter(f sdk.CommandFilterCtx) {
	name, ok := f.CommandFilterArgGet(0)
	if !ok {
		return
	}
	if _, ok := f.CommandFilterArgGet(f.CommandFilterArgsCount()); ok {
		panic("CommandFilterArgGet past the end returned an argument")
	}
	switch strings.ToLower(name.String()) {
	case "filtered.echo":
		f.CommandFilterArgReplace(0, sdk.CreateString("ECHO"))
		if arg, ok := f.CommandFilterArgGet(1); ok {
			f.CommandFilterArgReplace(1, sdk.CreateString(arg.String()+"-filtered"))
		}
	case "filter.del":
		for f.CommandFilterArgsCount() > 2 {
			f.CommandFilterArgDelete(1)
		}
		f.CommandFilterArgReplace(0, sdk.CreateString("ECHO"))
	case "filter.insert":
		f.CommandFilterArgInsert(0, sdk.CreateString("ECHO"))
		f.CommandFilterArgDelete(1)
	case "filter.clientid":
		f.CommandFilterArgReplace(0, sdk.CreateString("ECHO"))
		f.CommandFilterArgInsert(1, sdk.CreateStringFromLongLong(int64(f.CommandFilterGetClientId())))
	case "filter.panic":
		panic("eventmod filter panics (asked to)")
	}
}

// call CMD ARGS...: Call as this module (its own filter skips it:
// CmdFilterNoSelf).
func call(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 2 {
		return ctx.WrongArity()
	}
	return ctx.ReplyWithCallReply(ctx.Call(argv[1].String(), "v", argv[2:]))
}

func unfilter(ctx sdk.Ctx, argv []sdk.String) error {
	if err := ctx.UnregisterCommandFilter(filter); err != nil {
		return err
	}
	if err := ctx.UnregisterCommandFilter(filter); err == nil {
		return errors.New("ERR a second unregister succeeded")
	}
	return ctx.ReplyWithSimpleString("OK")
}

// client: what the module knows of the calling client.
func clientCmd(ctx sdk.Ctx, argv []sdk.String) error {
	id := ctx.GetClientId()
	ci, err := ctx.GetClientInfoById(id)
	if err != nil {
		return err
	}
	name, _ := ctx.GetClientNameById(id)
	uname, _ := ctx.GetClientUserNameById(id)
	cur, _ := ctx.GetCurrentUserName()
	_, errNone := ctx.GetClientInfoById(999999)
	ctx.ReplyWithArray(8)
	ctx.ReplyWithLongLong(int64(ci.ID))
	ctx.ReplyWithCString(ci.Addr)
	ctx.ReplyWithLongLong(int64(ci.Port))
	ctx.ReplyWithLongLong(int64(ci.DB))
	ctx.ReplyWithLongLong(int64(ci.Flags))
	ctx.ReplyWithCString(name)
	ctx.ReplyWithCString(uname + "/" + cur)
	if errNone == nil {
		return ctx.ReplyWithCString("no error for a missing client")
	}
	return ctx.ReplyWithCString(errNone.Error())
}

// setname ID NAME: SetClientNameById.
func setName(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 3 {
		return ctx.WrongArity()
	}
	id, _ := argv[1].ToLongLong()
	if err := ctx.SetClientNameById(uint64(id), argv[2].String()); err != nil {
		return err
	}
	return ctx.ReplyWithSimpleString("OK")
}

// auth RULES...: create the module user "modu" with the rules and
// authenticate the calling client as it. Replies with the client's ID.
func auth(ctx sdk.Ctx, argv []sdk.String) error {
	u, err := ctx.CreateModuleUser("modu")
	if err != nil {
		return err
	}
	var rules []string
	for _, a := range argv[1:] {
		rules = append(rules, a.String())
	}
	if err := ctx.SetModuleUserACLString(u, strings.Join(rules, " ")); err != nil {
		return err
	}
	user = u
	id, err := ctx.AuthenticateClientWithUser(u, func(clientID uint64) {
		userLog = append(userLog, fmt.Sprintf("changed:%d", clientID))
	})
	if err != nil {
		return err
	}
	return ctx.ReplyWithLongLong(int64(id))
}

// authdefault: AuthenticateClientWithACLUser("default"), and the error for
// any other name.
func authDefault(ctx sdk.Ctx, argv []sdk.String) error {
	_, errOther := ctx.AuthenticateClientWithACLUser("nobody", nil)
	if errOther == nil {
		return errors.New("ERR unknown ACL user accepted")
	}
	if _, err := ctx.AuthenticateClientWithACLUser("default", nil); err != nil {
		return err
	}
	return ctx.ReplyWithSimpleString("OK")
}

// aclcheck WHAT ARGS: checks with the last user made by auth ("default" if
// none): "cmd ARGS...", "key KEY read|write|both", "channel CH [pattern]",
// "describe", "log OBJECT".
func aclCheck(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) < 2 {
		return ctx.WrongArity()
	}
	u := user
	if u == nil {
		var err error
		if u, err = ctx.GetModuleUserFromUserName("default"); err != nil {
			return err
		}
	}
	var err error
	switch argv[1].String() {
	case "cmd":
		err = ctx.ACLCheckCommandPermissions(u, argv[2:])
	case "key":
		flags := map[string]int{"read": sdk.KeyPermRead, "write": sdk.KeyPermWrite, "both": 0}[argv[3].String()]
		err = ctx.ACLCheckKeyPermissions(u, argv[2], flags)
	case "channel":
		flags := 0
		if len(argv) > 3 {
			flags = sdk.ChannelPermPattern
		}
		err = ctx.ACLCheckChannelPermissions(u, argv[2], flags)
	case "describe":
		return ctx.ReplyWithCString(u.Name() + ": " + ctx.GetModuleUserACLString(u))
	case "log":
		err = ctx.ACLAddLogEntry(u, argv[2], sdk.ACLLogKey)
	case "setacl":
		err = ctx.SetModuleUserACL(u, argv[2].String())
	default:
		return errors.New("ERR unknown check")
	}
	if err != nil {
		return ctx.ReplyWithCString("denied: " + err.Error())
	}
	return ctx.ReplyWithCString("allowed")
}

func freeUser(ctx sdk.Ctx, argv []sdk.String) error {
	if user == nil {
		return errors.New("ERR no user")
	}
	if err := ctx.FreeModuleUser(user); err != nil {
		return err
	}
	if err := ctx.FreeModuleUser(user); err == nil {
		return errors.New("ERR a freed user was freed again")
	}
	user = nil
	return ctx.ReplyWithSimpleString("OK")
}

// deauth ID: DeauthenticateAndCloseClient.
func deauth(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 2 {
		return ctx.WrongArity()
	}
	id, _ := argv[1].ToLongLong()
	if err := ctx.DeauthenticateAndCloseClient(uint64(id)); err != nil {
		return err
	}
	return ctx.ReplyWithSimpleString("OK")
}

// chanFlags are eventmod.chan's channel modes.
var chanFlags = map[string]sdk.CmdChannelFlags{
	"pub": sdk.CmdChannelPublish, "sub": sdk.CmdChannelSubscribe,
	"psub": sdk.CmdChannelSubscribe | sdk.CmdChannelPattern, "ppub": sdk.CmdChannelPublish | sdk.CmdChannelPattern,
	"unsub": sdk.CmdChannelUnsubscribe, "none": 0,
}

// chan MODE CHANNEL [MODE CHANNEL ...]: a getchannels-api command. Asked
// for its channels (IsChannelsPositionRequest), it reports each CHANNEL
// with its MODE's flags (see chanFlags; "panic" panics) and tries to
// reply, which must be refused. Run, it replies with the number of
// channels.
func chanCmd(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv)%2 != 1 {
		return ctx.WrongArity()
	}
	if !ctx.IsChannelsPositionRequest() {
		if ctx.IsKeysPositionRequest() {
			panic("a keys-position request for a command without keys")
		}
		return ctx.ReplyWithLongLong(int64(len(argv) / 2))
	}
	if err := ctx.ReplyWithSimpleString("must not be sent"); err == nil {
		panic("a reply was accepted in a channels-position request")
	}
	ctx.ChannelAtPosWithFlags(0, sdk.CmdChannelPublish)   // ignored
	ctx.ChannelAtPosWithFlags(999, sdk.CmdChannelPublish) // not an argument: dropped
	for i := 1; i+1 < len(argv); i += 2 {
		mode := argv[i].String()
		if mode == "panic" {
			panic("eventmod.chan panics in a channels-position request (asked to)")
		}
		ctx.ChannelAtPosWithFlags(i+1, chanFlags[mode])
	}
	return nil
}

func main() {}

// Command audit is an example Modis module that uses events, timers and
// module configs together. It audits the keyspace:
//
//   - it subscribes to every keyspace event class ('A': generic, string,
//     list, set, hash, zset, expired, evicted, stream, module) and counts
//     the events per class and per event name;
//   - AUDIT.STATS [RESET] replies with the counts (a map in RESP3, a flat
//     array in RESP2);
//   - every audit.interval-ms milliseconds a timer writes a summary of the
//     events of the last interval to the server log ("audit summary");
//     the period is a module config, set at load time (MODULE LOADEX path
//     CONFIG audit.interval-ms 500, --audit.interval-ms 500, or an
//     "audit.interval-ms 500" line in the config file) and changed at run
//     time with CONFIG SET audit.interval-ms 500 (0 stops the summaries);
//   - INFO audit (and INFO modules, INFO everything) shows the counts in
//     the section "# audit_events";
//   - it reacts to server events: FLUSHALL (counted, logged with the number
//     of events seen before it), and shutdown (the last summary is written
//     to the log before the server exits).
//
// Build and load:
//
//	scripts/build-plugins.sh plugins/audit
//	bin/server --loadmodule bin/plugins/audit.so --audit.interval-ms 5000
//	redis-cli AUDIT.STATS
package main

import (
	"fmt"
	"sort"
	"strings"

	"modis/sdk"
)

// audit is the module's state. Every callback runs under the server's
// execution lock, so no further synchronisation is needed.
var audit struct {
	intervalMs int64            // audit.interval-ms
	timer      sdk.TimerID      // the pending summary timer (0: none)
	classes    map[string]int64 // events per class since the last RESET
	events     map[string]int64 // events per event name since the last RESET
	total      int64
	recent     map[string]int64 // events per name since the last summary
	recentN    int64
	flushAlls  int64
	summaries  int64
}

// classNames names the keyspace event classes.
var classNames = map[int]string{
	sdk.NotifyGeneric: "generic", sdk.NotifyString: "string", sdk.NotifyList: "list", sdk.NotifySet: "set",
	sdk.NotifyHash: "hash", sdk.NotifyZset: "zset", sdk.NotifyExpired: "expired", sdk.NotifyEvicted: "evicted",
	sdk.NotifyStream: "stream", sdk.NotifyModule: "module",
}

func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	if err := ctx.Init("audit", 1, sdk.APIVER_1); err != nil {
		return err
	}
	reset()
	audit.recent, audit.recentN = map[string]int64{}, 0
	if err := ctx.RegisterNumericConfig("interval-ms", 10000, sdk.ConfigDefault, 0, 3600000,
		func(string) int64 { return audit.intervalMs },
		func(_ string, v int64) error { audit.intervalMs = v; return nil },
		func(ctx sdk.Ctx) error { schedule(ctx); return nil }); err != nil {
		return err
	}
	if err := ctx.LoadConfigs(); err != nil {
		return err
	}
	if err := ctx.CreateCommand("audit.stats", stats, "readonly fast", 0, 0, 0); err != nil {
		return err
	}
	cmd, err := ctx.GetCommand("audit.stats")
	if err != nil {
		return err
	}
	if err := cmd.SetCommandInfo(&sdk.CommandInfo{
		Summary:    "Returns the keyspace event counts per class and per event; RESET also clears them",
		Complexity: "O(N) where N is the number of distinct event names seen",
		Since:      "1.0.0",
		Arity:      -1,
		Args: []sdk.CommandArg{
			{Name: "reset", Type: sdk.ArgTypePureToken, Token: "RESET", Flags: sdk.CmdArgOptional},
		},
	}); err != nil {
		return err
	}
	if err := ctx.SubscribeToKeyspaceEvents(sdk.NotifyAll, onKeyspaceEvent); err != nil {
		return err
	}
	if err := ctx.SubscribeToServerEvent(sdk.EventFlushDB, onFlush); err != nil {
		return err
	}
	if err := ctx.SubscribeToServerEvent(sdk.EventShutdown, func(ctx sdk.Ctx, _ int, _ any) {
		summarize(ctx, "shutdown")
	}); err != nil {
		return err
	}
	if err := ctx.RegisterInfoFunc(info); err != nil {
		return err
	}
	schedule(ctx)
	return nil
}

// OnUnload writes the last summary; the server stops the module's timers.
func OnUnload(ctx sdk.Ctx) error {
	summarize(ctx, "unload")
	return nil
}

func reset() {
	audit.classes = map[string]int64{}
	audit.events = map[string]int64{}
	audit.total = 0
}

func onKeyspaceEvent(ctx sdk.Ctx, typ int, event string, key sdk.String) {
	class := classNames[typ]
	if class == "" {
		class = fmt.Sprintf("class-%d", typ)
	}
	audit.classes[class]++
	audit.events[event]++
	audit.total++
	audit.recent[event]++
	audit.recentN++
}

// schedule (re)starts the summary timer with the current interval.
func schedule(ctx sdk.Ctx) {
	if audit.timer != 0 {
		ctx.StopTimer(audit.timer)
		audit.timer = 0
	}
	if audit.intervalMs <= 0 {
		return
	}
	id, err := ctx.CreateTimer(audit.intervalMs, onTimer, nil)
	if err != nil {
		ctx.Log(sdk.LogWarning, "audit: cannot start the summary timer: %v", err)
		return
	}
	audit.timer = id
}

func onTimer(ctx sdk.Ctx, _ any) {
	audit.timer = 0
	summarize(ctx, "interval")
	schedule(ctx)
}

// summarize logs the events since the last summary, if any.
func summarize(ctx sdk.Ctx, why string) {
	if audit.recentN == 0 {
		return
	}
	names := make([]string, 0, len(audit.recent))
	for name := range audit.recent {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = fmt.Sprintf("%s=%d", name, audit.recent[name])
	}
	ctx.Log(sdk.LogNotice, "audit summary (%s): %d keyspace events: %s", why, audit.recentN, strings.Join(parts, " "))
	audit.recent = map[string]int64{}
	audit.recentN = 0
	audit.summaries++
}

func onFlush(ctx sdk.Ctx, sub int, data any) {
	fi, ok := data.(sdk.FlushInfo)
	if !ok || sub != sdk.SubeventFlushDBEnd || fi.DBNum != -1 {
		return
	}
	audit.flushAlls++
	ctx.Log(sdk.LogNotice, "audit: FLUSHALL after %d keyspace events", audit.total)
}

// stats is AUDIT.STATS [RESET].
func stats(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) > 2 || len(argv) == 2 && !strings.EqualFold(argv[1].String(), "reset") {
		return ctx.WrongArity()
	}
	ctx.ReplyWithMap(7)
	ctx.ReplyWithCString("total")
	ctx.ReplyWithLongLong(audit.total)
	ctx.ReplyWithCString("classes")
	replyCounts(ctx, audit.classes)
	ctx.ReplyWithCString("events")
	replyCounts(ctx, audit.events)
	ctx.ReplyWithCString("flushall")
	ctx.ReplyWithLongLong(audit.flushAlls)
	ctx.ReplyWithCString("summaries")
	ctx.ReplyWithLongLong(audit.summaries)
	ctx.ReplyWithCString("interval-ms")
	ctx.ReplyWithLongLong(audit.intervalMs)
	ctx.ReplyWithCString("timer")
	if audit.timer != 0 {
		ctx.ReplyWithCString("on")
	} else {
		ctx.ReplyWithCString("off")
	}
	if len(argv) == 2 {
		reset()
	}
	return nil
}

// replyCounts replies with a map of name -> count, by name.
func replyCounts(ctx sdk.Ctx, m map[string]int64) {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	ctx.ReplyWithMap(len(names))
	for _, name := range names {
		ctx.ReplyWithCString(name)
		ctx.ReplyWithLongLong(m[name])
	}
}

// info adds "# audit_events" to INFO.
func info(ic sdk.InfoCtx, _ bool) {
	if ic.InfoAddSection("events") != nil {
		return
	}
	ic.InfoAddFieldLongLong("total", audit.total)
	ic.InfoAddFieldLongLong("flushall", audit.flushAlls)
	ic.InfoAddFieldLongLong("summaries", audit.summaries)
	ic.InfoAddFieldLongLong("interval_ms", audit.intervalMs)
	ic.InfoBeginDictField("classes")
	for _, name := range sortedNames(audit.classes) {
		ic.InfoAddFieldLongLong(name, audit.classes[name])
	}
	ic.InfoEndDictField()
	ic.InfoBeginDictField("events")
	for _, name := range sortedNames(audit.events) {
		ic.InfoAddFieldLongLong(name, audit.events[name])
	}
	ic.InfoEndDictField()
}

func sortedNames(m map[string]int64) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func main() {}

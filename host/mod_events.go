package host

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"modis/host/internal/keyspace"
	"modis/sdk"
)

// The module API's events family (sdk.EventAPI): keyspace notification
// subscribers, post-notification jobs, server events and the shared API.
// INFO is in mod_info.go, command filters in mod_filter.go, client
// information and ACL in mod_acl.go.
//
// Everything here runs under the execution lock. The hooks the rest of the
// server calls (hooks.go, server.go, persist*.go, loading.go, modules.go,
// cmd_keys.go, cmd_server.go) check a slice or a mask first, so with no
// module subscribed an event costs a load and a compare.

// phaseEvent is the phase of a Ctx handed to an event callback, a filter's
// owner or a post-notification job: no reply (no client waits), Call and
// keys work. Far from modctx.go's iota phases on purpose.
const phaseEvent = 100

// serverEventCount bounds sdk.Event values (EventKey is 17).
const serverEventCount = 18

// modEvents is the server's state for the events family. Its zero value is
// ready (no subscribers).
type modEvents struct {
	ksSubs []*ksSub // keyspace notification subscribers, in order
	ksMask int      // union of their classes: the fast path's check

	srv [serverEventCount][]*srvSub // server event subscribers per event

	jobs   []postJob // post-notification jobs waiting
	inJobs bool      // runPostJobs is running

	tmp []*Client // idle temporary clients for callback contexts

	shared map[string]*sharedAPI    // exported APIs by name
	using  map[*Module][]*Module    // module -> modules whose API it got
	usedBy map[*Module][]*Module    // module -> modules that got its API
	info   map[*Module]sdk.InfoFunc // INFO callbacks
	inInfo int                      // module INFO callbacks running (no recursion)

	filters []*cmdFilter // command filters, in registration order

	acl modACL // module users and the clients authenticated as them

	lastProgress time.Time // the last LoadingProgress event
}

// ksSub is one SubscribeToKeyspaceEvents.
type ksSub struct {
	mod    *Module
	types  int
	cb     sdk.NotificationFunc
	active bool // its callback runs now: events it causes do not reach it
}

// srvSub is one SubscribeToServerEvent.
type srvSub struct {
	mod    *Module
	cb     sdk.ServerEventFunc
	active bool // its callback runs now: events it causes do not reach it
}

// postJob is one AddPostNotificationJob.
type postJob struct {
	mod *Module
	db  int
	fn  func(sdk.Ctx)
}

// sharedAPI is one ExportSharedAPI.
type sharedAPI struct {
	mod *Module
	fn  any
}

// eventCtx returns a context for a callback of module m, with a temporary
// client (ID 0, authenticated) that has database db selected, as Redis's
// REDISMODULE_CTX_TEMP_CLIENT contexts. Lock held.
func (s *Server) eventCtx(m *Module, db int) *modCtx {
	ev := &s.mev
	var c *Client
	if n := len(ev.tmp); n > 0 {
		c = ev.tmp[n-1]
		ev.tmp = ev.tmp[:n-1]
	} else {
		c = newClient(s, nil, 0)
		c.authed = true
	}
	if db >= 0 && db < len(s.dbs) {
		c.db = s.dbs[db]
	}
	return &modCtx{s: s, mod: m, c: c, phase: phaseEvent}
}

// releaseEventCtx ends a callback's context: the module may keep the Ctx,
// but it is dead (phaseDone). A temporary client left in a state (MULTI,
// subscriptions, WATCH) is dropped instead of reused.
func (s *Server) releaseEventCtx(x *modCtx) {
	x.closeKeys() // keys left open close now, as after a command (mod_key.go)
	x.phase = phaseDone
	c := x.c
	if c == nil || c.multi != nil || c.subs != nil || len(c.watching) > 0 || c.track != nil || c.blocked != nil {
		return
	}
	c.db = s.dbs[0]
	if len(s.mev.tmp) < 8 {
		s.mev.tmp = append(s.mev.tmp, c)
	}
}

// modCallback runs a module callback, recovering a panic: the log gets the
// panic and its stack, module_panics_recovered counts it, and the server
// goes on. what names the callback for the log.
func (s *Server) modCallback(m *Module, what string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			s.stats.moduleRecovers++
			name := ""
			if m != nil {
				name = m.Name
			}
			s.log.Error("module callback panicked", "module", name, "callback", what,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	fn()
}

// --- keyspace notifications ---

// classBits maps the notify-keyspace-events letters the server's hooks use
// to the sdk's class bits.
var classBits = [256]int{
	NotifyGeneric: sdk.NotifyGeneric, NotifyString: sdk.NotifyString, NotifyList: sdk.NotifyList,
	NotifySet: sdk.NotifySet, NotifyHash: sdk.NotifyHash, NotifyZSet: sdk.NotifyZset,
	NotifyExpired: sdk.NotifyExpired, NotifyEvicted: sdk.NotifyEvicted, NotifyStream: sdk.NotifyStream,
	NotifyKeyMiss: sdk.NotifyKeyMiss, NotifyModule: sdk.NotifyModule, NotifyNew: sdk.NotifyNew,
	'K': sdk.NotifyKeyspace, 'E': sdk.NotifyKeyevent,
}

// classLetters lists the letters of the classes, in the order
// GetNotifyKeyspaceEvents and module-fired events try them.
const classLetters = "g$lshzxetmdn"

// notifyAll is the server's notifyKeyspaceEvent: the module subscribers of
// the class first (whatever notify-keyspace-events says, as Redis), then
// pub/sub as configured. Every keyspace event goes through here. Lock held.
func (s *Server) notifyAll(class byte, event string, key []byte, dbID int) {
	if s.mev.ksMask != 0 {
		s.modKeyspaceEvent(classBits[class], event, key, dbID)
	}
	s.notifyKeyspaceEvent(class, event, key, dbID)
}

// modKeysActive reports whether a module subscribed to the class (the
// server's guards for events only modules may want: new, keymiss).
func (s *Server) modKeysActive(class byte) bool { return s.mev.ksMask&classBits[class] != 0 }

// modKeyspaceEvent calls the subscribers of class typ. A subscriber whose
// callback is running does not see the events it causes. Lock held.
func (s *Server) modKeyspaceEvent(typ int, event string, key []byte, dbID int) {
	if s.mev.ksMask&typ == 0 {
		return
	}
	for _, sub := range s.mev.ksSubs {
		if sub.types&typ == 0 || sub.active {
			continue
		}
		sub.active = true
		x := s.eventCtx(sub.mod, dbID)
		k := sdk.StringFromBytes(key)
		s.modCallback(sub.mod, "keyspace notification", func() { sub.cb(x, typ, event, k) })
		s.releaseEventCtx(x)
		sub.active = false
	}
}

// keyLoaded is the "loaded" module keyspace event for a key read from an
// RDB file. Lock held.
func (s *Server) keyLoaded(dbID int, key []byte) {
	if s.mev.ksMask&sdk.NotifyLoaded != 0 {
		s.modKeyspaceEvent(sdk.NotifyLoaded, "loaded", key, dbID)
	}
}

// keyEvicted runs after eviction removed a key: the "evicted" keyspace
// event (the Key server event fired before the removal, keyUnlinking).
// Lock held.
func (s *Server) keyEvicted(dbID int, key []byte) {
	s.notifyAll(NotifyEvicted, "evicted", key, dbID)
}

// SubscribeToKeyspaceEvents implements sdk.EventAPI.
func (x *modCtx) SubscribeToKeyspaceEvents(types int, cb sdk.NotificationFunc) error {
	if err := x.liveCtx("SubscribeToKeyspaceEvents"); err != nil {
		return err
	}
	if cb == nil {
		return errors.New("SubscribeToKeyspaceEvents: callback is nil")
	}
	types &^= sdk.NotifyKeyspace | sdk.NotifyKeyevent
	if types == 0 {
		return errors.New("SubscribeToKeyspaceEvents: no event class in types")
	}
	ev := &x.s.mev
	ev.ksSubs = append(ev.ksSubs[:len(ev.ksSubs):len(ev.ksSubs)], &ksSub{mod: x.mod, types: types, cb: cb})
	ev.ksMask |= types
	return nil
}

// NotifyKeyspaceEvent implements sdk.EventAPI.
func (x *modCtx) NotifyKeyspaceEvent(typ int, event string, key sdk.String) error {
	if err := x.liveCtx("NotifyKeyspaceEvent"); err != nil {
		return err
	}
	typ &^= sdk.NotifyKeyspace | sdk.NotifyKeyevent
	if typ == 0 {
		return errors.New("NotifyKeyspaceEvent: no event class in typ")
	}
	s := x.s
	db := 0
	if x.c != nil {
		db = x.c.db.ID
	} else if s.modules.internal != nil {
		db = s.modules.internal.db.ID
	}
	k := key.Bytes()
	if s.mev.ksMask&typ != 0 {
		s.modKeyspaceEvent(typ, event, k, db)
	}
	// Pub/sub: the first class of typ that notify-keyspace-events enables
	// (Redis tests the whole mask against the setting at once).
	flags := s.cfg.NotifyKeyspaceEvents
	if flags == "" {
		return nil
	}
	for i := 0; i < len(classLetters); i++ {
		l := classLetters[i]
		if classBits[l]&typ != 0 && notifyEnabled(flags, l) {
			s.notifyKeyspaceEvent(l, event, k, db)
			break
		}
	}
	return nil
}

// PublishMessage implements sdk.EventAPI.
func (x *modCtx) PublishMessage(channel, message sdk.String) (int, error) {
	if err := x.liveCtx("PublishMessage"); err != nil {
		return 0, err
	}
	return x.s.publish(channel.Bytes(), message.Bytes(), false), nil
}

// PublishMessageShard implements sdk.EventAPI.
func (x *modCtx) PublishMessageShard(channel, message sdk.String) (int, error) {
	if err := x.liveCtx("PublishMessageShard"); err != nil {
		return 0, err
	}
	return x.s.publish(channel.Bytes(), message.Bytes(), true), nil
}

// notifyEnabled reports whether notify-keyspace-events flags enable class.
func notifyEnabled(flags string, class byte) bool {
	return strings.IndexByte(flags, class) >= 0 || strings.IndexByte(flags, 'A') >= 0 && strings.IndexByte("g$lshzxetd", class) >= 0
}

// GetNotifyKeyspaceEvents implements sdk.EventAPI.
func (x *modCtx) GetNotifyKeyspaceEvents() int {
	flags := x.s.cfg.NotifyKeyspaceEvents
	n := 0
	for _, l := range []byte("KE" + classLetters) {
		if notifyEnabled(flags, l) {
			n |= classBits[l]
		}
	}
	return n
}

// GetKeyspaceNotificationFlagsAll implements sdk.EventAPI.
func (x *modCtx) GetKeyspaceNotificationFlagsAll() int {
	return sdk.NotifyAll | sdk.NotifyKeyMiss | sdk.NotifyLoaded | sdk.NotifyNew
}

// AddPostNotificationJob implements sdk.EventAPI.
func (x *modCtx) AddPostNotificationJob(fn func(sdk.Ctx)) error {
	if err := x.liveCtx("AddPostNotificationJob"); err != nil {
		return err
	}
	if fn == nil {
		return errors.New("AddPostNotificationJob: job is nil")
	}
	db := 0
	if x.c != nil {
		db = x.c.db.ID
	}
	x.s.mev.jobs = append(x.s.mev.jobs, postJob{mod: x.mod, db: db, fn: fn})
	return nil
}

// runPostJobs runs the post-notification jobs waiting, and the ones they
// add, in order: after a client's command (Client.exec), after the cron's
// work, after a module loads. Lock held.
func (s *Server) runPostJobs() {
	ev := &s.mev
	if len(ev.jobs) == 0 || ev.inJobs {
		return
	}
	ev.inJobs = true
	for len(ev.jobs) > 0 {
		j := ev.jobs[0]
		ev.jobs[0] = postJob{}
		ev.jobs = ev.jobs[1:]
		x := s.eventCtx(j.mod, j.db)
		s.modCallback(j.mod, "post-notification job", func() { j.fn(x) })
		s.releaseEventCtx(x)
	}
	ev.jobs = nil
	ev.inJobs = false
}

// liveCtx refuses a context whose call has returned.
func (x *modCtx) liveCtx(what string) error {
	if x.phase == phaseDone {
		return fmt.Errorf("%s: the context is no longer valid (its call returned)", what)
	}
	if x.mod == nil || x.mod.Name == "" {
		return fmt.Errorf("%s called before Init", what)
	}
	return nil
}

// --- server events ---

// subEventCounts is how many sub-events each event has (IsSubEventSupported).
var subEventCounts = [serverEventCount]int{
	sdk.EventReplicationRoleChanged: 2, sdk.EventPersistence: 6, sdk.EventFlushDB: 2, sdk.EventLoading: 5,
	sdk.EventClientChange: 2, sdk.EventShutdown: 1, sdk.EventReplicaChange: 2, sdk.EventMasterLinkChange: 2,
	sdk.EventCronLoop: 1, sdk.EventModuleChange: 2, sdk.EventLoadingProgress: 2, sdk.EventSwapDB: 1,
	sdk.EventConfig: 1, sdk.EventKey: 4,
}

// SubscribeToServerEvent implements sdk.EventAPI.
func (x *modCtx) SubscribeToServerEvent(event sdk.Event, cb sdk.ServerEventFunc) error {
	if err := x.liveCtx("SubscribeToServerEvent"); err != nil {
		return err
	}
	if event < 0 || int(event) >= serverEventCount || subEventCounts[event] == 0 {
		return fmt.Errorf("SubscribeToServerEvent: unknown event %d", event)
	}
	ev := &x.s.mev
	old := ev.srv[event]
	next := make([]*srvSub, 0, len(old)+1)
	for _, sub := range old {
		if sub.mod != x.mod {
			next = append(next, sub)
		}
	}
	if cb != nil {
		next = append(next, &srvSub{mod: x.mod, cb: cb})
	}
	ev.srv[event] = next
	if event == sdk.EventKey {
		x.s.syncKeyHook()
	}
	return nil
}

// IsSubEventSupported implements sdk.EventAPI.
func (x *modCtx) IsSubEventSupported(event sdk.Event, sub int) bool {
	return event >= 0 && int(event) < serverEventCount && sub >= 0 && sub < subEventCounts[event]
}

// modSubscribed reports whether any module subscribed to event.
func (s *Server) modSubscribed(event sdk.Event) bool { return len(s.mev.srv[event]) > 0 }

// fireServerEvent calls every subscriber of event, in subscription order.
// A subscriber whose callback for the event is running does not see the
// events it causes (a FlushDB callback running FLUSHALL, a Key callback
// deleting the key), which would recurse without end. Lock held.
func (s *Server) fireServerEvent(event sdk.Event, sub int, data any) {
	for _, sb := range s.mev.srv[event] {
		if sb.active {
			continue
		}
		sb.active = true
		x := s.eventCtx(sb.mod, 0)
		s.modCallback(sb.mod, fmt.Sprintf("server event %d", event), func() { sb.cb(x, sub, data) })
		s.releaseEventCtx(x)
		sb.active = false
	}
}

// evFlush fires FlushDB for db (nil: every database). Lock held.
func (s *Server) evFlush(db *keyspace.DB, sub int) {
	if !s.modSubscribed(sdk.EventFlushDB) {
		return
	}
	n := -1
	if db != nil {
		n = db.ID
	}
	s.fireServerEvent(sdk.EventFlushDB, sub, sdk.FlushInfo{Sync: true, DBNum: n})
}

// flushDone runs after FLUSHDB (db) or FLUSHALL (db nil) emptied the
// databases: the FlushDB end event. (flushed, before, fires the start.)
// Lock held.
func (s *Server) flushDone(db *keyspace.DB) { s.evFlush(db, sdk.SubeventFlushDBEnd) }

// The Key event (Redis 7.2's moduleNotifyKeyUnlink) fires from the
// keyspace itself, BEFORE an entry leaves its database: the keyspace's
// OnUnlink hook is installed only while some module subscribes to the
// event (syncKeyHook), so without one a removal costs a nil compare.
// Deleted: Delete (DEL, a command emptying a container, RENAME's and
// MOVE's source, the key RENAME, RESTORE REPLACE and COPY REPLACE delete
// before adding theirs, as Redis); expired: lazy or active expiry;
// evicted: Evict; overwritten: Set replacing a stored entry by another (SET
// and the *STORE commands over an existing key, as Redis's setKey), not
// the in-place changes (INCR, APPEND, ...).

// unlinkSubevents maps the keyspace's reasons to the Key sub-events.
var unlinkSubevents = [...]int{
	keyspace.UnlinkDeleted: sdk.SubeventKeyDeleted, keyspace.UnlinkExpired: sdk.SubeventKeyExpired,
	keyspace.UnlinkEvicted: sdk.SubeventKeyEvicted, keyspace.UnlinkOverwritten: sdk.SubeventKeyOverwritten,
}

// syncKeyHook installs the keyspace's OnUnlink hook while a module
// subscribes to the Key event, and removes it when none does. Lock held.
func (s *Server) syncKeyHook() {
	if len(s.mev.srv[sdk.EventKey]) > 0 {
		keyspace.SetOnUnlink(s.dbs, s.keyUnlinking)
	} else {
		keyspace.SetOnUnlink(s.dbs, nil)
	}
}

// keyUnlinking is the keyspace's OnUnlink: the Key event for e, still
// stored in db. Each callback's context has db selected and gets a Key
// opened read-only on e (as Redis's moduleInitKey in READ mode), closed
// when the callback returns; lazy expiry is off meanwhile (the keyspace's
// Unlinking), so an expiring key reads as live. Lock held.
func (s *Server) keyUnlinking(db *keyspace.DB, e *keyspace.Entry, why keyspace.Unlink) {
	sub := sdk.SubeventKeyDeleted
	if int(why) < len(unlinkSubevents) {
		sub = unlinkSubevents[why]
	}
	name := e.Key()
	for _, sb := range s.mev.srv[sdk.EventKey] {
		if sb.active {
			continue
		}
		sb.active = true
		x := s.eventCtx(sb.mod, db.ID)
		k := &modKey{x: x, c: x.c, db: db, name: []byte(name), mode: sdk.Read}
		x.keys = append(x.keys, k)
		info := sdk.KeyInfo{DB: db.ID, Name: sdk.StringFromBytes(k.name), Key: k}
		s.modCallback(sb.mod, "Key event", func() { sb.cb(x, sub, info) })
		s.releaseEventCtx(x)
		sb.active = false
	}
}

// clientInfo describes c for the sdk.
func clientInfo(c *Client) sdk.ClientInfo {
	ci := sdk.ClientInfo{ID: uint64(c.ID), DB: c.db.ID}
	if c.addr != "" {
		host, port := splitHostPort(c.addr)
		ci.Addr, ci.Port = host, port
	}
	if c.subs.count() > 0 || c.subs != nil && len(c.subs.shards) > 0 {
		ci.Flags |= sdk.ClientInfoFlagPubSub
	}
	if c.blocked != nil {
		ci.Flags |= sdk.ClientInfoFlagBlocked
	}
	if c.track != nil {
		ci.Flags |= sdk.ClientInfoFlagTracking
	}
	if c.multi != nil {
		ci.Flags |= sdk.ClientInfoFlagMulti
	}
	return ci
}

// splitHostPort splits "ip:port" ("[v6]:port") without failing.
func splitHostPort(addr string) (string, int) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return addr, 0
	}
	port := 0
	for _, ch := range addr[i+1:] {
		if ch < '0' || ch > '9' {
			return addr, 0
		}
		port = port*10 + int(ch-'0')
	}
	return strings.Trim(addr[:i], "[]"), port
}

// clientConnected fires ClientChange for a new connection. Lock held.
func (s *Server) clientConnected(c *Client) {
	if s.modSubscribed(sdk.EventClientChange) {
		s.fireServerEvent(sdk.EventClientChange, sdk.SubeventClientChangeConnected, clientInfo(c))
	}
}

// clientGone runs first when a connection's client is dropped (once: it
// must still be in the client list): ClientChange disconnected, and a
// module user's UserChangedFunc. Lock held.
func (s *Server) clientGone(c *Client) {
	if s.clients[c.ID] != c {
		return
	}
	if c.conn != nil && s.modSubscribed(sdk.EventClientChange) {
		s.fireServerEvent(sdk.EventClientChange, sdk.SubeventClientChangeDisconnected, clientInfo(c))
	}
	if s.mev.acl.authed != nil {
		s.aclForgetClient(c)
	}
}

// evShutdown fires Shutdown: the server is about to exit. Lock held.
func (s *Server) evShutdown() {
	if s.modSubscribed(sdk.EventShutdown) {
		s.fireServerEvent(sdk.EventShutdown, 0, nil)
	}
}

// modCron runs at the end of each cron tick: the CronLoop event, then the
// post-notification jobs the tick's expiries and evictions added. Lock
// held.
func (s *Server) modCron() {
	if s.modSubscribed(sdk.EventCronLoop) {
		s.fireServerEvent(sdk.EventCronLoop, 0, sdk.CronLoop{Hz: s.cfg.Hz})
	}
	s.runPostJobs()
}

// evSwapDB fires SwapDB. Lock held.
func (s *Server) evSwapDB(a, b int) {
	if s.modSubscribed(sdk.EventSwapDB) {
		s.fireServerEvent(sdk.EventSwapDB, 0, sdk.SwapDbInfo{DBNumFirst: a, DBNumSecond: b})
	}
}

// evConfigChanged fires Config for a successful CONFIG SET: args is the
// command line (CONFIG SET name value ...). Names are reported as the
// parameter table spells them (aliases resolved), else lower-cased. Lock
// held.
func (s *Server) evConfigChanged(args [][]byte) {
	if !s.modSubscribed(sdk.EventConfig) {
		return
	}
	var names []string
	for i := 2; i+1 < len(args); i += 2 {
		name := strings.ToLower(string(args[i]))
		if p := findParam(name); p != nil && p.name != "" {
			name = p.name
		}
		names = append(names, name)
	}
	s.fireServerEvent(sdk.EventConfig, sdk.SubeventConfigChange, sdk.ConfigChange{ConfigNames: names})
}

// evPersistence fires Persistence. Lock held.
func (s *Server) evPersistence(sub int) {
	if s.modSubscribed(sdk.EventPersistence) {
		s.fireServerEvent(sdk.EventPersistence, sub, nil)
	}
}

// evPersistenceBgStart fires Persistence RDB_START for BGSAVE. Lock held.
func (s *Server) evPersistenceBgStart() { s.evPersistence(sdk.SubeventPersistenceRDBStart) }

// evPersistenceDone fires Persistence ENDED or FAILED. Lock held.
func (s *Server) evPersistenceDone(ok bool) {
	if ok {
		s.evPersistence(sdk.SubeventPersistenceEnded)
	} else {
		s.evPersistence(sdk.SubeventPersistenceFailed)
	}
}

// saveRDB is SAVE's synchronous save with the Persistence events around
// it (SYNC_RDB_START, then ENDED or FAILED). Lock held.
func (s *Server) saveRDB() error {
	s.evPersistence(sdk.SubeventPersistenceSyncRDBStart)
	err := s.saveRDBFile()
	s.evPersistenceDone(err == nil)
	return err
}

// evLoading fires Loading. Lock held.
func (s *Server) evLoading(sub int) {
	if s.modSubscribed(sdk.EventLoading) {
		s.fireServerEvent(sdk.EventLoading, sub, nil)
	}
}

// evLoadingRDBStart fires Loading RDB_START (loadRDB). Lock held.
func (s *Server) evLoadingRDBStart() { s.evLoading(sdk.SubeventLoadingRDBStart) }

// evLoadingDone fires Loading ENDED, or FAILED for err. Lock held.
func (s *Server) evLoadingDone(err error) {
	if err == nil {
		s.evLoading(sdk.SubeventLoadingEnded)
	} else {
		s.evLoading(sdk.SubeventLoadingFailed)
	}
}

// loadDataEvents is loadData with the Loading events of an AOF load around
// it (an RDB load fires its own, in loadRDB). Lock held.
func (s *Server) loadDataEvents() error {
	if !s.cfg.aofEnabled() {
		return s.loadData()
	}
	s.evLoading(sdk.SubeventLoadingAOFStart)
	err := s.loadData()
	s.evLoadingDone(err)
	return err
}

// evLoadingProgress fires LoadingProgress at most hz times a second; the
// loader calls it every chunk of keys. Lock held.
func (s *Server) evLoadingProgress() {
	if !s.modSubscribed(sdk.EventLoadingProgress) {
		return
	}
	hz := s.cfg.Hz
	if hz <= 0 {
		hz = 10
	}
	now := time.Now()
	if now.Sub(s.mev.lastProgress) < time.Second/time.Duration(hz) {
		return
	}
	s.mev.lastProgress = now
	l := &s.load
	progress := -1
	if l.total > 0 {
		progress = int(l.loaded() << 10 / l.total)
	}
	sub := sdk.SubeventLoadingProgressRDB
	if l.cmds > 0 {
		sub = sdk.SubeventLoadingProgressAOF
	}
	s.fireServerEvent(sdk.EventLoadingProgress, sub, sdk.LoadingProgress{Hz: hz, Progress: progress})
}

// --- module lifecycle ---

// modLoaded runs after a module loaded: ModuleChange (the new module's
// own subscription sees it too, as in Redis) and the jobs its OnLoad
// added. Lock held.
func (s *Server) modLoaded(m *Module) {
	if s.modSubscribed(sdk.EventModuleChange) {
		s.fireServerEvent(sdk.EventModuleChange, sdk.SubeventModuleLoaded, sdk.ModuleChange{ModuleName: m.Name, ModuleVersion: m.Version})
	}
	s.runPostJobs()
}

// modUnloadCheck refuses to unload a module whose shared API another
// loaded module uses, with Redis's text. Lock held.
func (s *Server) modUnloadCheck(m *Module) error {
	if len(s.mev.usedBy[m]) > 0 {
		return errors.New("ERR Error unloading module: the module exports APIs used by other modules. Please unload them first and try again")
	}
	return nil
}

// modUnloaded runs after a module was unloaded (its registrations already
// forgotten): ModuleChange to the other modules. Lock held.
func (s *Server) modUnloaded(m *Module) {
	if s.modSubscribed(sdk.EventModuleChange) {
		s.fireServerEvent(sdk.EventModuleChange, sdk.SubeventModuleUnloaded, sdk.ModuleChange{ModuleName: m.Name, ModuleVersion: m.Version})
	}
}

// modForget removes everything of this family module m registered: its
// subscriptions, jobs, INFO callback, filters, shared APIs and the
// "using" relations, as Redis's moduleUnload does. It runs when a module
// is unloaded and when its OnLoad failed. Lock held.
func (s *Server) modForget(m *Module) {
	ev := &s.mev
	var subs []*ksSub
	mask := 0
	for _, sub := range ev.ksSubs {
		if sub.mod != m {
			subs = append(subs, sub)
			mask |= sub.types
		}
	}
	ev.ksSubs, ev.ksMask = subs, mask
	for i := range ev.srv {
		var keep []*srvSub
		for _, sub := range ev.srv[i] {
			if sub.mod != m {
				keep = append(keep, sub)
			}
		}
		ev.srv[i] = keep
	}
	s.syncKeyHook()
	var jobs []postJob
	for _, j := range ev.jobs {
		if j.mod != m {
			jobs = append(jobs, j)
		}
	}
	ev.jobs = jobs
	delete(ev.info, m)
	var fs []*cmdFilter
	for _, f := range ev.filters {
		if f.mod != m {
			fs = append(fs, f)
		}
	}
	ev.filters = fs
	for name, api := range ev.shared {
		if api.mod == m {
			delete(ev.shared, name)
		}
	}
	for _, exporter := range ev.using[m] {
		ev.usedBy[exporter] = removeModule(ev.usedBy[exporter], m)
		if len(ev.usedBy[exporter]) == 0 {
			delete(ev.usedBy, exporter)
		}
	}
	delete(ev.using, m)
}

func removeModule(list []*Module, m *Module) []*Module {
	var out []*Module
	for _, x := range list {
		if x != m {
			out = append(out, x)
		}
	}
	return out
}

// --- shared API ---

// ExportSharedAPI implements sdk.EventAPI.
func (x *modCtx) ExportSharedAPI(name string, fn any) error {
	if err := x.liveCtx("ExportSharedAPI"); err != nil {
		return err
	}
	if name == "" {
		return errors.New("ExportSharedAPI: empty name")
	}
	if fn == nil {
		return fmt.Errorf("ExportSharedAPI %q: value is nil", name)
	}
	ev := &x.s.mev
	if old, ok := ev.shared[name]; ok {
		return fmt.Errorf("ExportSharedAPI %q: already exported by module %q", name, old.mod.Name)
	}
	if ev.shared == nil {
		ev.shared = map[string]*sharedAPI{}
	}
	ev.shared[name] = &sharedAPI{mod: x.mod, fn: fn}
	return nil
}

// GetSharedAPI implements sdk.EventAPI.
func (x *modCtx) GetSharedAPI(name string) (any, bool) {
	if x.liveCtx("GetSharedAPI") != nil {
		return nil, false
	}
	ev := &x.s.mev
	api, ok := ev.shared[name]
	if !ok {
		return nil, false
	}
	if api.mod != x.mod {
		already := false
		for _, u := range ev.usedBy[api.mod] {
			if u == x.mod {
				already = true
			}
		}
		if !already {
			if ev.usedBy == nil {
				ev.usedBy, ev.using = map[*Module][]*Module{}, map[*Module][]*Module{}
			}
			ev.usedBy[api.mod] = append(ev.usedBy[api.mod], x.mod)
			ev.using[x.mod] = append(ev.using[x.mod], api.mod)
		}
	}
	return api.fn, true
}

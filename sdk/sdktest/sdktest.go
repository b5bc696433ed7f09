// Package sdktest runs a module's OnLoad against a real Modis server inside
// the test's own process: no plugin file, no network. Commands go through
// the server's real dispatcher, command table, reply writer and
// persistence, exactly as a client's would, so a module's tests run with
// plain `go test`, and with -race and -cover:
//
//	func TestHGetSet(t *testing.T) {
//		h := sdktest.New(t, OnLoad)
//		h.MustEqual(int64(1), "HSET", "h", "f", "old")
//		h.MustEqual("old", "EXAMPLE.HGETSET", "h", "f", "new")
//		h.MustEqual("new", "HGET", "h", "f")
//		h.MustError("ERR wrong number of arguments for 'example.hgetset' command", "EXAMPLE.HGETSET", "h")
//	}
//
// Blocking commands block as they do for a network client: a module
// command that calls BlockClient or BlockClientOnKeys, or a built-in one
// such as BLPOP, makes Do wait until the client is unblocked (the module's
// goroutine calls UnblockClient, another client's write makes a key ready)
// or times out. DoAsync starts such a command and returns at once, so the
// test can drive other clients meanwhile; Close disconnects a client, which
// runs the module's disconnect callback:
//
//	func TestBPop(t *testing.T) {
//		h := sdktest.New(t, OnLoad)
//		p := h.DoAsync("ASYNC.BPOP", "q", "0")
//		p.WaitBlocked()                    // the client waits on q
//		h.Client().MustEqual(int64(1), "LPUSH", "q", "x")
//		p.MustEqual([]string{"q", "x"})    // served by the LPUSH
//	}
//
// The module is a package main like any plugin; its test file is in the
// same package and passes OnLoad (and OnUnload) directly. Package-level
// variables of the module are shared by every Harness in the test binary,
// as they would be by every load of the plugin in one server process.
//
// This package imports the server (modis/host): only a module's tests may
// import it, never the module itself, whose plugin must link nothing but
// modis/sdk and the standard library.
package sdktest

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"modis/host"
	"modis/sdk"
)

// Options configure a Harness beyond New's defaults.
type Options struct {
	// Name stands for the module file's path in MODULE LIST and the log
	// ("sdktest" if empty).
	Name string
	// Args are OnLoad's arguments.
	Args []string
	// OnUnload is the module's OnUnload, if it has one: MODULE UNLOAD runs
	// it.
	OnUnload sdk.OnUnloadFunc
	// Config holds configuration lines in redis.conf syntax, applied
	// before the server starts: "appendonly yes", "maxmemory 10mb",
	// "notify-keyspace-events KEA", "loglevel debug". A line for one of the
	// module's configs ("audit.interval-ms 500") is given to the module's
	// load, as MODULE LOADEX's CONFIG, at every start: the module's
	// LoadConfigs applies it, and New fails if the module registers no
	// such config.
	Config []string
	// Dir is the server's working directory, where dump.rdb and the AOF
	// go; a fresh t.TempDir() if empty.
	Dir string
	// WaitLimit bounds how long the Pending methods wait for a command
	// started with DoAsync before they fail the test (30s if zero).
	WaitLimit time.Duration
}

// Harness is a Modis server with one module loaded, in the test's process.
// Its Do... methods run commands as a default client; Client returns more
// clients. It is stopped when the test ends.
type Harness struct {
	t      testing.TB
	onLoad sdk.OnLoadFunc
	opts   Options
	cfg    host.Config
	modCfg [][2]string // module config lines, given to each load
	logs   *logBuffer

	mu      sync.Mutex
	srv     *host.Server
	gen     int // goes up at each restart: clients reconnect
	def     *Client
	clients []*Client // every client made, to disconnect at Restart and at the end
}

// New starts a server with the module whose OnLoad is onLoad, called with
// args, and fails the test if OnLoad fails. The server uses the default
// configuration and a fresh temporary directory.
func New(t testing.TB, onLoad sdk.OnLoadFunc, args ...string) *Harness {
	t.Helper()
	return NewWithOptions(t, onLoad, Options{Args: args})
}

// NewWithOptions is New with Options.
func NewWithOptions(t testing.TB, onLoad sdk.OnLoadFunc, opts Options) *Harness {
	t.Helper()
	if opts.Name == "" {
		opts.Name = "sdktest"
	}
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	cfg := host.DefaultConfig()
	cfg.Dir = opts.Dir
	cfg.Port = 0
	var modCfg [][2]string
	for _, line := range opts.Config {
		args, err := host.SplitArgs(line)
		if err != nil || len(args) == 0 {
			t.Fatalf("sdktest: bad config line %q: %v", line, err)
		}
		if strings.Contains(args[0], ".") { // a module config: no built-in name has a dot
			if len(args) != 2 {
				t.Fatalf("sdktest: config line %q: a module config takes one value", line)
			}
			modCfg = append(modCfg, [2]string{args[0], args[1]})
			continue
		}
		if err := cfg.Set(strings.ToLower(args[0]), args[1:]); err != nil {
			t.Fatalf("sdktest: config line %q: %v", line, err)
		}
	}
	if opts.WaitLimit <= 0 {
		opts.WaitLimit = 30 * time.Second
	}
	h := &Harness{t: t, onLoad: onLoad, opts: opts, cfg: cfg, modCfg: modCfg, logs: &logBuffer{}}
	h.def = h.Client()
	t.Cleanup(func() {
		h.closeClients() // commands still blocked end as at a disconnect
		h.mu.Lock()
		srv := h.srv
		h.srv = nil
		h.mu.Unlock()
		if srv != nil {
			srv.Stop()
		}
		if t.Failed() {
			t.Logf("sdktest: server log:\n%s", h.logs.String())
		}
	})
	if err := h.start(); err != nil {
		t.Fatalf("sdktest: %v", err)
	}
	return h
}

// start builds a server on h's configuration, loads the module, then the
// dataset.
func (h *Harness) start() error {
	srv, err := host.New(h.cfg, host.NewLogger(h.cfg, h.logs))
	if err != nil {
		return err
	}
	if err := srv.LoadModuleFuncEx(h.opts.Name, h.onLoad, h.opts.OnUnload, h.opts.Args, h.modCfg); err != nil {
		srv.Stop()
		return err
	}
	if err := srv.StartLocal(); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	h.mu.Lock()
	h.srv = srv
	h.gen++
	h.mu.Unlock()
	return nil
}

// Server returns the running server (it changes at Restart).
func (h *Harness) Server() *host.Server {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.srv
}

// Dir returns the server's working directory.
func (h *Harness) Dir() string { return h.opts.Dir }

// Log returns what the server (and the module, through Ctx.Log) has logged
// so far. It is also printed when the test fails.
func (h *Harness) Log() string { return h.logs.String() }

// Client returns a new client, with its own connection state (selected
// database, protocol, MULTI, WATCH). It is safe to use from another
// goroutine than the other clients'.
func (h *Harness) Client() *Client {
	c := &Client{h: h}
	h.mu.Lock()
	h.clients = append(h.clients, c)
	h.mu.Unlock()
	return c
}

// closeClients disconnects every client.
func (h *Harness) closeClients() {
	h.mu.Lock()
	clients := append([]*Client(nil), h.clients...)
	h.mu.Unlock()
	for _, c := range clients {
		c.Close()
	}
}

// DoAsync starts a command as the default client; see Client.DoAsync.
func (h *Harness) DoAsync(args ...string) *Pending { h.t.Helper(); return h.def.DoAsync(args...) }

// Do runs a command as the default client; see Client.Do.
func (h *Harness) Do(args ...string) Reply { h.t.Helper(); return h.def.Do(args...) }

// DoRaw runs a command as the default client; see Client.DoRaw.
func (h *Harness) DoRaw(args ...string) string { h.t.Helper(); return h.def.DoRaw(args...) }

// MustDo runs a command as the default client; see Client.MustDo.
func (h *Harness) MustDo(args ...string) Reply { h.t.Helper(); return h.def.MustDo(args...) }

// MustEqual runs a command as the default client; see Client.MustEqual.
func (h *Harness) MustEqual(want any, args ...string) {
	h.t.Helper()
	h.def.MustEqual(want, args...)
}

// MustError runs a command as the default client; see Client.MustError.
func (h *Harness) MustError(want string, args ...string) {
	h.t.Helper()
	h.def.MustError(want, args...)
}

// Reload runs DEBUG RELOAD: the dataset is saved to the RDB file, emptied
// and loaded back, so every module value goes through its type's rdb_save
// and rdb_load callbacks. Clients keep their connections.
func (h *Harness) Reload() {
	h.t.Helper()
	h.MustEqual("OK", "DEBUG", "RELOAD")
}

// Restart stops the server with SHUTDOWN SAVE and starts a new one on the
// same directory and configuration, loading the module again (its OnLoad
// runs again, on the same package variables) and then the dataset: from
// the AOF with "appendonly yes", else from the RDB file SHUTDOWN SAVE
// wrote. Every client reconnects: its selected database, protocol and
// other connection state start afresh. Clients are disconnected (Close)
// before the SHUTDOWN, so a command still blocked ends without a reply.
func (h *Harness) Restart() {
	h.t.Helper()
	srv := h.Server()
	if srv == nil {
		h.t.Fatal("sdktest: Restart after the server stopped")
	}
	h.closeClients()
	done := srv.Done()
	if r := h.def.Do("SHUTDOWN", "SAVE"); r.Type == sdk.ReplyError {
		h.t.Fatalf("sdktest: SHUTDOWN SAVE: %s", r.Str)
	}
	<-done
	h.mu.Lock()
	h.srv = nil
	h.mu.Unlock()
	if err := h.start(); err != nil {
		h.t.Fatalf("sdktest: restart: %v", err)
	}
}

// Client is one in-process connection to the Harness's server.
type Client struct {
	h   *Harness
	mu  sync.Mutex
	lc  *host.LocalClient
	gen int
}

// conn returns the client's connection to the current server, opening a
// new one after a restart.
func (c *Client) conn() *host.LocalClient {
	h := c.h
	h.mu.Lock()
	srv, gen := h.srv, h.gen
	h.mu.Unlock()
	if srv == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lc == nil || c.gen != gen {
		c.lc, c.gen = srv.NewLocalClient(), gen
	}
	return c.lc
}

// mustConn is conn, failing the test when the server is stopped.
func (c *Client) mustConn(args []string) *host.LocalClient {
	c.h.t.Helper()
	lc := c.conn()
	if lc == nil {
		c.h.t.Fatalf("sdktest: %s: the server is stopped", quoteArgs(args))
	}
	return lc
}

func argv(args []string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}

func (c *Client) raw(args []string) []byte {
	c.h.t.Helper()
	return c.mustConn(args).Do(argv(args))
}

// Do runs one command, through the server's dispatcher as a client's
// command, and returns the parsed reply. The first argument is the command
// name. Replies are RESP2 until the client sends HELLO 3. A command that
// sends no reply (SHUTDOWN, a blocked command ended by Close) gives a Reply
// of type ReplyUnknown. A blocking command waits until the client is
// unblocked or times out; use DoAsync to drive other clients meanwhile.
func (c *Client) Do(args ...string) Reply {
	c.h.t.Helper()
	return c.h.parse(args, c.raw(args))
}

// parse parses a command's raw reply, failing the test if it is malformed.
func (h *Harness) parse(args []string, raw []byte) Reply {
	h.t.Helper()
	if len(raw) == 0 {
		return Reply{Type: sdk.ReplyUnknown}
	}
	r, err := ParseReply(raw)
	if err != nil {
		h.t.Fatalf("sdktest: %s: malformed reply %q: %v", quoteArgs(args), raw, err)
	}
	return r
}

// DoAsync starts one command on a goroutine of its own and returns at once:
// the test drives other clients while the command blocks, then waits for
// its reply with the Pending's methods. A client runs one command at a
// time: a command sent while another of the same client is blocked waits
// for it, as a pipelined command does.
func (c *Client) DoAsync(args ...string) *Pending {
	c.h.t.Helper()
	lc := c.mustConn(args)
	p := &Pending{h: c.h, lc: lc, args: args, waits: lc.Waits(), done: make(chan struct{})}
	av := argv(args)
	go func() {
		p.raw = lc.Do(av)
		close(p.done)
	}()
	return p
}

// Blocked reports whether the client waits on a blocking command now.
func (c *Client) Blocked() bool {
	c.mu.Lock()
	lc := c.lc
	c.mu.Unlock()
	return lc != nil && lc.Blocked()
}

// Close disconnects the client, as a network client that drops its
// connection: a blocking command it waits in ends without a reply (its
// Pending's reply has type ReplyUnknown), and the module's disconnect
// callback (SetDisconnectCallback) runs before Close returns. MULTI, WATCH,
// the selected database and the protocol go with the connection; the
// client's next command opens a new one.
func (c *Client) Close() {
	c.mu.Lock()
	lc := c.lc
	c.lc = nil
	c.mu.Unlock()
	if lc != nil {
		lc.Close()
	}
}

// Pending is a command started with DoAsync. Its methods wait for the
// reply, at most the harness's Options.WaitLimit, and must be called from
// the test's goroutine (they fail the test).
type Pending struct {
	h     *Harness
	lc    *host.LocalClient
	args  []string
	waits int64 // the client's block count when the command started
	done  chan struct{}
	raw   []byte
}

// Done reports whether the reply has come, without waiting.
func (p *Pending) Done() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// WaitTimeout waits at most d for the reply; ok is false if it has not
// come by then.
func (p *Pending) WaitTimeout(d time.Duration) (r Reply, ok bool) {
	p.h.t.Helper()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		return p.h.parse(p.args, p.raw), true
	case <-t.C:
		return Reply{}, false
	}
}

// Wait waits for the reply and returns it; the test fails if it does not
// come within the wait limit.
func (p *Pending) Wait() Reply {
	p.h.t.Helper()
	r, ok := p.WaitTimeout(p.h.opts.WaitLimit)
	if !ok {
		p.h.t.Fatalf("sdktest: %s: no reply after %v", quoteArgs(p.args), p.h.opts.WaitLimit)
	}
	return r
}

// MustEqual waits for the reply and fails the test unless its Value equals
// want; see Client.MustEqual.
func (p *Pending) MustEqual(want any) {
	p.h.t.Helper()
	checkEqual(p.h.t, p.args, p.Wait(), want)
}

// MustError waits for the reply and fails the test unless it is the error
// want; see Client.MustError.
func (p *Pending) MustError(want string) {
	p.h.t.Helper()
	checkError(p.h.t, p.args, p.Wait(), want)
}

// WaitBlocked waits until the command has blocked its client (it may have
// been unblocked since), so that what the test does next happens while
// the client waits or after. The test fails if the command replies without
// blocking, or does not block within the wait limit.
func (p *Pending) WaitBlocked() {
	p.h.t.Helper()
	deadline := time.Now().Add(p.h.opts.WaitLimit)
	for p.lc.Waits() == p.waits {
		if p.Done() {
			if p.lc.Waits() != p.waits {
				return
			}
			p.h.t.Fatalf("sdktest: %s replied without blocking: %s", quoteArgs(p.args), p.h.parse(p.args, p.raw))
		}
		if time.Now().After(deadline) {
			p.h.t.Fatalf("sdktest: %s did not block within %v", quoteArgs(p.args), p.h.opts.WaitLimit)
		}
		time.Sleep(time.Millisecond)
	}
}

// DoRaw runs one command and returns its reply exactly as the server
// encoded it, for tests of the wire format.
func (c *Client) DoRaw(args ...string) string {
	c.h.t.Helper()
	return string(c.raw(args))
}

// MustDo runs one command and fails the test if the reply is an error.
func (c *Client) MustDo(args ...string) Reply {
	c.h.t.Helper()
	r := c.Do(args...)
	if r.Type == sdk.ReplyError {
		c.h.t.Fatalf("%s: (error) %s", quoteArgs(args), r.Str)
	}
	return r
}

// MustEqual runs one command and fails the test unless the reply's Value
// equals want. want is written in Go: a string for a string (simple, bulk,
// verbatim, big number), any integer type for an integer, a float64 for a
// double, a bool, nil for null, []string or []any for an array or set,
// map[string]string or map[string]any for a map, an error for an error
// reply (its text compared). A RESP2 map is a flat array.
func (c *Client) MustEqual(want any, args ...string) {
	c.h.t.Helper()
	checkEqual(c.h.t, args, c.Do(args...), want)
}

func checkEqual(t testing.TB, args []string, r Reply, want any) {
	t.Helper()
	got := r.Value()
	if err, ok := want.(error); ok {
		if r.Type != sdk.ReplyError || r.Str != err.Error() {
			t.Fatalf("%s\n got: %s\nwant: (error) %s", quoteArgs(args), r, err)
		}
		return
	}
	if !reflect.DeepEqual(got, normalize(want)) {
		t.Fatalf("%s\n got: %s\nwant: %#v", quoteArgs(args), r, want)
	}
}

// MustError runs one command and fails the test unless the reply is an
// error whose text is want, or starts with want when want ends in "*".
func (c *Client) MustError(want string, args ...string) {
	c.h.t.Helper()
	checkError(c.h.t, args, c.Do(args...), want)
}

func checkError(t testing.TB, args []string, r Reply, want string) {
	t.Helper()
	ok := r.Type == sdk.ReplyError
	if ok {
		if prefix, cut := strings.CutSuffix(want, "*"); cut {
			ok = strings.HasPrefix(r.Str, prefix)
		} else {
			ok = r.Str == want
		}
	}
	if !ok {
		t.Fatalf("%s\n got: %s\nwant: (error) %s", quoteArgs(args), r, want)
	}
}

// quoteArgs renders a command line for messages.
func quoteArgs(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a == "" || strings.ContainsAny(a, " \"\\\r\n\t") {
			fmt.Fprintf(&b, "%q", a)
		} else {
			b.WriteString(a)
		}
	}
	return b.String()
}

// logBuffer collects the server's log; safe for the server's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

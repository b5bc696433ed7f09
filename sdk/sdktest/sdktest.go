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
	// "notify-keyspace-events KEA", "loglevel debug".
	Config []string
	// Dir is the server's working directory, where dump.rdb and the AOF
	// go; a fresh t.TempDir() if empty.
	Dir string
}

// Harness is a Modis server with one module loaded, in the test's process.
// Its Do... methods run commands as a default client; Client returns more
// clients. It is stopped when the test ends.
type Harness struct {
	t      testing.TB
	onLoad sdk.OnLoadFunc
	opts   Options
	cfg    host.Config
	logs   *logBuffer

	mu  sync.Mutex
	srv *host.Server
	gen int // goes up at each restart: clients reconnect
	def *Client
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
	for _, line := range opts.Config {
		args, err := host.SplitArgs(line)
		if err != nil || len(args) == 0 {
			t.Fatalf("sdktest: bad config line %q: %v", line, err)
		}
		if err := cfg.Set(strings.ToLower(args[0]), args[1:]); err != nil {
			t.Fatalf("sdktest: config line %q: %v", line, err)
		}
	}
	h := &Harness{t: t, onLoad: onLoad, opts: opts, cfg: cfg, logs: &logBuffer{}}
	h.def = &Client{h: h}
	t.Cleanup(func() {
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
	if err := srv.LoadModuleFunc(h.opts.Name, h.onLoad, h.opts.OnUnload, h.opts.Args); err != nil {
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
func (h *Harness) Client() *Client { return &Client{h: h} }

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
// other connection state start afresh.
func (h *Harness) Restart() {
	h.t.Helper()
	srv := h.Server()
	if srv == nil {
		h.t.Fatal("sdktest: Restart after the server stopped")
	}
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

func (c *Client) raw(args []string) []byte {
	lc := c.conn()
	if lc == nil {
		c.h.t.Fatalf("sdktest: %s: the server is stopped", quoteArgs(args))
	}
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	return lc.Do(argv)
}

// Do runs one command, through the server's dispatcher as a client's
// command, and returns the parsed reply. The first argument is the command
// name. Replies are RESP2 until the client sends HELLO 3. A command that
// sends no reply (SHUTDOWN) gives a Reply of type ReplyUnknown.
func (c *Client) Do(args ...string) Reply {
	c.h.t.Helper()
	raw := c.raw(args)
	if len(raw) == 0 {
		return Reply{Type: sdk.ReplyUnknown}
	}
	r, err := ParseReply(raw)
	if err != nil {
		c.h.t.Fatalf("sdktest: %s: malformed reply %q: %v", quoteArgs(args), raw, err)
	}
	return r
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
	r := c.Do(args...)
	got := r.Value()
	if err, ok := want.(error); ok {
		if r.Type != sdk.ReplyError || r.Str != err.Error() {
			c.h.t.Fatalf("%s\n got: %s\nwant: (error) %s", quoteArgs(args), r, err)
		}
		return
	}
	if !reflect.DeepEqual(got, normalize(want)) {
		c.h.t.Fatalf("%s\n got: %s\nwant: %#v", quoteArgs(args), r, want)
	}
}

// MustError runs one command and fails the test unless the reply is an
// error whose text is want, or starts with want when want ends in "*".
func (c *Client) MustError(want string, args ...string) {
	c.h.t.Helper()
	r := c.Do(args...)
	ok := r.Type == sdk.ReplyError
	if ok {
		if prefix, cut := strings.CutSuffix(want, "*"); cut {
			ok = strings.HasPrefix(r.Str, prefix)
		} else {
			ok = r.Str == want
		}
	}
	if !ok {
		c.h.t.Fatalf("%s\n got: %s\nwant: (error) %s", quoteArgs(args), r, want)
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

package host

import (
	"testing"

	"github.com/hashicorp/go-hclog"

	"modis/sdk"
)

// hgetset is the example module's handler, registered in-process so that
// the cost of the module path (Ctx, argv, two Calls, ReplyWithCallReply)
// can be measured against the built-in HSET without a .so.
func hgetset(ctx sdk.Ctx, argv []sdk.String) error {
	if len(argv) != 4 {
		return ctx.WrongArity()
	}
	ctx.AutoMemory()
	rep := ctx.Call("HGET", "ss", argv[1], argv[2])
	if rep.Type() == sdk.ReplyError {
		return ctx.ReplyWithCallReply(rep)
	}
	srep := ctx.Call("HSET", "sss", argv[1], argv[2], argv[3])
	if srep.Type() == sdk.ReplyError {
		return ctx.ReplyWithCallReply(srep)
	}
	return ctx.ReplyWithCallReply(rep)
}

func benchServer(b *testing.B) (*Server, *Client) {
	s, c := newTestServer(b)
	m := &Module{log: hclog.NewNullLogger()}
	x := &modCtx{s: s, mod: m, phase: phaseLoad}
	if err := x.Init("bench", 1, sdk.APIVER_1); err != nil {
		b.Fatal(err)
	}
	if err := x.CreateCommand("bench.hgetset", hgetset, "write", 1, 1, 1); err != nil {
		b.Fatal(err)
	}
	return s, c
}

func benchCommand(b *testing.B, args ...string) {
	s, c := benchServer(b)
	argv := make([][]byte, len(args))
	for i, a := range args {
		argv[i] = []byte(a)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.mu.Lock()
		c.exec(argv)
		s.mu.Unlock()
		c.buf.Reset()
	}
}

func BenchmarkHSET(b *testing.B)          { benchCommand(b, "HSET", "h", "f", "v") }
func BenchmarkModuleHGETSET(b *testing.B) { benchCommand(b, "bench.hgetset", "h", "f", "v") }
func BenchmarkGET(b *testing.B)           { benchCommand(b, "GET", "k") }

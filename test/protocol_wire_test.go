package test

import (
	"bytes"
	"net"
	"testing"
	"time"
)

// TestProtocolEmptyMultibulk: "*0" and "*-1" (any count <= 0) are skipped
// without a reply, as in Redis 7.0's processMultibulkBuffer, and the
// connection keeps serving; a bad count still gets the protocol error.
// Compared with redis-server 7.0.15.
func TestProtocolEmptyMultibulk(t *testing.T) {
	raddr := realRedis(t)
	s := startServer(t)
	cases := []struct {
		name, send string
	}{
		{"zero", "*0\r\n"},
		{"minus one", "*-1\r\n"},
		{"minus five", "*-5\r\n"},
		{"empty then ping", "*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n"},
		{"split", "*0\r"},
		{"between commands", "*1\r\n$4\r\nPING\r\n*0\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n*-1\r\n"},
		{"bad count", "*x\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got [2]string
			for i, addr := range []string{s.Addr, raddr} {
				got[i] = rawExchange(t, addr, tc.send)
			}
			if got[0] != got[1] {
				t.Errorf("%q: modis %q, redis %q", tc.send, got[0], got[1])
			}
		})
	}
	// The connection is still usable after an ignored empty command.
	for _, addr := range []string{s.Addr, raddr} {
		if got := rawExchange(t, addr, "*0\r\n", "\n*1\r\n$4\r\nPING\r\n"); got != "+PONG\r\n" {
			t.Errorf("%s: after *0 then PING: %q", addr, got)
		}
	}
}

// rawExchange writes each part on a new connection (a short pause between
// parts) and returns everything the server sends back within 300 ms of the
// last, or until it closes the connection.
func rawExchange(t *testing.T, addr string, parts ...string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i, p := range parts {
		if i > 0 {
			time.Sleep(50 * time.Millisecond)
		}
		if _, err := c.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	buf := make([]byte, 4096)
	c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	for {
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			return out.String()
		}
	}
}

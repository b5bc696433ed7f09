package test

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"hash/crc64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Module data types through a real plugin: test/testdata/plugins/typemod
// registers "typemod-L" (a list of strings and some numbers) with every
// callback, and commands that replicate in each way a module can.

// tmExpect runs a command on c and checks its raw reply.
func tmExpect(t *testing.T, c *Conn, want string, args ...string) {
	t.Helper()
	if got := c.Do(args...); got != want {
		t.Errorf("%v:\n got %q\nwant %q", args, got, want)
	}
}

// tmBulk, tmArr and tmInt build raw RESP replies.
func tmBulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

func tmArr(elems ...string) string {
	return "*" + strconv.Itoa(len(elems)) + "\r\n" + strings.Join(elems, "")
}

func tmInt(n int) string { return ":" + strconv.Itoa(n) + "\r\n" }

// typemodServer starts a server with typemod loaded, its files in dir and
// the extra config lines.
func typemodServer(t *testing.T, dir string, lines ...string) *Server {
	t.Helper()
	return startServer(t, "--config", bgConf(t, dir, lines...), "--loadmodule", plugin("typemod"))
}

// tmKill stops a server abruptly (no final save) and waits for it.
func tmKill(s *Server) {
	s.cmd.Process.Kill()
	<-s.done
}

// tmDigest is what DEBUG DIGEST-VALUE gives for a typemod value, computed
// here with Redis's digest primitives: the type number mixed in, then the
// module's sequence (items and N) xored in.
func tmDigest(items []string, n int64) string {
	xor := func(d *[20]byte, b []byte) {
		h := sha1.Sum(b)
		for i := range d {
			d[i] ^= h[i]
		}
	}
	mix := func(d *[20]byte, b []byte) {
		xor(d, b)
		*d = sha1.Sum(d[:])
	}
	var digest, seq [20]byte
	mix(&digest, []byte{0, 0, 0, 5}) // OBJ_MODULE, big endian
	for _, it := range items {
		mix(&seq, []byte(it))
	}
	mix(&seq, []byte(strconv.FormatInt(n, 10)))
	var x [20]byte
	xor(&x, seq[:])
	xor(&digest, x[:])
	return hex.EncodeToString(digest[:])
}

func TestModTypeCommands(t *testing.T) {
	m := typemodServer(t, t.TempDir())
	c := m.Dial()
	tmExpect(t, c, tmInt(3), "tm.push", "k", "a", "b", "c")
	tmExpect(t, c, tmArr(tmBulk("a"), tmBulk("b"), tmBulk("c")), "tm.get", "k")
	tmExpect(t, c, "+typemod-L\r\n", "type", "k")
	tmExpect(t, c, tmBulk("raw"), "object", "encoding", "k")
	// SCAN TYPE matches the module type's name, case-insensitively (Redis 7.0).
	tmExpect(t, c, tmArr(tmBulk("0"), tmArr(tmBulk("k"))), "scan", "0", "type", "TYPEMOD-l")
	tmExpect(t, c, tmArr(tmBulk("0"), tmArr()), "scan", "0", "type", "string")
	// MemUsage (64 + 3*(16+1)), plus the key's sds (8) and dict entry (24).
	tmExpect(t, c, tmInt(64+3*17+8+24), "memory", "usage", "k")
	tmExpect(t, c, "+OK\r\n", "set", "s", "x")
	tmExpect(t, c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "tm.get", "s")
	tmExpect(t, c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", "get", "k")
	tmExpect(t, c, tmInt(1), "copy", "k", "k2")
	tmExpect(t, c, tmInt(4), "tm.push", "k2", "d")
	tmExpect(t, c, tmArr(tmBulk("a"), tmBulk("b"), tmBulk("c")), "tm.get", "k") // a deep copy
	tmExpect(t, c, tmArr("+"+tmDigest([]string{"a", "b", "c"}, 0)+"\r\n", "+"+tmDigest([]string{"a", "b", "c", "d"}, 0)+"\r\n",
		"+0000000000000000000000000000000000000000\r\n"), "debug", "digest-value", "k", "k2", "nokey")
	tmExpect(t, c, "+OK\r\n", "tm.nums", "k", "-7", "0.5", "0.25", "1.5")
	tmExpect(t, c, tmArr(tmInt(-7), tmBulk("0.25"), tmBulk("0.5"), tmBulk("1.5")), "tm.info", "k")
	tmExpect(t, c, tmArr("+"+tmDigest([]string{"a", "b", "c"}, -7)+"\r\n"), "debug", "digest-value", "k")
	if got := c.Do("debug", "digest"); len(got) != 43 || got == "+0000000000000000000000000000000000000000\r\n" {
		t.Errorf("DEBUG DIGEST: %q", got)
	}
	// SaveDataTypeToString / LoadDataTypeFromString.
	if got := c.Do("tm.dupstr", "k", "k3"); !strings.HasPrefix(got, ":") {
		t.Errorf("tm.dupstr: %q", got)
	}
	tmExpect(t, c, tmArr(tmInt(-7), tmBulk("0.25"), tmBulk("0.5"), tmBulk("1.5")), "tm.info", "k3")
	// DUMP and RESTORE carry the value in Redis's format.
	dump := c.Do("dump", "k")
	payload := dump[strings.Index(dump, "\r\n")+2 : len(dump)-2]
	if payload[0] != 7 { // RDB_TYPE_MODULE_2
		t.Errorf("DUMP payload type %d, want 7 (MODULE_2)", payload[0])
	}
	tmExpect(t, c, "+OK\r\n", "restore", "k4", "0", payload)
	tmExpect(t, c, tmArr(tmBulk("a"), tmBulk("b"), tmBulk("c")), "tm.get", "k4")
	// A payload cut inside the module value (with a valid footer) fails to
	// load, as Redis says it.
	body := payload[:len(payload)-12] + payload[len(payload)-10:len(payload)-8]
	sum := ^crc64.Update(^uint64(0), crc64.MakeTable(0x95ac9329ac4bc9b5), []byte(body)) // Redis's CRC-64 (Jones)
	cut := string(binary.LittleEndian.AppendUint64([]byte(body), sum))
	tmExpect(t, c, "-ERR Bad data format\r\n", "restore", "k5", "0", cut)
	tmExpect(t, c, "-ERR DUMP payload version or checksum are wrong\r\n", "restore", "k5", "0", payload[:len(payload)-1]+"x")
	// DEL unlinks and frees; UNLINK too; FLUSHALL frees.
	stats := func() (freed, unlinked int) {
		out := c.Do("tm.stats")
		f := strings.Split(out, "\r\n")
		freed, _ = strconv.Atoi(f[1][1:])
		unlinked, _ = strconv.Atoi(f[2][1:])
		return
	}
	f0, u0 := stats()
	tmExpect(t, c, tmInt(2), "del", "k", "k2")
	tmExpect(t, c, tmInt(1), "unlink", "k3")
	if f, u := stats(); f-f0 != 3 || u-u0 != 3 {
		t.Errorf("after DEL and UNLINK of 3 values: %d freed, %d unlinked", f-f0, u-u0)
	}
	tmExpect(t, c, "+OK\r\n", "flushall")
	if f, _ := stats(); f-f0 != 4 {
		t.Errorf("FLUSHALL: %d freed in all, want 4", f-f0)
	}
	// A value dropped another way (overwritten by SET) is freed once the
	// collector finds it (MEMORY PURGE runs a collection).
	tmExpect(t, c, tmInt(1), "tm.push", "g", "x")
	tmExpect(t, c, "+OK\r\n", "set", "g", "str")
	for i := 0; ; i++ {
		c.Do("memory", "purge")
		if f, _ := stats(); f-f0 == 5 {
			break
		}
		if i == 100 {
			t.Fatal("the overwritten value was never freed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A module that registered a type cannot be unloaded, as in Redis.
	tmExpect(t, c, "-ERR Error unloading module: the module exports one or more module-side data types, can't unload\r\n",
		"module", "unload", "typemod")
	tmExpect(t, c, tmBulk("CreateDataType may only be called in OnLoad"), "tm.late")
	m.mustAlive()
}

func TestModTypeLoadRules(t *testing.T) {
	m := startServer(t)
	c := m.Dial()
	got := c.Do("module", "load", plugin("typemod"), "badname")
	if !strings.Contains(got, "must be exactly 9 characters") {
		t.Errorf("a 7-character type name: %q", got)
	}
	got = c.Do("module", "load", plugin("typemod"), "dup")
	if !strings.Contains(got, `a module type named "typemod-L" is already registered by module "typemod"`) {
		t.Errorf("a type registered twice: %q", got)
	}
	// The failed loads left nothing behind: the module loads.
	tmExpect(t, c, "+OK\r\n", "module", "load", plugin("typemod"))
	tmExpect(t, c, tmInt(1), "tm.push", "k", "a")
}

// tmPopulate writes the dataset the restart tests check.
func tmPopulate(t *testing.T, c *Conn) {
	t.Helper()
	tmExpect(t, c, tmInt(3), "tm.push", "k1", "a", "b", "c")
	tmExpect(t, c, "+OK\r\n", "tm.nums", "k1", "42", "0.1", "2.5", "3.25")
	tmExpect(t, c, tmInt(1), "tm.push", "k2", strings.Repeat("x", 5000))
	tmExpect(t, c, tmInt(1), "pexpire", "k2", "3600000")
	tmExpect(t, c, "+OK\r\n", "tm.aux", "global data")
	tmExpect(t, c, "+OK\r\n", "select", "3")
	tmExpect(t, c, tmInt(1), "tm.push", "k3", "in db 3")
	tmExpect(t, c, "+OK\r\n", "select", "0")
}

// tmCheck checks the dataset tmPopulate wrote, after a restart.
func tmCheck(t *testing.T, m *Server) {
	t.Helper()
	c := m.Dial()
	tmExpect(t, c, tmArr(tmBulk("a"), tmBulk("b"), tmBulk("c")), "tm.get", "k1")
	tmExpect(t, c, tmArr(tmInt(42), tmBulk("2.5"), tmBulk("0.1"), tmBulk("3.25")), "tm.info", "k1")
	tmExpect(t, c, tmArr(tmBulk(strings.Repeat("x", 5000))), "tm.get", "k2")
	if got := c.Do("pttl", "k2"); got == ":-1\r\n" || got == ":-2\r\n" {
		t.Errorf("k2 lost its expiry: %s", got)
	}
	tmExpect(t, c, tmBulk("global data"), "tm.auxget")
	tmExpect(t, c, "+OK\r\n", "select", "3")
	tmExpect(t, c, tmArr(tmBulk("in db 3")), "tm.get", "k3")
}

func TestModTypeRDBRestart(t *testing.T) {
	for _, how := range []string{"save", "bgsave", "shutdown"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			m := typemodServer(t, dir)
			c := m.Dial()
			tmPopulate(t, c)
			switch how {
			case "save":
				tmExpect(t, c, "+OK\r\n", "save")
				tmKill(m)
			case "bgsave":
				tmExpect(t, c, "+Background saving started\r\n", "bgsave")
				waitBgsave(t, m)
				tmKill(m)
			case "shutdown":
				exec.Command("redis-cli", "-p", strconv.Itoa(m.Port), "shutdown", "save").Run()
				<-m.done
			}
			m2 := typemodServer(t, dir)
			tmCheck(t, m2)
			// The AUX data was loaded once before and once after the keys.
			if got := m2.Raw("tm.stats"); !strings.HasSuffix(got, ":2\r\n") {
				t.Errorf("AUX loads: %q", got)
			}
		})
	}
}

// TestModTypeBgsaveSnapshot: BGSAVE writes module values as they were when
// it started, whatever the writes that follow do to them (each is copied
// aside through RDBSave before it changes).
func TestModTypeBgsaveSnapshot(t *testing.T) {
	dir := t.TempDir()
	m := typemodServer(t, dir)
	c := m.Dial()
	const n = 3000
	var b strings.Builder
	for i := 0; i < n; i++ {
		k := "v" + strconv.Itoa(i)
		tmCmd(&b, "tm.push", k, "before", strings.Repeat("p", 200))
	}
	tmPipeline(t, m, b.String(), n)
	tmExpect(t, c, "+Background saving started\r\n", "bgsave")
	b.Reset()
	for i := n - 1; i >= 0; i-- { // from the end: the saver starts at the top
		k := "v" + strconv.Itoa(i)
		if i%3 == 0 {
			tmCmd(&b, "del", k)
		} else {
			tmCmd(&b, "tm.set", k, "after")
		}
	}
	tmPipeline(t, m, b.String(), n)
	waitBgsave(t, m)
	tmKill(m)
	m2 := typemodServer(t, dir)
	c2 := m2.Dial()
	for i := 0; i < n; i += 97 {
		tmExpect(t, c2, tmArr(tmBulk("before"), tmBulk(strings.Repeat("p", 200))), "tm.get", "v"+strconv.Itoa(i))
	}
	tmExpect(t, c2, tmInt(n), "dbsize")
}

// tmCmd appends a command in RESP.
func tmCmd(b *strings.Builder, args ...string) {
	b.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString(tmBulk(a))
	}
}

// tmPipeline sends raw commands and reads n replies.
func tmPipeline(t *testing.T, m *Server, cmds string, n int) {
	t.Helper()
	c := m.Dial()
	c.c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := c.c.Write([]byte(cmds)); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		var out strings.Builder
		if err := readReply(c.rd, &out); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(out.String(), "-") {
			t.Fatalf("reply %d: %s", i, out.String())
		}
	}
}

// tmAOFFiles returns the paths of the AOF's files of a type ('b' base, 'i'
// incremental) as its manifest lists them.
func tmAOFFiles(t *testing.T, dir string, typ string) []string {
	t.Helper()
	man, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(man), "\n") {
		f := strings.Fields(line)
		if len(f) == 6 && f[0] == "file" && f[5] == typ {
			out = append(out, filepath.Join(dir, "appendonlydir", f[1]))
		}
	}
	return out
}

// tmAOFCommands returns the commands of the AOF's incremental files, one a
// line with arguments joined by spaces.
func tmAOFCommands(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, f := range tmAOFFiles(t, dir, "i") {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tmParseRESP(t, data)...)
	}
	return out
}

// tmParseRESP splits RESP arrays of bulk strings into lines.
func tmParseRESP(t *testing.T, data []byte) []string {
	t.Helper()
	var out []string
	s := string(data)
	for len(s) > 0 {
		var n int
		if _, err := tmArrayLen(s, &n); err != nil {
			t.Fatalf("bad AOF at %q", s[:min(len(s), 40)])
		}
		s = s[strings.Index(s, "\r\n")+2:]
		args := make([]string, n)
		for i := range args {
			l, _ := strconv.Atoi(s[1:strings.Index(s, "\r\n")])
			s = s[strings.Index(s, "\r\n")+2:]
			args[i] = s[:l]
			s = s[l+2:]
		}
		out = append(out, strings.Join(args, " "))
	}
	return out
}

// tmArrayLen reads the count of a RESP array header.
func tmArrayLen(s string, n *int) (int, error) {
	end := strings.Index(s, "\r\n")
	if !strings.HasPrefix(s, "*") || end < 0 {
		return 0, os.ErrInvalid
	}
	v, err := strconv.Atoi(s[1:end])
	*n = v
	return end, err
}

func TestModTypeAOF(t *testing.T) {
	for _, preamble := range []string{"yes", "no"} {
		t.Run("preamble-"+preamble, func(t *testing.T) {
			dir := t.TempDir()
			conf := []string{"appendonly yes", "aof-use-rdb-preamble " + preamble}
			m := typemodServer(t, dir, conf...)
			c := m.Dial()
			tmPopulate(t, c)
			tmExpect(t, c, "+Background append only file rewriting started\r\n", "bgrewriteaof")
			tmWaitAOFRewrite(t, m)
			// After the rewrite, each way of replicating.
			tmExpect(t, c, tmInt(4), "tm.push", "k1", "d")               // ReplicateVerbatim
			tmExpect(t, c, tmInt(5), "tm.repl", "k1", "e")               // Replicate
			tmExpect(t, c, tmInt(7), "tm.multi", "k1", "f", "g")         // two Replicates
			tmExpect(t, c, "+OK\r\n", "tm.callset", "str1", "v1")        // Call with "!"
			tmExpect(t, c, "+OK\r\n", "tm.callnorep", "str2", "v2")      // Call without "!"
			tmExpect(t, c, tmInt(1), "tm.keyonly", "lost", "not in aof") // the key API alone
			got := strings.Join(tmAOFCommands(t, dir), "\n")
			want := strings.Join([]string{
				"SELECT 0",
				"tm.push k1 d",
				"TM.PUSH k1 e",
				"MULTI", "TM.PUSH k1 f", "TM.PUSH k1 g", "EXEC",
				"SET str1 v1",
			}, "\n")
			if got != want {
				t.Errorf("AOF:\n%s\nwant:\n%s", got, want)
			}
			if preamble == "no" {
				base := tmAOFFiles(t, dir, "b")
				if len(base) != 1 || !strings.HasSuffix(base[0], ".base.aof") {
					t.Fatalf("no command base file: %v", base)
				}
				data, _ := os.ReadFile(base[0])
				if !strings.Contains(string(data), "TM.SET") || !strings.Contains(string(data), "TM.NUMS") {
					t.Errorf("the base does not hold the type's AOFRewrite commands:\n%q", data)
				}
			}
			tmKill(m)
			m2 := typemodServer(t, dir, conf...)
			c2 := m2.Dial()
			tmExpect(t, c2, tmArr(tmBulk("a"), tmBulk("b"), tmBulk("c"), tmBulk("d"), tmBulk("e"), tmBulk("f"), tmBulk("g")), "tm.get", "k1")
			tmExpect(t, c2, tmArr(tmInt(42), tmBulk("2.5"), tmBulk("0.1"), tmBulk("3.25")), "tm.info", "k1")
			tmExpect(t, c2, tmArr(tmBulk(strings.Repeat("x", 5000))), "tm.get", "k2")
			tmExpect(t, c2, tmBulk("v1"), "get", "str1")
			tmExpect(t, c2, "$-1\r\n", "get", "str2")
			tmExpect(t, c2, "$-1\r\n", "tm.get", "lost")
			tmExpect(t, c2, "+OK\r\n", "select", "3")
			tmExpect(t, c2, tmArr(tmBulk("in db 3")), "tm.get", "k3")
		})
	}
}

// tmWaitAOFRewrite waits until INFO persistence reports no AOF rewrite.
func tmWaitAOFRewrite(t *testing.T, m *Server) {
	t.Helper()
	for i := 0; i < 500; i++ {
		out := m.Raw("info", "persistence")
		if strings.Contains(out, "aof_rewrite_in_progress:0") && !strings.Contains(out, "aof_rewrite_scheduled:1") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the AOF rewrite did not finish")
}

// TestModTypeBadData: values a module cannot save or load fail the save
// or the load with an error naming the type and the key, and the server
// survives what it can survive.
func TestModTypeBadData(t *testing.T) {
	// A panicking RDBSave fails SAVE, BGSAVE and DUMP; the server serves on.
	dir := t.TempDir()
	m := typemodServer(t, dir)
	c := m.Dial()
	tmExpect(t, c, "+OK\r\n", "tm.mark", "k", "savepanic")
	if got := c.Do("save"); !strings.HasPrefix(got, "-") {
		t.Errorf("SAVE of a value whose RDBSave panics: %q", got)
	}
	if got := c.Do("dump", "k"); !strings.Contains(got, "RDBSave panicked") {
		t.Errorf("DUMP: %q", got)
	}
	c.Do("bgsave")
	if out := waitBgsave(t, m); !strings.Contains(out, "rdb_last_bgsave_status:err") {
		t.Errorf("BGSAVE did not fail:\n%s", out)
	}
	if !m.waitLog("RDBSave panicked", "typemod-L") {
		t.Errorf("the log does not tell about the panic")
	}
	m.mustAlive()
	tmKill(m)

	// Values whose file is wrong fail the load, naming type and key (the
	// log quotes the key: key \"k\").
	cases := []struct {
		mark string
		want []string
	}{
		{"badsave", []string{`key \"k\"`, "module type typemod-L", "unsigned integer", "string"}},
		{"shortsave", []string{`key \"k\"`, "module type typemod-L", "signed integer", "EOF"}},
		{"loadpanic", []string{`key \"k\"`, "typemod-L", "RDBLoad panicked"}},
	}
	for _, tc := range cases {
		t.Run(tc.mark, func(t *testing.T) {
			dir := t.TempDir()
			m := typemodServer(t, dir)
			c := m.Dial()
			tmExpect(t, c, tmInt(2), "tm.push", "k", "a", "b")
			tmExpect(t, c, "+OK\r\n", "tm.mark", "k", tc.mark)
			tmExpect(t, c, "+OK\r\n", "save")
			tmKill(m)
			s, err := launch(t, "--config", bgConf(t, dir), "--loadmodule", plugin("typemod"))
			if err == nil {
				t.Fatal("the server started")
			}
			<-s.done
			for _, w := range tc.want {
				if !strings.Contains(s.Log(), w) {
					t.Errorf("the load error does not say %q:\n%s", w, s.Log())
				}
			}
		})
	}

	// A file cut inside a module value.
	t.Run("truncated", func(t *testing.T) {
		dir := t.TempDir()
		m := typemodServer(t, dir)
		c := m.Dial()
		var item []byte // incompressible, so it is in the file as it is
		for x := uint32(1); len(item) < 300; x = x*1103515245 + 12345 {
			item = append(item, 'a'+byte(x>>16)%26)
		}
		tmExpect(t, c, tmInt(1), "tm.push", "k", string(item))
		tmExpect(t, c, "+OK\r\n", "save")
		tmKill(m)
		path := filepath.Join(dir, "dump.rdb")
		data, _ := os.ReadFile(path)
		at := strings.Index(string(data), string(item[:20]))
		if at < 0 {
			t.Fatal("the item is not in the file")
		}
		os.WriteFile(path, data[:at+100], 0o644)
		s, err := launch(t, "--config", bgConf(t, dir), "--loadmodule", plugin("typemod"))
		if err == nil {
			t.Fatal("the server started")
		}
		<-s.done
		if !regexp.MustCompile(`unexpected end of file|truncated`).MatchString(s.Log()) {
			t.Errorf("no truncation error:\n%s", s.Log())
		}
	})

	// Without the module, its values do not load.
	t.Run("module-missing", func(t *testing.T) {
		dir := t.TempDir()
		m := typemodServer(t, dir)
		tmExpect(t, m.Dial(), tmInt(1), "tm.push", "k", "a")
		tmExpect(t, m.Dial(), "+OK\r\n", "save")
		tmKill(m)
		s, err := launch(t, "--config", bgConf(t, dir))
		if err == nil {
			t.Fatal("the server started without the module")
		}
		<-s.done
		// The AUX record comes first: Redis's message for it.
		if !strings.Contains(s.Log(), "The RDB file contains AUX module data I can't load: no matching module 'typemod-L'") {
			t.Errorf("the error does not name the missing type:\n%s", s.Log())
		}
	})
}

// TestModTypeTypedKey: ModuleTypeGetType, ModuleTypeGetValue,
// ModuleTypeValue and sdk.ValueAs on empty, typed, wrong-type and closed
// keys; ModuleTypeReplaceValue and ModuleTypeSetValue, their misuse
// refused with an error.
func TestModTypeTypedKey(t *testing.T) {
	m := typemodServer(t, t.TempDir())
	c := m.Dial()
	const closed = "ERR the key is closed"
	wrongType := strings.TrimSuffix(strings.TrimPrefix(sdkWrongType, "-"), "\r\n")
	afterClose := []string{"$-1\r\n", tmBulk("<nil>"), tmBulk(closed)}
	typeOf := func(first ...string) string { return tmArr(append(first, afterClose...)...) }
	// An empty key: no type, no value, and no error.
	tmExpect(t, c, typeOf("$-1\r\n", tmBulk("<nil>"), tmBulk("ok")), "tm.typeof", "k")
	tmExpect(t, c, tmArr(tmBulk("nil"), tmBulk("nil"), tmBulk("ValueAs: nil key"), tmBulk("ValueAs: nil module type")), "tm.valueas", "k")
	// A value of the type: the type is the one CreateDataType returned.
	tmExpect(t, c, tmInt(2), "tm.push", "k", "a", "b")
	tmExpect(t, c, typeOf(tmBulk("typemod-L/1/same=true"), tmBulk("*main.Val"), tmBulk("ok")), "tm.typeof", "k")
	tmExpect(t, c, tmArr(tmBulk("items=2"), tmBulk("ValueAs: the value of module type typemod-L is a *main.Val, not a string"),
		tmBulk("ValueAs: nil key"), tmBulk("ValueAs: nil module type")), "tm.valueas", "k")
	// A built-in type: no module type or value; the typed getters say
	// WRONGTYPE.
	tmExpect(t, c, "+OK\r\n", "set", "s", "x")
	tmExpect(t, c, typeOf("$-1\r\n", tmBulk("<nil>"), tmBulk(wrongType)), "tm.typeof", "s")
	tmExpect(t, c, tmArr(tmBulk(wrongType), tmBulk(wrongType), tmBulk("ValueAs: nil key"), tmBulk("ValueAs: nil module type")), "tm.valueas", "s")

	stats := func() string { return c.Do("tm.stats") }
	// ReplaceValue: the old value comes back to the module (neither
	// unlinked nor freed), the expiry stays.
	tmExpect(t, c, tmInt(1), "pexpire", "k", "100000")
	before := stats()
	tmExpect(t, c, tmArr(tmBulk("a"), tmBulk("b")), "tm.replace", "k", "x", "y", "z")
	tmExpect(t, c, tmArr(tmBulk("x"), tmBulk("y"), tmBulk("z")), "tm.get", "k")
	if got := c.Do("pttl", "k"); !strings.HasPrefix(got, ":") || got == ":-1\r\n" || got == ":-2\r\n" {
		t.Errorf("ModuleTypeReplaceValue dropped the expiry: PTTL %q", got)
	}
	for i := 0; i < 3; i++ { // collections: the old value is not the keyspace's to free
		c.Do("memory", "purge")
	}
	time.Sleep(50 * time.Millisecond)
	if got := stats(); got != before {
		t.Errorf("ModuleTypeReplaceValue unlinked or freed the old value: tm.stats %q, was %q", got, before)
	}
	tmExpect(t, c, "-ERR no such key\r\n", "tm.replace", "nokey", "x")
	tmExpect(t, c, "$-1\r\n", "tm.get", "nokey")
	tmExpect(t, c, sdkWrongType, "tm.replace", "s", "x")
	tmExpect(t, c, tmBulk("x"), "get", "s")
	tmExpect(t, c, "-ERR the key is not open for writing\r\n", "tm.replaceread", "k")
	// SetValue misuse: a nil value or type, a read-only or closed key.
	tmExpect(t, c, tmArr(tmBulk("ERR ModuleTypeSetValue: the value is nil"), tmBulk("ERR not a module type created by CreateDataType"),
		tmBulk("ERR ModuleTypeReplaceValue: the value is nil"), tmBulk("ERR the key is not open for writing"), tmBulk(closed)),
		"tm.setmisuse", "k")
	tmExpect(t, c, tmArr(tmBulk("x"), tmBulk("y"), tmBulk("z")), "tm.get", "k")
	// SetValue over a value of the type unlinks and frees it, and over a
	// string with an expiry drops both.
	tmExpect(t, c, "+OK\r\n", "tm.set", "k", "new")
	f := strings.Split(stats(), "\r\n")
	b := strings.Split(before, "\r\n")
	if f[1] == b[1] || f[2] == b[2] {
		t.Errorf("ModuleTypeSetValue over a value did not unlink and free it: %q, was %q", f, b)
	}
	tmExpect(t, c, tmInt(1), "pexpire", "s", "100000")
	tmExpect(t, c, "+OK\r\n", "tm.set", "s", "v")
	tmExpect(t, c, "+typemod-L\r\n", "type", "s")
	tmExpect(t, c, tmInt(-1), "pttl", "s")
	m.mustAlive()
}

// sdkWrongType is Redis's WRONGTYPE error reply.
const sdkWrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"

// TestModTypeUnlinkKey: Key.UnlinkKey on a key open for writing removes
// it and runs the type's Unlink, then Free (on a goroutine for a value
// whose FreeEffort is above 64).
func TestModTypeUnlinkKey(t *testing.T) {
	m := typemodServer(t, t.TempDir())
	c := m.Dial()
	stats := func() (freed, unlinked int) {
		f := strings.Split(c.Do("tm.stats"), "\r\n")
		freed, _ = strconv.Atoi(f[1][1:])
		unlinked, _ = strconv.Atoi(f[2][1:])
		return
	}
	tmExpect(t, c, tmInt(3), "tm.push", "u", "a", "b", "c")
	f0, u0 := stats()
	tmExpect(t, c, tmInt(0), "tm.unlinkkey", "u") // the open key is empty after
	tmExpect(t, c, tmInt(0), "exists", "u")
	if f, u := stats(); f-f0 != 1 || u-u0 != 1 {
		t.Errorf("UnlinkKey: %d freed, %d unlinked, want 1 and 1", f-f0, u-u0)
	}
	// A value with a free effort above 64 is freed in the background.
	items := []string{"tm.push", "big"}
	for i := 0; i < 100; i++ {
		items = append(items, "i"+strconv.Itoa(i))
	}
	tmExpect(t, c, tmInt(100), items...)
	tmExpect(t, c, tmInt(0), "tm.unlinkkey", "big")
	tmExpect(t, c, tmInt(0), "exists", "big")
	waitFor(t, func() bool { f, u := stats(); return f-f0 == 2 && u-u0 == 2 })
	// A missing key, and a string.
	tmExpect(t, c, tmInt(0), "tm.unlinkkey", "nokey")
	tmExpect(t, c, "+OK\r\n", "set", "s", "x")
	tmExpect(t, c, tmInt(0), "tm.unlinkkey", "s")
	tmExpect(t, c, tmInt(0), "exists", "s")
	if f, u := stats(); f-f0 != 2 || u-u0 != 2 {
		t.Errorf("after unlinking a missing key and a string: %d freed, %d unlinked, want 2 and 2", f-f0, u-u0)
	}
}

// tmUsedMemory reads INFO memory's used_memory.
func tmUsedMemory(t *testing.T, c *Conn) int64 {
	t.Helper()
	out := c.Do("info", "memory")
	m := regexp.MustCompile(`used_memory:(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no used_memory in INFO memory:\n%s", out)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

// TestModTypeMemory: MEMORY USAGE reports the type's MemUsage (with
// MEMORY USAGE's SAMPLES count), and INFO memory's used_memory counts a
// large value a module command made (the server measures the Go heap, so
// the bounds are loose).
func TestModTypeMemory(t *testing.T) {
	m := typemodServer(t, t.TempDir(), "maxmemory 2gb")
	c := m.Dial()
	// MemUsage: 64, and 16 plus the length of each item; with a sample
	// size, that many items scaled; plus the key (8) and its entry (24).
	tmExpect(t, c, tmInt(4), "tm.push", "s", "aaaa", strings.Repeat("b", 100), strings.Repeat("c", 100), strings.Repeat("d", 100))
	all := 64 + 20 + 3*116 + 32
	tmExpect(t, c, tmInt(all), "memory", "usage", "s")
	tmExpect(t, c, tmInt(all), "memory", "usage", "s", "samples", "0")
	tmExpect(t, c, tmInt(64+20*4+32), "memory", "usage", "s", "samples", "1")
	tmExpect(t, c, tmInt(64+(20+116)*2+32), "memory", "usage", "s", "samples", "2")

	c.Do("memory", "purge")
	u0 := tmUsedMemory(t, c)
	const n = 64 << 20
	tmExpect(t, c, "+OK\r\n", "tm.big", "big", strconv.Itoa(n))
	tmExpect(t, c, tmInt(64+16+n+32), "memory", "usage", "big")
	u1 := tmUsedMemory(t, c)
	if u1 < u0+n*9/10 || u1 > u0+4*n {
		t.Errorf("used_memory %d before a %d-byte module value, %d with it", u0, n, u1)
	}
	c.Do("memory", "purge") // a collection: the value is live
	if u := tmUsedMemory(t, c); u < u0+n*9/10 {
		t.Errorf("used_memory %d after a collection, was %d before the %d-byte value", u, u0, n)
	}
	tmExpect(t, c, tmInt(1), "del", "big")
	c.Do("memory", "purge") // now it is garbage
	if u := tmUsedMemory(t, c); u > u0+n/2 {
		t.Errorf("used_memory %d after DEL and a collection, was %d before the %d-byte value", u, u0, n)
	}
}

// TestModTypeIOKeyNames: IO.KeyName and DbID in RDBSave (SAVE, BGSAVE) and
// RDBLoad (a restart), Digest.KeyName and DbID in DEBUG DIGEST and DEBUG
// DIGEST-VALUE, and IO.LogIOError in the server's log.
func TestModTypeIOKeyNames(t *testing.T) {
	dir := t.TempDir()
	m := typemodServer(t, dir)
	c := m.Dial()
	tmExpect(t, c, tmInt(1), "tm.push", "a", "x")
	tmExpect(t, c, "+OK\r\n", "select", "5")
	tmExpect(t, c, tmInt(1), "tm.push", "b", "y")
	tmExpect(t, c, "+OK\r\n", "tm.mark", "b", "logio")
	c.Do("tm.iolog")
	c.Do("debug", "digest-value", "b")
	tmExpect(t, c, tmArr(tmBulk("digest:b:5")), "tm.iolog")
	c.Do("debug", "digest")
	tmExpect(t, c, tmArr(tmBulk("digest:a:0"), tmBulk("digest:b:5")), "tm.iolog")
	tmExpect(t, c, "+OK\r\n", "save")
	tmExpect(t, c, tmArr(tmBulk("save:a:0"), tmBulk("save:b:5")), "tm.iolog")
	if !m.waitLog("typemod: saving key b of db 5") {
		t.Errorf("LogIOError did not reach the log:\n%s", m.Log())
	}
	tmExpect(t, c, "+Background saving started\r\n", "bgsave")
	waitBgsave(t, m)
	tmExpect(t, c, tmArr(tmBulk("save:a:0"), tmBulk("save:b:5")), "tm.iolog")
	tmKill(m)

	m2 := typemodServer(t, dir)
	c2 := m2.Dial()
	tmExpect(t, c2, tmArr(tmBulk("load:a:0"), tmBulk("load:b:5")), "tm.iolog")
	if !m2.waitLog("typemod: loaded key b into db 5") {
		t.Errorf("LogIOError in RDBLoad did not reach the log:\n%s", m2.Log())
	}
	tmExpect(t, c2, "+OK\r\n", "select", "5")
	tmExpect(t, c2, tmArr(tmBulk("y")), "tm.get", "b")
}

// TestModTypeNameRules: CreateDataType's rules on the name (9 characters
// of A-Z a-z 0-9 - _, not the reserved AAAAAAAAA) and the encoding version
// (0 to 1023), through the plugin's OnLoad.
func TestModTypeNameRules(t *testing.T) {
	m := startServer(t)
	c := m.Dial()
	for _, tc := range []struct{ arg, want string }{
		{"badchar", `module type name "typemod.L": character '.' is not in A-Z a-z 0-9 - _`},
		{"reserved", `the module type name "AAAAAAAAA" is reserved`},
		{"encver-1", "module type typemod-L: encoding version -1 out of range 0-1023"},
		{"encver1024", "module type typemod-L: encoding version 1024 out of range 0-1023"},
	} {
		got := c.Do("module", "load", plugin("typemod"), tc.arg)
		if !strings.HasPrefix(got, "-ERR Error loading the extension") || !strings.Contains(got, tc.want) {
			t.Errorf("typemod %s: %q, want an error saying %q", tc.arg, got, tc.want)
		}
	}
	tmExpect(t, c, "*0\r\n", "module", "list")
	// The highest version is allowed.
	tmExpect(t, c, "+OK\r\n", "module", "load", plugin("typemod"), "encver1023")
	tmExpect(t, c, tmInt(1), "tm.push", "k", "a")
	if got := c.Do("tm.typeof", "k"); !strings.Contains(got, "typemod-L/1023/same=true") {
		t.Errorf("tm.typeof with version 1023: %q", got)
	}
}

package rdb

import (
	"bytes"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"modis/host/internal/keyspace"
)

// fakeValue exercises every ModuleWriter helper.
type fakeValue struct {
	U    uint64
	S    int64
	Str  []byte
	D    float64
	F    float32
	List []string
	Old  bool // loaded from encoding version 0 (no F)
}

// fakeType is a module type named "modistest".
type fakeType struct{ encver int }

func (fakeType) Name() string  { return "modistest" }
func (t fakeType) EncVer() int { return t.encver }

func (fakeType) Save(w *ModuleWriter, v any) error {
	fv, ok := v.(*fakeValue)
	if !ok {
		return errors.New("not a fakeValue")
	}
	w.SaveUnsigned(fv.U)
	w.SaveSigned(fv.S)
	w.SaveString(fv.Str)
	w.SaveDouble(fv.D)
	w.SaveFloat(fv.F)
	w.SaveUnsigned(uint64(len(fv.List)))
	for _, s := range fv.List {
		w.SaveString([]byte(s))
	}
	return w.Err()
}

func (fakeType) Load(r *ModuleReader, encver int) (any, error) {
	fv := &fakeValue{}
	fv.U, _ = r.LoadUnsigned()
	fv.S, _ = r.LoadSigned()
	fv.Str, _ = r.LoadString()
	fv.D, _ = r.LoadDouble()
	if encver >= 1 {
		fv.F, _ = r.LoadFloat()
	} else {
		fv.Old = true
	}
	n, _ := r.LoadUnsigned()
	for i := uint64(0); i < n && r.Err() == nil; i++ {
		s, _ := r.LoadString()
		fv.List = append(fv.List, string(s))
	}
	return fv, r.Err()
}

// selfValue implements ModuleObject itself.
type selfValue struct{ n int64 }

type selfType struct{}

func (selfType) Name() string             { return "selfvalue" }
func (selfType) EncVer() int              { return 7 }
func (*selfValue) ModuleType() ModuleType { return selfType{} }
func (selfType) Save(w *ModuleWriter, v any) error {
	w.SaveSigned(v.(*selfValue).n)
	return nil
}
func (selfType) Load(r *ModuleReader, encver int) (any, error) {
	n, err := r.LoadSigned()
	return &selfValue{n}, err
}

func sampleFake() *fakeValue {
	return &fakeValue{
		U: math.MaxUint64, S: -42, Str: []byte(strings.Repeat("compress me ", 20)),
		D: math.Pi, F: 1.5, List: []string{"a", "12345", "", "\x00bin\xff"},
	}
}

func TestModuleTypeID(t *testing.T) {
	// The layout: 9 characters of 6 bits, first highest, then 10 bits of
	// version. "AAAAAAAAA" is all zero characters.
	if id, err := ModuleTypeID("AAAAAAAAA", 5); err != nil || id != 5 {
		t.Fatalf("AAAAAAAAA/5 = %d, %v", id, err)
	}
	if id, _ := ModuleTypeID("AAAAAAAAB", 0); id != 1<<10 {
		t.Fatalf("AAAAAAAAB = %d", id)
	}
	if id, _ := ModuleTypeID("_AAAAAAAA", 1023); id != 63<<58|1023 {
		t.Fatalf("_AAAAAAAA/1023 = %#x", id)
	}
	// Real module types: RedisJSON's and RedisBloom's.
	for _, tc := range []struct {
		name   string
		encver int
		id     uint64
	}{
		{"ReJSON-RL", 3, 0},
		{"MBbloom--", 1, 0},
		{"modistest", 1, 0},
	} {
		id, err := ModuleTypeID(tc.name, tc.encver)
		if err != nil {
			t.Fatal(err)
		}
		// Independent computation.
		var want uint64
		for _, c := range []byte(tc.name) {
			want = want<<6 | uint64(strings.IndexByte(moduleTypeCharset, c))
		}
		want = want<<10 | uint64(tc.encver)
		if id != want {
			t.Errorf("%s: %#x, want %#x", tc.name, id, want)
		}
		if name, v := ModuleTypeName(id); name != tc.name || v != tc.encver {
			t.Errorf("%#x decodes to %s/%d, want %s/%d", id, name, v, tc.name, tc.encver)
		}
	}
	// ReJSON-RL v3: R=17 e=30 J=9 S=18 O=14 N=13 -=62 R=17 L=11.
	var rejson uint64
	for _, p := range []uint64{17, 30, 9, 18, 14, 13, 62, 17, 11} {
		rejson = rejson<<6 | p
	}
	if id, _ := ModuleTypeID("ReJSON-RL", 3); id != rejson<<10|3 {
		t.Errorf("ReJSON-RL = %#x", id)
	}
	for _, bad := range []struct {
		name   string
		encver int
	}{{"short", 1}, {"toolongname", 1}, {"has space", 1}, {"modis.tst", 1}, {"modistest", -1}, {"modistest", 1024}} {
		if _, err := ModuleTypeID(bad.name, bad.encver); err == nil {
			t.Errorf("ModuleTypeID(%q, %d) accepted", bad.name, bad.encver)
		}
	}
}

func TestModuleRegistry(t *testing.T) {
	r := NewModuleRegistry()
	if err := r.Register(fakeType{1}); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(fakeType{2}); err == nil {
		t.Error("duplicate name registered")
	}
	if err := r.Register(badName{}); err == nil {
		t.Error("invalid name registered")
	}
	id0, _ := ModuleTypeID("modistest", 0)
	id9, _ := ModuleTypeID("modistest", 9)
	if r.Lookup(id0) == nil || r.Lookup(id9) == nil || r.LookupName("modistest") == nil {
		t.Error("lookup by name, any version, failed")
	}
	r.Unregister("modistest")
	if r.Lookup(id0) != nil {
		t.Error("Unregister left the type")
	}
}

type badName struct{ fakeType }

func (badName) Name() string { return "bad" }

// encodeEntries writes an RDB with the given entries (key order as given).
func encodeEntries(t *testing.T, keys []string, ents []*keyspace.Entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := NewEncoder(&buf, true)
	enc.Header()
	enc.Aux("redis-ver", "7.0.15")
	enc.SelectDB(0)
	enc.ResizeDB(len(keys), 0)
	for i, k := range keys {
		if err := enc.Entry([]byte(k), ents[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Finish(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decodeAll(data []byte, reg *ModuleRegistry) (map[string]*keyspace.Entry, error) {
	got := map[string]*keyspace.Entry{}
	err := Decode(data, Handler{Modules: reg, Entry: func(db int, key []byte, e *keyspace.Entry) error {
		got[string(key)] = e
		return nil
	}})
	return got, err
}

func TestModuleValueRoundTrip(t *testing.T) {
	reg := NewModuleRegistry()
	reg.Register(fakeType{1})
	reg.Register(selfType{})
	fv := sampleFake()
	data := encodeEntries(t, []string{"m1", "m2", "s"}, []*keyspace.Entry{
		{Kind: keyspace.KindModule, Obj: &ModuleValue{Type: fakeType{1}, Value: fv}, Expire: 1 << 42},
		{Kind: keyspace.KindModule, Obj: &selfValue{-7}},
		{Kind: keyspace.KindString, Str: []byte("after")},
	})
	got, err := decodeAll(data, reg)
	if err != nil {
		t.Fatal(err)
	}
	m1 := got["m1"]
	if m1 == nil || m1.Kind != keyspace.KindModule || m1.Expire != 1<<42 {
		t.Fatalf("m1 = %+v", m1)
	}
	mv, ok := m1.Obj.(*ModuleValue)
	if !ok || mv.Type.Name() != "modistest" {
		t.Fatalf("m1.Obj = %#v", m1.Obj)
	}
	if !reflect.DeepEqual(mv.Value, fv) {
		t.Errorf("m1 value = %+v, want %+v", mv.Value, fv)
	}
	if sv, ok := got["m2"].Obj.(*selfValue); !ok || sv.n != -7 {
		t.Errorf("m2 = %#v", got["m2"].Obj)
	}
	if string(got["s"].Str) != "after" {
		t.Errorf("the key after the module values: %+v", got["s"])
	}
	// Saving what was loaded writes the same bytes again (minus nothing:
	// same ctime-free header).
	again := encodeEntries(t, []string{"m1", "m2", "s"}, []*keyspace.Entry{got["m1"], got["m2"], got["s"]})
	if !bytes.Equal(again, data) {
		t.Error("re-encoding the loaded values changed the file")
	}

	// The bytes of the value: type 7, key, id (64-bit length), opcodes.
	id, _ := ModuleTypeID("modistest", 1)
	var want bytes.Buffer
	e := NewEncoder(&want, true)
	e.byte1(TypeModule2)
	e.String([]byte("m2"))
	sid, _ := ModuleTypeID("selfvalue", 7)
	e.Length(sid)
	e.Length(ModuleOpSInt)
	e.Length(uint64(0xFFFFFFFFFFFFFFF9))
	e.Length(ModuleOpEOF)
	e.Flush()
	if !bytes.Contains(data, want.Bytes()) {
		t.Errorf("m2's encoding %x not found in %x", want.Bytes(), data)
	}
	idBytes := []byte{len64bit, byte(id >> 56), byte(id >> 48), byte(id >> 40), byte(id >> 32), byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id)}
	if !bytes.Contains(data, idBytes) {
		t.Errorf("the modistest id is not written as a 64-bit length")
	}

	// Loading with the process registry (Handler.Modules nil).
	if _, err := decodeAll(data, nil); err == nil || !strings.Contains(err.Error(), "module type modistest (id "+strconv.FormatUint(id, 10)+") is not loaded") {
		t.Errorf("unregistered type: %v", err)
	}
	Modules.Register(fakeType{1})
	Modules.Register(selfType{})
	defer Modules.Unregister("modistest")
	defer Modules.Unregister("selfvalue")
	if _, err := decodeAll(data, nil); err != nil {
		t.Errorf("with the process registry: %v", err)
	}
}

// An older encoding version in the file reaches Load: a value saved by
// version 0 of the type (no float) loads with a version 1 type.
func TestModuleValueOldEncVer(t *testing.T) {
	reg := NewModuleRegistry()
	reg.Register(fakeType{1})
	v0 := v0Type{}
	fv := sampleFake()
	data := encodeEntries(t, []string{"k"}, []*keyspace.Entry{{Kind: keyspace.KindModule, Obj: &ModuleValue{Type: v0, Value: fv}}})
	got, err := decodeAll(data, reg)
	if err != nil {
		t.Fatal(err)
	}
	lv := got["k"].Obj.(*ModuleValue).Value.(*fakeValue)
	if !lv.Old || lv.F != 0 || lv.U != fv.U || !reflect.DeepEqual(lv.List, fv.List) {
		t.Errorf("loaded %+v", lv)
	}
}

// v0Type saves like version 0 of fakeType: no float.
type v0Type struct{ fakeType }

func (v0Type) EncVer() int { return 0 }
func (v0Type) Save(w *ModuleWriter, v any) error {
	fv := v.(*fakeValue)
	w.SaveUnsigned(fv.U)
	w.SaveSigned(fv.S)
	w.SaveString(fv.Str)
	w.SaveDouble(fv.D)
	w.SaveUnsigned(uint64(len(fv.List)))
	for _, s := range fv.List {
		w.SaveString([]byte(s))
	}
	return nil
}

func TestModuleValueErrors(t *testing.T) {
	reg := NewModuleRegistry()
	reg.Register(fakeType{1})
	fv := sampleFake()
	// A type that writes other opcodes than the loader reads.
	data := encodeEntries(t, []string{"k"}, []*keyspace.Entry{{Kind: keyspace.KindModule, Obj: &ModuleValue{Type: swapped{}, Value: fv}}})
	if _, err := decodeAll(data, reg); err == nil || !strings.Contains(err.Error(), "reads a unsigned integer but the file holds signed integer") {
		t.Errorf("wrong opcode: %v", err)
	}
	// A value with a trailing field the loader does not read: no EOF.
	data = encodeEntries(t, []string{"k"}, []*keyspace.Entry{{Kind: keyspace.KindModule, Obj: &ModuleValue{Type: extra{fakeType{1}}, Value: fv}}})
	if _, err := decodeAll(data, reg); err == nil || !strings.Contains(err.Error(), "not terminated by the module value EOF marker") {
		t.Errorf("missing EOF: %v", err)
	}
	// Truncated inside the value.
	good := encodeEntries(t, []string{"k"}, []*keyspace.Entry{{Kind: keyspace.KindModule, Obj: &ModuleValue{Type: fakeType{1}, Value: fv}}})
	for cut := 30; cut < len(good)-10; cut += 7 {
		if _, err := decodeAll(good[:cut], reg); err == nil {
			t.Fatalf("file cut at %d loaded", cut)
		}
	}
	// The type's Load failing.
	failing := NewModuleRegistry()
	failing.Register(failType{})
	if _, err := decodeAll(good, failing); err == nil || !strings.Contains(err.Error(), "module type modistest: loading: boom") {
		t.Errorf("Load error: %v", err)
	}
	// The type's Load panicking.
	panicking := NewModuleRegistry()
	panicking.Register(panicType{})
	if _, err := decodeAll(good, panicking); err == nil || !strings.Contains(err.Error(), "loading: panic: oops") {
		t.Errorf("Load panic: %v", err)
	}
	// Saving: an Obj without a type; a Save error; a Save panic.
	var buf bytes.Buffer
	enc := NewEncoder(&buf, false)
	if err := enc.Entry([]byte("k"), &keyspace.Entry{Kind: keyspace.KindModule, Obj: 42}); err == nil {
		t.Error("a module value without a type was saved")
	}
	if IsSavableModuleValue(42) || !IsSavableModuleValue(&selfValue{}) || IsSavableModuleValue(&ModuleValue{}) {
		t.Error("IsSavableModuleValue")
	}
	if err := enc.Entry([]byte("k"), &keyspace.Entry{Kind: keyspace.KindModule, Obj: &ModuleValue{Type: fakeType{1}, Value: "wrong"}}); err == nil || !strings.Contains(err.Error(), "not a fakeValue") {
		t.Errorf("Save error: %v", err)
	}
	if err := enc.Entry([]byte("k"), &keyspace.Entry{Kind: keyspace.KindModule, Obj: &ModuleValue{Type: panicType{}, Value: fv}}); err == nil || !strings.Contains(err.Error(), "saving: panic: oops") {
		t.Errorf("Save panic: %v", err)
	}
	if err := enc.Entry([]byte("k"), &keyspace.Entry{Kind: keyspace.KindModule, Obj: &ModuleValue{Type: badName{}, Value: fv}}); err == nil {
		t.Error("a type with an invalid name was saved")
	}
}

type swapped struct{ fakeType }

func (swapped) Save(w *ModuleWriter, v any) error {
	w.SaveSigned(1)
	return nil
}

type extra struct{ fakeType }

func (extra) Save(w *ModuleWriter, v any) error {
	fakeType{1}.Save(w, v)
	w.SaveDouble(1)
	return nil
}

type panicType struct{ fakeType }

func (panicType) Save(w *ModuleWriter, v any) error             { panic("oops") }
func (panicType) Load(r *ModuleReader, encver int) (any, error) { panic("oops") }

type failType struct{ fakeType }

func (failType) Load(r *ModuleReader, encver int) (any, error) { return nil, errors.New("boom") }

// The old MODULE type (6) has no opcodes and no EOF marker.
func TestModuleValueV1(t *testing.T) {
	reg := NewModuleRegistry()
	reg.Register(selfType{})
	var buf bytes.Buffer
	e := NewEncoder(&buf, false)
	e.Header()
	e.byte1(TypeModule)
	e.String([]byte("old"))
	id, _ := ModuleTypeID("selfvalue", 2)
	e.Length(id)
	e.Length(uint64(123))
	if err := e.Finish(); err != nil {
		t.Fatal(err)
	}
	got, err := decodeAll(buf.Bytes(), reg)
	if err != nil {
		t.Fatal(err)
	}
	if sv, ok := got["old"].Obj.(*selfValue); !ok || sv.n != 123 {
		t.Errorf("old = %#v", got["old"].Obj)
	}
}

// Redis's own tools read the file: redis-check-rdb parses module values
// generically through the opcodes, and redis-server refuses the file
// naming the type it does not have.
func TestModuleValueRedisTools(t *testing.T) {
	check, err := exec.LookPath("redis-check-rdb")
	if err != nil {
		t.Skip("redis-check-rdb not installed")
	}
	var buf bytes.Buffer
	enc := NewEncoder(&buf, true)
	enc.Header()
	enc.Aux("redis-ver", "7.0.15")
	enc.AuxInt("redis-bits", 64)
	enc.SelectDB(0)
	enc.ResizeDB(2, 0)
	enc.Entry([]byte("mod"), &keyspace.Entry{Kind: keyspace.KindModule, Obj: &ModuleValue{Type: fakeType{1}, Value: sampleFake()}})
	enc.Entry([]byte("str"), &keyspace.Entry{Kind: keyspace.KindString, Str: []byte("v")})
	if err := enc.Finish(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "dump.rdb")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(check, path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "RDB looks OK") || !strings.Contains(string(out), "2 keys read") {
		t.Fatalf("redis-check-rdb: %v\n%s", err, out)
	}
	if testing.Verbose() {
		t.Logf("redis-check-rdb:\n%s", out)
	}
	// Cut inside the module value, after the first opcode: the error names
	// the module type redis-check-rdb decoded from the id.
	id, _ := ModuleTypeID("modistest", 1)
	idAt := bytes.Index(buf.Bytes(), []byte{len64bit, byte(id >> 56), byte(id >> 48)})
	if idAt < 0 {
		t.Fatal("id not found")
	}
	cut := filepath.Join(dir, "cut.rdb")
	os.WriteFile(cut, buf.Bytes()[:idAt+9+1], 0o644)
	out, _ = exec.Command(check, cut).CombinedOutput()
	if !strings.Contains(string(out), "module modistest value") {
		t.Errorf("redis-check-rdb of a cut module value does not name modistest:\n%s", out)
	} else if testing.Verbose() {
		t.Logf("redis-check-rdb of a cut file:\n%s", out)
	}
	server, err := exec.LookPath("redis-server")
	if err != nil {
		return
	}
	// Loading (no TCP port, a unix socket: it exits at the load failure).
	out, _ = exec.Command(server, "--port", "0", "--unixsocket", filepath.Join(dir, "sock"), "--dir", dir, "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no").CombinedOutput()
	if !strings.Contains(string(out), "no matching module type 'modistest'") {
		t.Errorf("redis-server loading the file:\n%s", out)
	}
}

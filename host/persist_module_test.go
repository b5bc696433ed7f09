package host

import (
	"strings"
	"testing"

	"modis/host/internal/keyspace"
	"modis/host/internal/rdb"
)

// counterType is a module data type for the test: a named counter.
type counterType struct{}

type counterValue struct {
	name string
	n    int64
}

func (counterType) Name() string { return "modistest" }
func (counterType) EncVer() int  { return 1 }
func (counterType) Save(w *rdb.ModuleWriter, v any) error {
	cv := v.(*counterValue)
	w.SaveString([]byte(cv.name))
	w.SaveSigned(cv.n)
	return nil
}
func (counterType) Load(r *rdb.ModuleReader, encver int) (any, error) {
	name, _ := r.LoadString()
	n, _ := r.LoadSigned()
	return &counterValue{string(name), n}, r.Err()
}

func (*counterValue) ModuleType() rdb.ModuleType { return counterType{} }

func TestSaveModuleValues(t *testing.T) {
	if err := rdb.Modules.Register(counterType{}); err != nil {
		t.Fatal(err)
	}
	defer rdb.Modules.Unregister("modistest")
	s, c := newTestServer(t)
	s.cfg.Dir = t.TempDir()
	do(t, c, "SET", "s", "v")
	s.dbs[0].Set([]byte("mod"), &keyspace.Entry{Kind: keyspace.KindModule, Obj: &counterValue{"hits", -12}})
	// A module value whose type is unknown is skipped, with a warning.
	s.dbs[0].Set([]byte("anon"), &keyspace.Entry{Kind: keyspace.KindModule, Obj: struct{}{}})
	if got := do(t, c, "DEBUG", "RELOAD"); got != "+OK\r\n" {
		t.Fatalf("DEBUG RELOAD: %q", got)
	}
	if got := do(t, c, "DBSIZE"); got != ":2\r\n" {
		t.Errorf("DBSIZE after reload: %q", got)
	}
	if got := do(t, c, "TYPE", "mod"); got != "+modistest\r\n" { // the type's name, as Redis
		t.Errorf("TYPE mod: %q", got)
	}
	e := s.dbs[0].RawLookup([]byte("mod"))
	if cv, ok := e.Obj.(*counterValue); !ok || cv.name != "hits" || cv.n != -12 {
		t.Errorf("mod after reload: %#v", e.Obj)
	}
	// Without the type, the file does not load, naming the type.
	rdb.Modules.Unregister("modistest")
	for _, db := range s.dbs {
		db.Flush()
	}
	err := s.loadRDB()
	if err == nil || !strings.Contains(err.Error(), "module type modistest (id ") || !strings.Contains(err.Error(), "is not loaded") {
		t.Errorf("loading without the type: %v", err)
	}
}

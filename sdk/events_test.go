package sdk

import (
	"sort"
	"strings"
	"testing"
)

func TestServerInfoData(t *testing.T) {
	d := NewServerInfoData(map[string]string{"n": "-42", "u": "18446744073709551615", "f": "0.5", "s": "text"})
	if v, ok := d.GetFieldC("s"); !ok || v != "text" {
		t.Fatalf("GetFieldC(s) = %q, %v", v, ok)
	}
	if v, ok := d.GetField("s"); !ok || v.String() != "text" {
		t.Fatalf("GetField(s) = %q, %v", v.String(), ok)
	}
	if _, ok := d.GetField("missing"); ok {
		t.Fatal("GetField(missing) found something")
	}
	if n, err := d.GetFieldSigned("n"); err != nil || n != -42 {
		t.Fatalf("GetFieldSigned(n) = %d, %v", n, err)
	}
	if _, err := d.GetFieldSigned("s"); err != ErrNotInteger {
		t.Fatalf("GetFieldSigned(s) error = %v", err)
	}
	if _, err := d.GetFieldSigned("missing"); err != ErrNoField {
		t.Fatalf("GetFieldSigned(missing) error = %v", err)
	}
	if u, err := d.GetFieldUnsigned("u"); err != nil || u != 18446744073709551615 {
		t.Fatalf("GetFieldUnsigned(u) = %d, %v", u, err)
	}
	if _, err := d.GetFieldUnsigned("n"); err != ErrNotInteger {
		t.Fatalf("GetFieldUnsigned(n) error = %v", err)
	}
	if f, err := d.GetFieldDouble("f"); err != nil || f != 0.5 {
		t.Fatalf("GetFieldDouble(f) = %v, %v", f, err)
	}
	if _, err := d.GetFieldDouble("s"); err != ErrNotFloat {
		t.Fatalf("GetFieldDouble(s) error = %v", err)
	}
	names := d.Fields()
	sort.Strings(names)
	if strings.Join(names, ",") != "f,n,s,u" {
		t.Fatalf("Fields = %v", names)
	}
	var none *ServerInfoData
	if _, ok := none.GetFieldC("x"); ok || none.Fields() != nil {
		t.Fatal("a nil ServerInfoData has fields")
	}
}

func TestNotifyAll(t *testing.T) {
	if NotifyAll&(NotifyKeyMiss|NotifyNew|NotifyLoaded|NotifyKeyspace|NotifyKeyevent) != 0 {
		t.Fatal("NotifyAll holds a class 'A' does not")
	}
	if NotifyAll != 10236 { // Redis 7.0's REDISMODULE_NOTIFY_ALL
		t.Fatalf("NotifyAll = %d", NotifyAll)
	}
}

package sdk

import (
	"errors"
	"strings"
	"testing"
)

// fakeType and fakeKey stand in for the server's: the key holds one value
// of one type, or nothing, or "another kind" of value.
type fakeType string

func (t fakeType) Name() string { return string(t) }
func (t fakeType) EncVer() int  { return 0 }

type fakeKey struct {
	Key   // the methods ValueAs does not call
	t     ModuleType
	v     any
	other bool // holds a built-in type
}

func (k *fakeKey) ModuleTypeValue(t ModuleType) (any, error) {
	switch {
	case k.other, k.v != nil && k.t != t:
		return nil, ErrWrongType
	case k.v == nil:
		return nil, nil
	}
	return k.v, nil
}

type counter struct{ n int }

func TestValueAs(t *testing.T) {
	ct, other := fakeType("counter01"), fakeType("otherType")
	c := &counter{3}
	tests := []struct {
		name    string
		key     Key
		t       ModuleType
		want    *counter
		wantErr string
	}{
		{"the value", &fakeKey{t: ct, v: c}, ct, c, ""},
		{"empty key", &fakeKey{}, ct, nil, ""},
		{"another module type", &fakeKey{t: other, v: c}, ct, nil, "WRONGTYPE"},
		{"a built-in type", &fakeKey{other: true}, ct, nil, "WRONGTYPE"},
		{"a value that is not a T", &fakeKey{t: ct, v: "a string"}, ct, nil, "is a string, not a *sdk.counter"},
		{"nil key", nil, ct, nil, "nil key"},
		{"nil type", &fakeKey{}, nil, nil, "nil module type"},
	}
	for _, tt := range tests {
		got, err := ValueAs[*counter](tt.key, tt.t)
		if got != tt.want {
			t.Errorf("%s: value %v, want %v", tt.name, got, tt.want)
		}
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: error %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: error %v, want one saying %q", tt.name, err, tt.wantErr)
		}
	}
	// The WRONGTYPE error is ErrWrongType itself, for errors.Is.
	if _, err := ValueAs[*counter](&fakeKey{other: true}, ct); !errors.Is(err, ErrWrongType) {
		t.Errorf("not ErrWrongType: %v", err)
	}
	// An interface type works too.
	if v, err := ValueAs[any](&fakeKey{t: ct, v: c}, ct); v != c || err != nil {
		t.Errorf("ValueAs[any]: %v %v", v, err)
	}
}

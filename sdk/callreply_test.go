package sdk

import "testing"

// The reply types keep Redis's REDISMODULE_REPLY_* numbers, and their names.
func TestReplyType(t *testing.T) {
	tests := []struct {
		typ  ReplyType
		num  int
		name string
	}{
		{ReplyUnknown, -1, "unknown"},
		{ReplyString, 0, "string"},
		{ReplyError, 1, "error"},
		{ReplyInteger, 2, "integer"},
		{ReplyArray, 3, "array"},
		{ReplyNull, 4, "null"},
		{ReplyMap, 5, "map"},
		{ReplySet, 6, "set"},
		{ReplyBool, 7, "bool"},
		{ReplyDouble, 8, "double"},
		{ReplyBigNumber, 9, "bignumber"},
		{ReplyVerbatim, 10, "verbatim"},
		{ReplyAttribute, 11, "attribute"},
		// Values Redis does not define.
		{ReplyType(12), 12, "unknown"},
		{ReplyType(-2), -2, "unknown"},
		{ReplyType(1 << 20), 1 << 20, "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if int(tt.typ) != tt.num {
				t.Errorf("%s = %d, want %d", tt.name, int(tt.typ), tt.num)
			}
			if got := tt.typ.String(); got != tt.name {
				t.Errorf("ReplyType(%d).String() = %q, want %q", tt.num, got, tt.name)
			}
		})
	}
	// Every defined type has its own name.
	seen := map[string]ReplyType{}
	for typ := ReplyUnknown; typ <= ReplyAttribute; typ++ {
		name := typ.String()
		if prev, ok := seen[name]; ok {
			t.Errorf("%d and %d are both named %q", prev, typ, name)
		}
		seen[name] = typ
	}
}

// fakeReply shows that CallReply can be implemented outside the server (a
// module's tests can fake Call's replies).
type fakeReply struct{ n int64 }

func (f fakeReply) Type() ReplyType                       { return ReplyInteger }
func (f fakeReply) Integer() int64                        { return f.n }
func (f fakeReply) Double() float64                       { return 0 }
func (f fakeReply) Bytes() []byte                         { return nil }
func (f fakeReply) String() string                        { return "" }
func (f fakeReply) Error() string                         { return "" }
func (f fakeReply) Length() int                           { return 0 }
func (f fakeReply) ArrayElement(int) CallReply            { return f }
func (f fakeReply) MapElement(int) (CallReply, CallReply) { return f, f }
func (f fakeReply) Proto() []byte                         { return []byte(":1\r\n") }
func (f fakeReply) CreateString() String                  { return CreateStringFromLongLong(f.n) }
func (f fakeReply) SetElement(int) CallReply              { return f }
func (f fakeReply) Bool() bool                            { return false }
func (f fakeReply) BigNumber() string                     { return "" }
func (f fakeReply) Verbatim() (string, string)            { return "", "" }
func (f fakeReply) Attribute() CallReply                  { return f }
func (f fakeReply) AttributeElement(int) (CallReply, CallReply) {
	return f, f
}

func TestCallReplyInterface(t *testing.T) {
	var r CallReply = fakeReply{n: 7}
	if r.Type() != ReplyInteger || r.Integer() != 7 || r.CreateString().String() != "7" {
		t.Errorf("fake reply: %s %d %q", r.Type(), r.Integer(), r.CreateString())
	}
}

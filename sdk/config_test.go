package sdk

import (
	"bytes"
	"testing"
)

func TestGetRandomHexChars(t *testing.T) {
	for _, n := range []int{0, 1, 7, 40} {
		b := make([]byte, n)
		GetRandomHexChars(b)
		for _, c := range b {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				t.Fatalf("GetRandomHexChars(%d) = %q", n, b)
			}
		}
	}
	a, b := make([]byte, 32), make([]byte, 32)
	GetRandomBytes(a)
	GetRandomBytes(b)
	if bytes.Equal(a, b) || bytes.Equal(a, make([]byte, 32)) {
		t.Fatalf("GetRandomBytes is not random: %x %x", a, b)
	}
}

// The flag values are Redis's: modules ported from C compare them with the
// numbers of redismodule.h.
func TestConfigConstantsMatchRedis(t *testing.T) {
	for _, c := range []struct {
		got, want int64
		name      string
	}{
		{int64(CtxFlagsMultiDirty), 1 << 19, "CTX_FLAGS_MULTI_DIRTY"},
		{int64(CtxFlagsDenyBlocking), 1 << 21, "CTX_FLAGS_DENY_BLOCKING"},
		{int64(CtxFlagsServerStartup), 1 << 24, "CTX_FLAGS_SERVER_STARTUP"},
		{int64(ConfigHidden), 1 << 4, "CONFIG_HIDDEN"},
		{int64(ConfigBitFlags), 1 << 8, "CONFIG_BITFLAGS"},
		{int64(CmdKeyVariableFlags), 1 << 10, "CMD_KEY_VARIABLE_FLAGS"},
		{int64(ArgTypeBlock), 8, "ARG_TYPE_BLOCK"},
		{int64(KSpecBSKeyword), 3, "KSPEC_BS_KEYWORD"},
		{int64(KSpecFKKeyNum), 3, "KSPEC_FK_KEYNUM"},
		{int64(ModuleOptionHandleReplAsyncLoad), 1 << 2, "OPTIONS_HANDLE_REPL_ASYNC_LOAD"},
	} {
		if c.got != c.want {
			t.Errorf("REDISMODULE_%s = %d, want %d", c.name, c.got, c.want)
		}
	}
}

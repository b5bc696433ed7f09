package sdktest_test

import (
	"strings"
	"testing"

	"modis/sdk"
	"modis/sdk/sdktest"
)

// A module config line in Options.Config reaches the module's load, as a
// config file's line does, at every start.
func TestHarnessModuleConfig(t *testing.T) {
	var value int64
	onLoad := func(ctx sdk.Ctx, _ []sdk.String) error {
		if err := ctx.Init("knob", 1, sdk.APIVER_1); err != nil {
			return err
		}
		if err := ctx.RegisterNumericConfig("level", 1, sdk.ConfigDefault, 0, 100,
			func(string) int64 { return value },
			func(_ string, v int64) error { value = v; return nil },
			nil); err != nil {
			return err
		}
		return ctx.LoadConfigs()
	}
	h := sdktest.NewWithOptions(t, onLoad, sdktest.Options{Config: []string{"knob.level 7", "maxmemory 10mb", "knob.level 42"}})
	h.MustEqual([]string{"knob.level", "42"}, "CONFIG", "GET", "knob.level")
	h.MustEqual("OK", "CONFIG", "SET", "knob.level", "9")
	h.Restart()
	h.MustEqual([]string{"knob.level", "42"}, "CONFIG", "GET", "knob.level")
	h.MustEqual([]string{"maxmemory", "10485760"}, "CONFIG", "GET", "maxmemory")
	// A config the module does not register fails the load.
	ft := &fakeT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sdktest.NewWithOptions(ft, onLoad, sdktest.Options{Config: []string{"knob.nosuch 1"}})
	}()
	<-done
	if !strings.Contains(ft.failed, "knob.nosuch") {
		t.Errorf("a config the module does not register: %q", ft.failed)
	}
}

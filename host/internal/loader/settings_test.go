package loader

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestSelf(t *testing.T) {
	s, err := Self()
	if err != nil {
		t.Fatal(err)
	}
	if s.GoVersion == "" || s.GOOS == "" || s.GOARCH == "" {
		t.Errorf("incomplete settings: %+v", s)
	}
	if s.BuildMode() != "exe" {
		t.Errorf("build mode %q, want exe", s.BuildMode())
	}
	// This package links plugin, so the linker emitted fingerprints, and
	// modis/sdk is among the packages.
	for _, pkg := range []string{"runtime", "plugin", "modis/sdk"} {
		if _, ok := s.Fingerprints[pkg]; !ok {
			t.Errorf("no fingerprint for %s among %d", pkg, len(s.Fingerprints))
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	f, err := SettingsOf(exe)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Fingerprints, s.Fingerprints) {
		t.Error("SettingsOf(os.Executable()) and Self() disagree on fingerprints")
	}
	if !reflect.DeepEqual(f.Build, s.Build) || f.GoVersion != s.GoVersion {
		t.Errorf("SettingsOf(os.Executable()) = %+v, Self() = %+v", f.Build, s.Build)
	}
	if again, _ := Self(); again != s {
		t.Error("Self is not computed once")
	}
}

func TestSettingDiffs(t *testing.T) {
	base := func() *Settings {
		return &Settings{
			GoVersion: "go1.26.8", GOOS: "linux", GOARCH: "amd64",
			Build: map[string]string{
				"-buildmode": "plugin", "-compiler": "gc", "-trimpath": "true",
				"CGO_ENABLED": "1", "GOAMD64": "v1",
			},
			Deps: map[string]string{"example.com/a": "v1.0.0 h1:x"},
		}
	}
	tests := []struct {
		name      string
		plugin    func(*Settings)
		server    func(*Settings)
		checkDeps bool
		want      []string
	}{
		{name: "equal"},
		{name: "build mode and ldflags are not compared",
			server: func(s *Settings) { s.Build["-buildmode"] = "exe"; s.Build["-ldflags"] = "-X main.v=1" }},
		{name: "go version", plugin: func(s *Settings) { s.GoVersion = "go1.26.7" },
			want: []string{"built with go1.26.7, the server with go1.26.8"}},
		{name: "target", plugin: func(s *Settings) { s.GOARCH = "arm64" },
			want: []string{"built for linux/arm64, the server for linux/amd64"}},
		{name: "gcflags", plugin: func(s *Settings) { s.Build["-gcflags"] = "all=-N -l" },
			want: []string{`built with -gcflags="all=-N -l", the server with -gcflags=""`}},
		{name: "race on the server", server: func(s *Settings) { s.Build["-race"] = "true" },
			want: []string{"built without -race, the server with -race"}},
		{name: "trimpath false equals absent", plugin: func(s *Settings) { s.Build["-trimpath"] = "false" },
			server: func(s *Settings) { delete(s.Build, "-trimpath") }},
		{name: "cover", plugin: func(s *Settings) { s.Build["-cover"] = "true" },
			want: []string{"built with -cover, the server without -cover"}},
		{name: "tags order does not matter",
			plugin: func(s *Settings) { s.Build["-tags"] = "b,a" }, server: func(s *Settings) { s.Build["-tags"] = "a,b" }},
		{name: "tags", plugin: func(s *Settings) { s.Build["-tags"] = "netgo" },
			want: []string{`built with -tags="netgo", the server with -tags=""`}},
		{name: "cgo", plugin: func(s *Settings) { s.Build["CGO_ENABLED"] = "0" },
			want: []string{"built with CGO_ENABLED=0, the server with CGO_ENABLED=1"}},
		{name: "arch level and experiment",
			plugin: func(s *Settings) { s.Build["GOAMD64"] = "v3"; s.Build["GOEXPERIMENT"] = "nogreenteagc" },
			want: []string{"built with GOAMD64=v3, the server with GOAMD64=v1",
				"built with GOEXPERIMENT=nogreenteagc, the server with GOEXPERIMENT unset"}},
		{name: "deps ignored without checkDeps",
			plugin: func(s *Settings) { s.Deps["example.com/a"] = "v1.1.0 h1:y" }},
		{name: "deps", checkDeps: true,
			plugin: func(s *Settings) { s.Deps["example.com/a"] = "v1.1.0 h1:y"; s.Deps["example.com/only"] = "v1.0.0" },
			want:   []string{"built with module example.com/a v1.1.0 h1:y, the server with v1.0.0 h1:x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, s := base(), base()
			if tt.plugin != nil {
				tt.plugin(p)
			}
			if tt.server != nil {
				tt.server(s)
			}
			got := settingDiffs(p, s, tt.checkDeps)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("settingDiffs =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestCompareFingerprints(t *testing.T) {
	fp := func(b byte) [8]byte { return [8]byte{b} }
	server := &Settings{
		Build:        map[string]string{},
		Deps:         map[string]string{"example.com/m": "v1.0.0"},
		Fingerprints: map[string][8]byte{"runtime": fp(1), "modis/sdk": fp(2), "example.com/m/p": fp(3)},
	}
	plugin := &Settings{
		Build:        map[string]string{},
		Deps:         map[string]string{"example.com/m": "v1.1.0", "example.com/other": "v9"},
		Fingerprints: map[string][8]byte{"runtime": fp(1), "modis/sdk": fp(9), "example.com/m/p": fp(9), "example.com/x": fp(5), "main": fp(7)},
	}
	loaded := map[string]fpOwner{"example.com/x": {fp(6), "/mods/a.so"}}
	err := compare("p.so", plugin, server, loaded)
	wantErr(t, err, "p.so",
		"packages example.com/m/p (module example.com/m v1.1.0, the server's v1.0.0) and modis/sdk differ from the server's: rebuild the plugin against the server's source",
		"package example.com/x differs from the one in the module already loaded from /mods/a.so")
	if err := compare("p.so", plugin, plugin, nil); err != nil {
		t.Errorf("compare with itself: %v", err)
	}
	// Without fingerprints on one side, dependency versions are compared.
	bare := cloneSettings(server)
	bare.Fingerprints = nil
	err = compare("p.so", plugin, bare, nil)
	wantErr(t, err, "p.so", "built with module example.com/m v1.1.0, the server with v1.0.0")
}

func TestPathToPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"modis/plugins/example":  "modis/plugins/example",
		"example.com/foo.bar":    "example.com/foo%2ebar",
		"example.com/a b/c\"d%e": "example.com/a%20b/c%22d%25e",
	} {
		if got := pathToPrefix(in); got != want {
			t.Errorf("pathToPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPackageList(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{
		{[]string{"a"}, "package a differs"},
		{[]string{"a", "b"}, "packages a and b differ"},
		{[]string{"a", "b", "c"}, "packages a, b and c differ"},
	} {
		if got := packageList(tt.in); got != tt.want {
			t.Errorf("packageList(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestComparedSetting(t *testing.T) {
	yes := []string{"-race", "-trimpath", "-gcflags", "-asmflags", "-tags", "-cover", "CGO_ENABLED", "GOAMD64", "GOARM", "GO386", "GOEXPERIMENT", "GOFIPS140", "-compiler"}
	no := []string{"-buildmode", "-ldflags", "-pgo", "GOOS", "GOARCH", "DefaultGODEBUG", "CGO_CFLAGS", "vcs.revision", "GO"}
	for _, k := range yes {
		if !comparedSetting(k) {
			t.Errorf("%s is not compared", k)
		}
	}
	for _, k := range no {
		if comparedSetting(k) {
			t.Errorf("%s is compared", k)
		}
	}
	if !strings.Contains(fixHint, "scripts/build-plugins.sh") {
		t.Error("the fix hint does not name the build script")
	}
}

package host

import (
	"fmt"
	"runtime"
	"sort"
	"strings"

	"modis/host/internal/loader"
	"modis/sdk"
)

// CheckModule runs the module loader's preflight on path without loading
// it: nil means this server can load the file.
func CheckModule(path string) error {
	self, err := loader.Self()
	if err != nil {
		return fmt.Errorf("read the server's own build settings: %w", err)
	}
	_, err = loader.Preflight(path, self)
	return err
}

// BuildReport describes this server build: its versions and the build
// settings every plugin must match, for `server version`.
func BuildReport() (string, error) {
	self, err := loader.Self()
	if err != nil {
		return "", fmt.Errorf("read the server's own build settings: %w", err)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "modis %s (redis %s compatible)\n", Version, RedisVersion)
	fmt.Fprintf(&sb, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(&sb, "sdk API version: %d\n", sdk.APIVersion)
	sb.WriteString("plugins must be built with the same Go version and these settings:\n")
	keys := make([]string, 0, len(self.Build))
	for k := range self.Build {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "-buildmode" || k == "-ldflags" {
			continue
		}
		fmt.Fprintf(&sb, "  %s=%s\n", k, self.Build[k])
	}
	fmt.Fprintf(&sb, "linked packages with fingerprints: %d\n", len(self.Fingerprints))
	return sb.String(), nil
}

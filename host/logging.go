package host

import (
	"io"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// hclogLevel maps Redis's log levels onto go-hclog's.
func hclogLevel(level string) hclog.Level {
	switch strings.ToLower(level) {
	case "debug":
		return hclog.Trace
	case "verbose":
		return hclog.Debug
	case "notice":
		return hclog.Info
	case "warning":
		return hclog.Warn
	}
	return hclog.Info
}

// NewLogger builds the server's root logger from the config's loglevel and
// log-format, writing to out.
func NewLogger(cfg Config, out io.Writer) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:       "modis",
		Level:      hclogLevel(cfg.LogLevel),
		Output:     out,
		JSONFormat: cfg.LogFormat == "json",
	})
}

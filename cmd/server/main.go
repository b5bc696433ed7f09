// Command server runs Modis: flags and a redis.conf-style file become a
// host.Config, and host does the rest.
//
//	server [--config FILE | FILE] [--port N] [--bind ADDR] [--loadmodule "path args"]...
//	server version
//	server check-module PATH
package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"modis/host"
)

func main() {
	root := newRootCmd()
	args, modCfgs := splitModuleConfigFlags(os.Args[1:])
	moduleConfigFlags = modCfgs
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		var pe printedError
		if !errors.As(err, &pe) {
			fmt.Fprintf(os.Stderr, "*** FATAL CONFIG ERROR *** %v\n", err)
		}
		os.Exit(1)
	}
}

// moduleConfigFlags are the --<module>.<name> value flags: module configs,
// which cobra does not know (they depend on the modules loaded). They are
// applied after the config file, like the other flags, and wait for their
// module's LoadConfigs.
var moduleConfigFlags []moduleConfigFlag

type moduleConfigFlag struct {
	name, value string
	values      []string // several values (--save 900 1 300 10)
	hasValue    bool
}

// cobraFlags are the flags the root command defines itself; any other
// --name is a configuration parameter, as redis-server takes them.
var cobraFlags = map[string]bool{
	"config": true, "port": true, "bind": true, "loadmodule": true, "loglevel": true,
	"log-format": true, "enable-module-command": true, "databases": true, "help": true,
}

// splitModuleConfigFlags takes out of args the flags that set configuration
// parameters the root command does not define itself: --<module>.<name>
// value (module configs, which depend on the modules loaded) and any other
// --<parameter> value [value ...] (e.g. --dir /tmp --save "" --appendonly
// yes), as redis-server accepts every redis.conf directive as a flag. A
// parameter's values run up to the next argument starting with "--"; the
// --name=value form takes exactly one. Unknown names are refused later, by
// the parameter table, with Redis's message.
func splitModuleConfigFlags(args []string) (rest []string, mods []moduleConfigFlag) {
	rest = []string{} // not nil: cobra would read os.Args again
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !strings.HasPrefix(a, "--") || a == "--" || cobraFlags[name] {
			rest = append(rest, a)
			continue
		}
		if i+1 < len(args) && args[i+1] != "" && strings.HasPrefix(args[i+1], "--") && cobraFlags[strings.TrimPrefix(args[i+1], "--")] {
			// The next word is one of ours: this parameter has no value.
		} else if !hasValue && strings.Contains(name, ".") {
			if i+1 < len(args) {
				i++
				value, hasValue = args[i], true
			}
		} else if !hasValue {
			var vals []string
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				i++
				vals = append(vals, args[i])
			}
			if len(vals) > 0 {
				mods = append(mods, moduleConfigFlag{name: name, values: vals, hasValue: true})
				continue
			}
		}
		mods = append(mods, moduleConfigFlag{name: name, value: value, hasValue: hasValue})
	}
	return rest, mods
}

func newRootCmd() *cobra.Command {
	var (
		configFile  string
		port        int
		bind        string
		loadmodules []string
		loglevel    string
		logFormat   string
		enableMod   string
		databases   int
	)
	root := &cobra.Command{
		Use:   "server [config-file]",
		Short: "Modis: a Redis-compatible server extended by Go plugins",
		Long: "Modis is a Redis-compatible server whose commands are extended by Go plugins,\n" +
			"the way Redis loads C modules. Settings come from a redis.conf-style file\n" +
			"(--config FILE, or FILE as the only argument) and then from flags, which win.",
		Args:          cobra.MaximumNArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg := host.DefaultConfig()
			if len(args) == 1 {
				if configFile != "" {
					return fail("give the config file either as an argument or with --config, not both")
				}
				configFile = args[0]
			}
			if configFile != "" {
				if err := cfg.LoadFile(configFile); err != nil {
					return fail(err.Error())
				}
			}
			flags := cmd.Flags()
			set := func(name string, vals ...string) error {
				if err := cfg.Set(name, vals); err != nil {
					return fail(fmt.Sprintf("--%s: %v", name, err))
				}
				return nil
			}
			var errs []error
			if flags.Changed("port") {
				errs = append(errs, set("port", fmt.Sprint(port)))
			}
			if flags.Changed("bind") {
				errs = append(errs, set("bind", strings.Fields(bind)...))
			}
			if flags.Changed("loglevel") {
				errs = append(errs, set("loglevel", loglevel))
			}
			if flags.Changed("log-format") {
				errs = append(errs, set("log-format", logFormat))
			}
			if flags.Changed("enable-module-command") {
				errs = append(errs, set("enable-module-command", enableMod))
			}
			if flags.Changed("databases") {
				errs = append(errs, set("databases", fmt.Sprint(databases)))
			}
			for _, m := range loadmodules {
				parts, err := host.SplitArgs(m)
				if err != nil || len(parts) == 0 {
					return fail(fmt.Sprintf("--loadmodule %q: want a path and optional arguments", m))
				}
				errs = append(errs, set("loadmodule", parts...))
			}
			for _, mc := range moduleConfigFlags {
				if !mc.hasValue && !strings.Contains(mc.name, ".") {
					errs = append(errs, set(mc.name))
					continue
				}
				if !mc.hasValue {
					return fail(fmt.Sprintf("--%s: Module config specified without value", mc.name))
				}
				if mc.values != nil {
					errs = append(errs, set(mc.name, mc.values...))
				} else {
					errs = append(errs, set(mc.name, mc.value))
				}
			}
			for _, err := range errs {
				if err != nil {
					return err
				}
			}
			return run(cfg)
		},
	}
	f := root.Flags()
	f.StringVar(&configFile, "config", "", "read settings from a redis.conf-style `file`")
	f.IntVar(&port, "port", 6379, "TCP port to listen on (0 picks a free one)")
	f.StringVar(&bind, "bind", "127.0.0.1", "addresses to listen on, separated by spaces")
	f.StringArrayVar(&loadmodules, "loadmodule", nil, "load a module at startup: \"path [args...]\" (repeatable)")
	f.StringVar(&loglevel, "loglevel", "notice", "log level: debug, verbose, notice or warning")
	f.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&enableMod, "enable-module-command", "local", "who may run MODULE LOAD/UNLOAD: yes, no or local (loopback clients)")
	f.IntVar(&databases, "databases", 16, "number of databases")
	root.AddCommand(newVersionCmd(), newCheckModuleCmd())
	return root
}

// printedError is an error already shown to the user.
type printedError struct{ msg string }

func (e printedError) Error() string { return e.msg }

// fail prints a startup error the way Redis does and returns it.
func fail(msg string) error {
	fmt.Fprintf(os.Stderr, "*** FATAL CONFIG ERROR *** %s\n", msg)
	return printedError{msg}
}

func run(cfg host.Config) error {
	log := host.NewLogger(cfg, os.Stderr)
	srv, err := host.New(cfg, log)
	if err != nil {
		log.Error("cannot create server", "error", err)
		return err
	}
	if err := srv.Start(); err != nil {
		log.Error("cannot start server", "error", err)
		return err
	}
	// SIGINT and SIGTERM shut down as SHUTDOWN does without options: a
	// final save when save points are configured; if that save fails the
	// server keeps running, as Redis does. SHUTDOWN ends the wait too.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	for {
		select {
		case s := <-sig:
			log.Info("received signal, scheduling shutdown", "signal", s.String())
			if err := srv.Shutdown(); err != nil {
				log.Warn("errors trying to shut down the server, check the logs for more information", "signal", s.String())
				continue
			}
		case <-srv.Done():
		}
		<-srv.Done() // stopped, a cancelled background save cleaned up
		return nil
	}
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the server version and the build settings a plugin must match",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			report, err := host.BuildReport()
			if err != nil {
				return err
			}
			fmt.Print(report)
			return nil
		},
	}
}

func newCheckModuleCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check-module PATH",
		Short: "Check, without loading it, that this server can load a module file",
		Long: "check-module runs the loader's preflight on PATH: the same checks MODULE LOAD\n" +
			"makes before it opens a file. It exits 0 when the file can be loaded, 1 when not.",
		Args:          cobra.ExactArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := host.CheckModule(args[0]); err != nil {
				fmt.Fprintf(os.Stderr, "refused: %v\n", err)
				return err
			}
			fmt.Printf("ok: %s can be loaded by this server\n", args[0])
			return nil
		},
	}
}

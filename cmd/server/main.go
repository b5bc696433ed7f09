// Command server runs Modis: flags and a redis.conf-style file become a
// host.Config, and host does the rest.
//
//	server [--config FILE | FILE] [--port N] [--bind ADDR] [--loadmodule "path args"]...
//	server version
//	server check-module PATH
package main

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"modis/host"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		os.Exit(1)
	}
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

// fail prints a startup error the way Redis does and returns it.
func fail(msg string) error {
	fmt.Fprintf(os.Stderr, "*** FATAL CONFIG ERROR *** %s\n", msg)
	return fmt.Errorf("%s", msg)
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

package sdk

// ConfigAPI is the part of Ctx for module configs, command info and subcommands, module options and the server version.
type ConfigAPI interface {
}

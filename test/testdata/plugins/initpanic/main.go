// Command initpanic panics while Go initialises the plugin, inside
// plugin.Open: the server must survive, and refuse to open it again.
package main

import "modis/sdk"

func init() { panic("initpanic: package init panics") }

func OnLoad(ctx sdk.Ctx, args []sdk.String) error { return ctx.Init("initpanic", 1, sdk.APIVER_1) }

func main() {}

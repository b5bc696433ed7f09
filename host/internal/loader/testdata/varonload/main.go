// Command varonload exports OnLoad as a variable instead of a function.
package main

import "modis/sdk"

// OnLoad is a variable: plugin.Lookup would return a *sdk.OnLoadFunc.
var OnLoad sdk.OnLoadFunc = func(ctx sdk.Ctx, args []sdk.String) error { return nil }

func main() {}

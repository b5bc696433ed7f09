// Command good is a valid module: OnLoad and OnUnload of the right types.
package main

import "modis/sdk"

// OnLoad registers nothing.
func OnLoad(ctx sdk.Ctx, args []sdk.String) error { return nil }

// OnUnload refuses nothing.
func OnUnload(ctx sdk.Ctx) error { return nil }

func main() {}

// Command usesb is a module that links package shared.
package main

import (
	"modis/host/internal/loader/testdata/shared"
	"modis/sdk"
)

// OnLoad uses shared.
func OnLoad(ctx sdk.Ctx, args []sdk.String) error {
	_ = shared.Version()
	return nil
}

func main() {}

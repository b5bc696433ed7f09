// Command noonload is a valid Go plugin that exports no OnLoad.
package main

import "modis/sdk"

// OnLoadd is misspelled on purpose.
func OnLoadd(ctx sdk.Ctx, args []sdk.String) error { return nil }

func main() {}

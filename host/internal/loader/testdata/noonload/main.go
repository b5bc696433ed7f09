// Command noonload is a Go plugin that exports no OnLoad.
package main

import "modis/sdk"

// Hello is exported, but is not an entry point.
func Hello() sdk.String { return sdk.CreateString("hello") }

func main() {}

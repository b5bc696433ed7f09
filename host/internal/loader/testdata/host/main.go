// Command host stands in for the server: an executable that links package
// plugin (so the linker emits package fingerprints) and modis/sdk.
package main

import (
	"fmt"
	"os"
	"plugin"

	"modis/sdk"
)

func main() {
	if len(os.Args) > 1 {
		_, err := plugin.Open(os.Args[1])
		fmt.Println(err)
	}
	fmt.Println(sdk.APIVersion, sdk.CreateString("x").Len())
}

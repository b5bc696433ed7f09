// Command cshared is a Go c-shared library: dlopen-able, but not a plugin.
package main

import "C"

//export Add
func Add(a, b C.int) C.int { return a + b }

func main() {}

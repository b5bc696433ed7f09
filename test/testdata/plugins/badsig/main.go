// Command badsig exports an OnLoad of the wrong type.
package main

// OnLoad has the wrong signature on purpose.
func OnLoad(name string) int { return len(name) }

func main() {}

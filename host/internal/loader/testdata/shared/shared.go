// Package shared is linked by the usesa and usesb plugins but not by the
// host: the first plugin opened defines it for the ones after.
package shared

// Version is overlaid with another value to build a second version.
func Version() string { return "v1" }

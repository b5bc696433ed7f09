package sdk

// Extra is overlaid into modis/sdk to build a plugin whose sdk differs from
// the server's by one function.
func Extra() int { return 42 }

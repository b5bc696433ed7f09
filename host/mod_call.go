package host

// callFromModule runs a command for a module's Call. propagate is Call's
// "!" (without "A"): only then may what the command writes reach the AOF,
// as RM_Call passes CMD_CALL_PROPAGATE_AOF only with "!". Lock held.
func (c *Client) callFromModule(cmd *Command, argv [][]byte, propagate bool) {
	c.callPropagating(cmd, argv, propagate) // mod_type_repl.go
}

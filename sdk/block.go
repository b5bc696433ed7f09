package sdk

// BlockAPI is the part of Ctx for blocked clients, thread-safe contexts and timers.
type BlockAPI interface {
}

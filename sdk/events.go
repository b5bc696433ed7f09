package sdk

// EventAPI is the part of Ctx for keyspace and server events, INFO sections, the shared API between modules, command filters and ACL.
type EventAPI interface {
}

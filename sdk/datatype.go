package sdk

// TypeAPI is the part of Ctx for module data types (RedisModule_CreateDataType), their persistence, and replication.
type TypeAPI interface {
}

// TypedKey is the part of Key for module data type values
// (RedisModule_ModuleTypeSetValue, ModuleTypeGetValue, ModuleTypeGetType).
type TypedKey interface {
}

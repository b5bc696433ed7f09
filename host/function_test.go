package host

import (
	"encoding/binary"
	"strings"
	"testing"
)

// Redis 7 functions: one-line scripts whose expected replies were recorded
// from redis-server 7.0.15 (checked against a live one with
// MODIS_COMPARE_REDIS). A script starts with FUNCTION FLUSH: the harness
// flushes keys between scripts, not libraries.

var functionScripts = []script{
	// Generated from func.txt against redis-server 7.0.15.
	{name: "function-lifecycle", p3: false, steps: []step{
		{`function flush`, "+OK\r\n"},
		{`function load "#!lua name=mylib\nredis.register_function('f1', function(keys, args) return {keys, args} end)"`, "$5\r\nmylib\r\n"},
		{`function load "#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)"`, "-ERR Library 'mylib' already exists\r\n"},
		{`function load replace "#!lua name=mylib\nredis.register_function('f1', function(keys, args) return {keys, args} end)"`, "$5\r\nmylib\r\n"},
		{`function load REPLACE REPLACE "#!lua name=mylib\nredis.register_function('f1', function(keys, args) return {keys, args} end)"`, "$5\r\nmylib\r\n"},
		{`function load foo "#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)"`, "-ERR Unknown option given: foo\r\n"},
		{`fcall f1 2 a b c d`, "*2\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$1\r\nc\r\n$1\r\nd\r\n"},
		{`fcall F1 0`, "*2\r\n*0\r\n*0\r\n"},
		{`fcall f1 x`, "-ERR Bad number of keys provided\r\n"},
		{`fcall f1 -1`, "-ERR Number of keys can't be negative\r\n"},
		{`fcall f1 3 a`, "-ERR Number of keys can't be greater than number of args\r\n"},
		{`fcall nosuch 0`, "-ERR Function not found\r\n"},
		{`fcall nosuch x`, "-ERR Function not found\r\n"},
		{`fcall_ro f1 0`, "-ERR Can not execute a script with write flag using *_ro command.\r\n"},
		{`function list`, "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$2\r\nf1\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n"},
		{`function list withcode`, "*1\r\n*8\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$2\r\nf1\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n$12\r\nlibrary_code\r\n$92\r\n#!lua name=mylib\nredis.register_function('f1', function(keys, args) return {keys, args} end)\r\n"},
		{`function list libraryname my*`, "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$2\r\nf1\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n"},
		{`function list libraryname MY*`, "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$2\r\nf1\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n"},
		{`function list libraryname zz*`, "*0\r\n"},
		{`function list libraryname`, "-ERR library name argument was not given\r\n"},
		{`function list withcode withcode`, "-ERR Unknown argument withcode\r\n"},
		{`function list foo`, "-ERR Unknown argument foo\r\n"},
		{`function stats`, "*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:1\r\n"},
		{`function delete nosuch`, "-ERR Library not found\r\n"},
		{`function delete MYLIB`, "-ERR Library not found\r\n"},
		{`function delete mylib`, "+OK\r\n"},
		{`function list`, "*0\r\n"},
		{`fcall f1 0`, "-ERR Function not found\r\n"},
		{`function stats`, "*4\r\n$14\r\nrunning_script\r\n$-1\r\n$7\r\nengines\r\n*2\r\n$3\r\nLUA\r\n*4\r\n$15\r\nlibraries_count\r\n:0\r\n$15\r\nfunctions_count\r\n:0\r\n"},
	}},
	{name: "function-list-resp3", p3: true, steps: []step{
		{`function flush`, "+OK\r\n"},
		{`function load "#!lua name=lib2\nredis.register_function{function_name='f2', callback=function(keys, args) return 1 end, flags={'no-writes', 'allow-oom'}, description='desc'}"`, "$4\r\nlib2\r\n"},
		{`function list`, "*1\r\n%3\r\n$12\r\nlibrary_name\r\n$4\r\nlib2\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n%3\r\n$4\r\nname\r\n$2\r\nf2\r\n$11\r\ndescription\r\n$4\r\ndesc\r\n$5\r\nflags\r\n~2\r\n+no-writes\r\n+allow-oom\r\n"},
		{`function list withcode`, "*1\r\n%4\r\n$12\r\nlibrary_name\r\n$4\r\nlib2\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n%3\r\n$4\r\nname\r\n$2\r\nf2\r\n$11\r\ndescription\r\n$4\r\ndesc\r\n$5\r\nflags\r\n~2\r\n+no-writes\r\n+allow-oom\r\n$12\r\nlibrary_code\r\n$157\r\n#!lua name=lib2\nredis.register_function{function_name='f2', callback=function(keys, args) return 1 end, flags={'no-writes', 'allow-oom'}, description='desc'}\r\n"},
		{`function stats`, "%2\r\n$14\r\nrunning_script\r\n_\r\n$7\r\nengines\r\n%1\r\n$3\r\nLUA\r\n%2\r\n$15\r\nlibraries_count\r\n:1\r\n$15\r\nfunctions_count\r\n:1\r\n"},
	}},
	{name: "function-flags", p3: false, steps: []step{
		{`function flush`, "+OK\r\n"},
		{`function load "#!lua name=lib2\nredis.register_function{function_name='f2', callback=function(keys, args) return redis.call('set', keys[1], args[1]) end, flags={'no-writes'}, description='desc'}"`, "$4\r\nlib2\r\n"},
		{`fcall f2 1 k v`, "-ERR Write commands are not allowed from read-only scripts. script: f2, on @user_function:2.\r\n"},
		{`fcall_ro f2 1 k v`, "-ERR Write commands are not allowed from read-only scripts. script: f2, on @user_function:2.\r\n"},
		{`function load "#!lua name=lib3\nredis.register_function{function_name='f3', callback=function(keys, args) return redis.call('set', keys[1], args[1]) end}"`, "$4\r\nlib3\r\n"},
		{`fcall_ro f3 1 k v`, "-ERR Can not execute a script with write flag using *_ro command.\r\n"},
		{`fcall f3 1 k v`, "+OK\r\n"},
		{`function load "#!lua name=lib4\nredis.register_function{function_name='f4', callback=function(keys, args) return redis.call('get', keys[1]) end, flags={'no-writes'}}"`, "$4\r\nlib4\r\n"},
		{`fcall_ro f4 1 k`, "$1\r\nv\r\n"},
		{`fcall f4 1 k`, "$1\r\nv\r\n"},
		{`function load "#!lua name=lib5\nredis.register_function{function_name='f5', callback=function() return 1 end, flags={'ALLOW-STALE', 'no-cluster', 'allow-cross-slot-keys', 'allow-oom'}}"`, "$4\r\nlib5\r\n"},
		{`fcall f5 0`, ":1\r\n"},
		{`function list libraryname lib5`, "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$4\r\nlib5\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$2\r\nf5\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*4\r\n+allow-oom\r\n+allow-stale\r\n+no-cluster\r\n+allow-cross-slot-keys\r\n"},
	}},
	{name: "function-load-errors", p3: false, steps: []step{
		{`function flush`, "+OK\r\n"},
		{`function load "#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)"`, "$5\r\nmylib\r\n"},
		{`function load "redis.register_function('x', function() end)"`, "-ERR Missing library metadata\r\n"},
		{`function load "#!lua\nredis.register_function('x', function() end)"`, "-ERR Library name was not given\r\n"},
		{`function load "#!lua name=a b=c\nredis.register_function('x', function() end)"`, "-ERR Invalid metadata value given: b=c\r\n"},
		{`function load "#!foo name=a\nredis.register_function('x', function() end)"`, "-ERR Engine 'foo' not found\r\n"},
		{`function load "#!LUA name=up\nredis.register_function('up', function() return 1 end)"`, "$2\r\nup\r\n"},
		{`function load "#!lua name=a"`, "-ERR Invalid library metadata\r\n"},
		{`function load "#!lua name=a-b\nredis.register_function('x', function() end)"`, "-ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long\r\n"},
		{`function load "#!lua name=\nredis.register_function('x', function() end)"`, "-ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long\r\n"},
		{`function load "#!lua name=a\nreturn 1"`, "-ERR No functions registered\r\n"},
		{`function load "#!lua name=a\nredis.register_function('f1', function() end)"`, "-ERR Function f1 already exists\r\n"},
		{`function load "#!lua name=a\nredis.register_function('F1', function() end)"`, "-ERR Function F1 already exists\r\n"},
		{`function load "#!lua name=a\nredis.register_function('x y', function() end)"`, "-ERR Error registering functions: ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long\r\n"},
		{`function load "#!lua name=a\nredis.register_function('', function() end)"`, "-ERR Error registering functions: ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long\r\n"},
		{`function load "#!lua name=a\nredis.register_function('x', function() end)\nredis.register_function('x', function() end)"`, "-ERR Error registering functions: ERR Function already exists in the library\r\n"},
		{`function load "#!lua name=a\nredis.register_function('x')"`, "-ERR Error registering functions: ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).\r\n"},
		{`function load "#!lua name=a\nredis.register_function{function_name='x', callback=function() end, flags={'bad'}}"`, "-ERR Error registering functions: ERR unknown flag given\r\n"},
		{`function load "#!lua name=a\nredis.register_function{function_name='x', callback=function() end, flags='no-writes'}"`, "-ERR Error registering functions: ERR flags argument to redis.register_function must be a table representing function flags\r\n"},
		{`function load "#!lua name=a\nredis.register_function{function_name='x', callback=function() end, foo=1}"`, "-ERR Error registering functions: ERR unknown argument given to redis.register_function\r\n"},
		{`function load "#!lua name=a\nredis.register_function{callback=function() end}"`, "-ERR Error registering functions: ERR redis.register_function must get a function name argument\r\n"},
		{`function load "#!lua name=a\nredis.register_function{function_name='x'}"`, "-ERR Error registering functions: ERR redis.register_function must get a callback argument\r\n"},
		{`function load "#!lua name=a\nredis.register_function{function_name={}, callback=function() end}"`, "-ERR Error registering functions: ERR function_name argument given to redis.register_function must be a string\r\n"},
		{`function load "#!lua name=a\nredis.register_function{function_name='x', callback=1}"`, "-ERR Error registering functions: ERR callback argument given to redis.register_function must be a function\r\n"},
		{`function load "#!lua name=a\nredis.register_function{function_name='x', callback=function() end, description={}}"`, "-ERR Error registering functions: ERR description argument given to redis.register_function must be a string\r\n"},
		{`function load "#!lua name=a\nredis.register_function(1, 2, 3)"`, "-ERR Error registering functions: ERR wrong number of arguments to redis.register_function\r\n"},
		{`function load "#!lua name=a\nredis.register_function()"`, "-ERR Error registering functions: ERR wrong number of arguments to redis.register_function\r\n"},
		{`function load "#!lua name=a\nredis.register_function(1, 2)"`, "-ERR Error registering functions: ERR second argument to redis.register_function must be a function\r\n"},
		{`function load "#!lua name=a\nredis.register_function({}, function() end)"`, "-ERR Error registering functions: ERR first argument to redis.register_function must be a string\r\n"},
		{`function load "#!lua name=a\nredis.call('ping')"`, "-ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'\r\n"},
		{`function load "#!lua name=a\nlocal x = string.len('a')"`, "-ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'string'\r\n"},
		{`function load "#!lua name=a\nx = 1"`, "-ERR Error registering functions: ERR user_function:2: Attempt to modify a readonly table\r\n"},
		{`function load "#!lua name=a\nerror('boom')"`, "-ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'error'\r\n"},
		{`function load "#!lua name=a\nredis.x = 1"`, "-ERR Error registering functions: ERR user_function:2: Attempt to modify a readonly table\r\n"},
		{`function load "#!lua name=a name=b\n"`, "-ERR Invalid metadata value, name argument was given multiple times\r\n"},
		{`function load "#!lua name=a\nreturn redis.REDIS_VERSION .. redis.LOG_NOTICE"`, "-ERR No functions registered\r\n"},
		{`function load`, "-ERR wrong number of arguments for 'function|load' command\r\n"},
		{`function list`, "*2\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$2\r\nf1\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n*6\r\n$12\r\nlibrary_name\r\n$2\r\nup\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$2\r\nup\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n"},
	}},
	{name: "function-runtime", p3: false, steps: []step{
		{`function flush`, "+OK\r\n"},
		{`function load "#!lua NAME=A\nredis.register_function('x', function() return redis.REDIS_VERSION end)"`, "$1\r\nA\r\n"},
		{`fcall x 0`, "$6\r\n7.0.15\r\n"},
		{`fcall X 0`, "$6\r\n7.0.15\r\n"},
		{`function delete a`, "-ERR Library not found\r\n"},
		{`function delete A`, "+OK\r\n"},
		{`function load "#!lua name=b\nredis.register_function('y', function() return type(redis.setresp) end)"`, "$1\r\nb\r\n"},
		{`fcall y 0`, "$8\r\nfunction\r\n"},
		{`function load "#!lua name=c\nlocal function f() return 1 end redis.log(redis.LOG_NOTICE, 'hi') redis.register_function('z', f)"`, "$1\r\nc\r\n"},
		{`fcall z 0`, ":1\r\n"},
		{`function load "#!lua name=d\nredis.register_function('zz', function() return string.len('abc') end)"`, "$1\r\nd\r\n"},
		{`fcall zz 0`, ":3\r\n"},
		{`function load "#!lua name=e\nredis.register_function('ee', function() return redis.call('fcall', 'zz', 0) end)"`, "$1\r\ne\r\n"},
		{`fcall ee 0`, "-ERR This Redis command is not allowed from script script: ee, on @user_function:2.\r\n"},
		{`function load "#!lua name=g\nredis.register_function('gg', function() error('boom') end)"`, "$1\r\ng\r\n"},
		{`fcall gg 0`, "-ERR user_function:2: boom script: gg, on @user_function:2.\r\n"},
		{`set h x`, "+OK\r\n"},
		{`function load "#!lua name=h\nredis.register_function('hh', function() return redis.call('incr', 'h') end)"`, "$1\r\nh\r\n"},
		{`fcall hh 0`, "-ERR value is not an integer or out of range script: hh, on @user_function:2.\r\n"},
		{`function load "#!lua name=i\nredis.register_function('ii', function() return redis.pcall('incr', 'h') end)"`, "$1\r\ni\r\n"},
		{`fcall ii 0`, "-ERR value is not an integer or out of range\r\n"},
		{`function load "#!lua name=j\nredis.register_function('jj', function(keys, args) return {#keys, #args, type(KEYS)} end)"`, "$1\r\nj\r\n"},
		{`fcall jj 1 a b`, "-ERR user_function:2: Script attempted to access nonexistent global variable 'KEYS' script: jj, on @user_function:2.\r\n"},
		{`function load "#!lua name=k\nredis.register_function('kk', function() return redis.register_function end)"`, "$1\r\nk\r\n"},
		{`fcall kk 0`, "$-1\r\n"},
		{`function load "#!lua name=l\nlocal rf = redis.register_function\nredis.register_function('ll', function() return rf('zz', function() end) end)"`, "$1\r\nl\r\n"},
		{`fcall ll 0`, "-ERR redis.register_function can only be called on FUNCTION LOAD command script: ll, on @user_function:3.\r\n"},
		{`function load "#!lua name=m\nredis.register_function('mm', function() x = 1 end)"`, "$1\r\nm\r\n"},
		{`fcall mm 0`, "-ERR user_function:2: Attempt to modify a readonly table script: mm, on @user_function:2.\r\n"},
		{`function load "#!lua name=n\nredis.register_function('nn', function() redis.setresp(3); return redis.call('hgetall', 'nokey') end)"`, "$1\r\nn\r\n"},
		{`fcall nn 0`, "*0\r\n"},
		{`function load "#!lua name=o\nredis.register_function('oo', function() return redis.call('eval', 'return 1', 0) end)"`, "$1\r\no\r\n"},
		{`fcall oo 0`, "-ERR This Redis command is not allowed from script script: oo, on @user_function:2.\r\n"},
		{`function load "#!lua name=p\nredis.register_function('pp', function() return redis.call('function', 'list') end)"`, "$1\r\np\r\n"},
		{`fcall pp 0`, "-ERR This Redis command is not allowed from script script: pp, on @user_function:2.\r\n"},
		{`function load "#!lua name=q\nlocal n = 0\nredis.register_function('qq', function() n = n + 1; return n end)"`, "$1\r\nq\r\n"},
		{`fcall qq 0`, ":1\r\n"},
		{`fcall qq 0`, ":2\r\n"},
		{`function load "#!lua name=r\nredis.register_function('rr', function(keys) return redis.call('set', keys[1], 'v') end)"`, "$1\r\nr\r\n"},
		{`fcall_ro rr 1 k`, "-ERR Can not execute a script with write flag using *_ro command.\r\n"},
		{`fcall rr 1 k`, "+OK\r\n"},
		{`get k`, "$1\r\nv\r\n"},
	}},
	{name: "function-dump-restore", p3: false, steps: []step{
		{`function flush`, "+OK\r\n"},
		{`function load "#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)"`, "$5\r\nmylib\r\n"},
		{`function dump x`, "-ERR wrong number of arguments for 'function|dump' command\r\n"},
		{`function restore`, "-ERR wrong number of arguments for 'function|restore' command\r\n"},
		{`function restore abc`, "-ERR DUMP payload version or checksum are wrong\r\n"},
		{`function restore abc bad`, "-ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.\r\n"},
		{`function restore abc flush extra`, "-ERR unknown subcommand or wrong number of arguments for 'restore'. Try FUNCTION HELP.\r\n"},
		{`function restore "\xf5@Q#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)\n\x00\xcdw\xd9\xf8\x9694h"`, "-ERR Library mylib already exists\r\n"},
		{`function restore "\xf5@Q#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)\n\x00\xcdw\xd9\xf8\x9694h" append`, "-ERR Library mylib already exists\r\n"},
		{`function restore "\xf5@Q#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)\n\x00\xcdw\xd9\xf8\x9694h" replace`, "+OK\r\n"},
		{`function restore "\xf5@Q#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)\n\x00\xcdw\xd9\xf8\x9694h" flush`, "+OK\r\n"},
		{`function restore "\xf5@Q#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)\n\x00\xcdw\xd9\xf8\x9694X"`, "-ERR DUMP payload version or checksum are wrong\r\n"},
		{`function list`, "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nmylib\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$2\r\nf1\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n"},
		{`function delete mylib`, "+OK\r\n"},
		{`function load "#!lua name=other\nredis.register_function('f1', function(keys, args) return 2 end)"`, "$5\r\nother\r\n"},
		{`function restore "\xf5@Q#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)\n\x00\xcdw\xd9\xf8\x9694h"`, "-ERR Function f1 already exists\r\n"},
		{`function restore "\xf5@Q#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)\n\x00\xcdw\xd9\xf8\x9694h" replace`, "-ERR Function f1 already exists\r\n"},
		{`function restore "\xf5@Q#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)\n\x00\xcdw\xd9\xf8\x9694h" flush`, "+OK\r\n"},
		{`fcall f1 0`, ":1\r\n"},
		{`function dump`, "$94\r\n\xf5@Q#!lua name=mylib\nredis.register_function('f1', function(keys, args) return 1 end)\n\x00\xcdw\xd9\xf8\x9694h\r\n"},
	}},
	{name: "function-misc", p3: false, steps: []step{
		{`function kill`, "-NOTBUSY No scripts in execution right now.\r\n"},
		{`function kill x`, "-ERR wrong number of arguments for 'function|kill' command\r\n"},
		{`function foo`, "-ERR unknown subcommand 'foo'. Try FUNCTION HELP.\r\n"},
		{`function help`, "*40\r\n+FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+LOAD [REPLACE] <FUNCTION CODE>\r\n+    Create a new library with the given library name and code.\r\n+DELETE <LIBRARY NAME>\r\n+    Delete the given library.\r\n+LIST [LIBRARYNAME PATTERN] [WITHCODE]\r\n+    Return general information on all the libraries:\r\n+    * Library name\r\n+    * The engine used to run the Library\r\n+    * Library description\r\n+    * Functions list\r\n+    * Library code (if WITHCODE is given)\r\n+    It also possible to get only function that matches a pattern using LIBRARYNAME argument.\r\n+STATS\r\n+    Return information about the current function running:\r\n+    * Function name\r\n+    * Command used to run the function\r\n+    * Duration in MS that the function is running\r\n+    If no function is running, return nil\r\n+    In addition, returns a list of available engines.\r\n+KILL\r\n+    Kill the current running function.\r\n+FLUSH [ASYNC|SYNC]\r\n+    Delete all the libraries.\r\n+    When called without the optional mode argument, the behavior is determined by the\r\n+    lazyfree-lazy-user-flush configuration directive. Valid modes are:\r\n+    * ASYNC: Asynchronously flush the libraries.\r\n+    * SYNC: Synchronously flush the libraries.\r\n+DUMP\r\n+    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command\r\n+RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]\r\n+    Restore the libraries represented by the given payload, it is possible to give a restore policy to\r\n+    control how to handle existing libraries (default APPEND):\r\n+    * FLUSH: delete all existing libraries.\r\n+    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.\r\n+    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old\r\n+      libraries with the new libraries (notice that even on this option there is a chance of failure\r\n+      in case of functions name collision with another library).\r\n+HELP\r\n+    Prints this help.\r\n"},
		{`function flush bad`, "-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n"},
		{`function flush sync extra`, "-ERR unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION HELP.\r\n"},
		{`function flush async`, "+OK\r\n"},
		{`function flush sync`, "+OK\r\n"},
	}},
	{name: "function-restore-redis-payload", p3: false, steps: []step{
		{`function flush`, "+OK\r\n"},
		{`function restore "\xf5\xc3@\xb2A\x8a\x16#!lua name=biglib\x0a-- a  \x08\x1frary long enough for Redis to co\x1ampress its dump with LZF: a\xe0T\x00\x01\x0ar@\x83\x13.register_function(' \xc0\x031', \xe0\x00\x10\x12keys, args) return \x80# \xd1\x01d)\xe0\x14G\x002\xe0\x1aG\x002\xe0\x1aG\x003\xe0\x1aG\x003@G\x01d)\xf5@J#!lua name=small\x0aredis.register_function('s1', function() return 's1' end)\x0a\x00\x1d\xa7\x97\x05y\xf8\xfd<"`, "+OK\r\n"},
		{`fcall big2 0`, "$4\r\nbig2\r\n"},
		{`fcall s1 0`, "$2\r\ns1\r\n"},
		{`function list libraryname small`, "*1\r\n*6\r\n$12\r\nlibrary_name\r\n$5\r\nsmall\r\n$6\r\nengine\r\n$3\r\nLUA\r\n$9\r\nfunctions\r\n*1\r\n*6\r\n$4\r\nname\r\n$2\r\ns1\r\n$11\r\ndescription\r\n$-1\r\n$5\r\nflags\r\n*0\r\n"},
		{`function restore "\xf5\xc3@\xb2A\x8a\x16#!lua name=biglib\x0a-- a  \x08\x1frary long enough for Redis to co\x1ampress its dump with LZF: a\xe0T\x00\x01\x0ar@\x83\x13.register_function(' \xc0\x031', \xe0\x00\x10\x12keys, args) return \x80# \xd1\x01d)\xe0\x14G\x002\xe0\x1aG\x002\xe0\x1aG\x003\xe0\x1aG\x003@G\x01d)\xf5@J#!lua name=small\x0aredis.register_function('s1', function() return 's1' end)\x0a\x00\x1d\xa7\x97\x05y\xf8\xfd<"`, "-ERR Library biglib already exists\r\n"},
		{`function restore "\xf5\xc3@\xb2A\x8a\x16#!lua name=biglib\x0a-- a  \x08\x1frary long enough for Redis to co\x1ampress its dump with LZF: a\xe0T\x00\x01\x0ar@\x83\x13.register_function(' \xc0\x031', \xe0\x00\x10\x12keys, args) return \x80# \xd1\x01d)\xe0\x14G\x002\xe0\x1aG\x002\xe0\x1aG\x003\xe0\x1aG\x003@G\x01d)\xf5@J#!lua name=small\x0aredis.register_function('s1', function() return 's1' end)\x0a\x00\x1d\xa7\x97\x05y\xf8\xfd<" replace`, "+OK\r\n"},
		{`fcall big3 0`, "$4\r\nbig3\r\n"},
		{`function load "#!lua name=x\nredis.register_function('s1', function() return 'x' end)"`, "-ERR Function s1 already exists\r\n"},
		{`function delete small`, "+OK\r\n"},
		{`function load "#!lua name=x\nredis.register_function('s1', function() return 'x' end)"`, "$1\r\nx\r\n"},
		{`function restore "\xf5\xc3@\xb2A\x8a\x16#!lua name=biglib\x0a-- a  \x08\x1frary long enough for Redis to co\x1ampress its dump with LZF: a\xe0T\x00\x01\x0ar@\x83\x13.register_function(' \xc0\x031', \xe0\x00\x10\x12keys, args) return \x80# \xd1\x01d)\xe0\x14G\x002\xe0\x1aG\x002\xe0\x1aG\x003\xe0\x1aG\x003@G\x01d)\xf5@J#!lua name=small\x0aredis.register_function('s1', function() return 's1' end)\x0a\x00\x1d\xa7\x97\x05y\xf8\xfd<" replace`, "-ERR Function s1 already exists\r\n"},
		{`function restore "\xf5\xc3@\xb2A\x8a\x16#!lua name=biglib\x0a-- a  \x08\x1frary long enough for Redis to co\x1ampress its dump with LZF: a\xe0T\x00\x01\x0ar@\x83\x13.register_function(' \xc0\x031', \xe0\x00\x10\x12keys, args) return \x80# \xd1\x01d)\xe0\x14G\x002\xe0\x1aG\x002\xe0\x1aG\x003\xe0\x1aG\x003@G\x01d)\xf5@J#!lua name=small\x0aredis.register_function('s1', function() return 's1' end)\x0a\x00\x1d\xa7\x97\x05y\xf8\xfd<" flush`, "+OK\r\n"},
		{`fcall s1 0`, "$2\r\ns1\r\n"},
		{`function list libraryname x`, "*0\r\n"},
	}},
	{name: "script-oom", p3: false, steps: []step{
		{`function flush`, "+OK\r\n"},
		{`function load "#!lua name=o\nredis.register_function('w', function() return redis.call('set','a','b') end)\nredis.register_function{function_name='ao', callback=function() return redis.call('set','a','b') end, flags={'allow-oom'}}\nredis.register_function{function_name='nw', callback=function() return redis.call('get','a') end, flags={'no-writes'}}"`, "$1\r\no\r\n"},
		{`config set maxmemory 1`, "+OK\r\n"},
		{`eval "return redis.call('set','a','b')" 0`, "-OOM command not allowed when used memory > 'maxmemory'. script: ff967d0ae0e68b4f9e360fa91c54598bc25ad9b6, on @user_script:1.\r\n"},
		{`eval "return redis.pcall('set','a','b')" 0`, "-OOM command not allowed when used memory > 'maxmemory'.\r\n"},
		{`eval "return redis.call('get','a')" 0`, "$-1\r\n"},
		{`eval "#!lua flags=no-writes\nreturn 1" 0`, ":1\r\n"},
		{`eval "#!lua\nreturn 1" 0`, "-OOM command not allowed when used memory > 'maxmemory'.\r\n"},
		{`eval "#!lua flags=allow-oom\nreturn redis.call('set','a','b')" 0`, "+OK\r\n"},
		{`fcall w 0`, "-OOM command not allowed when used memory > 'maxmemory'.\r\n"},
		{`fcall ao 0`, "+OK\r\n"},
		{`fcall nw 0`, "$1\r\nb\r\n"},
		{`eval "redis.call('del','zz'); return redis.call('set','a','b')" 0`, "+OK\r\n"},
		{`config set maxmemory 0`, "+OK\r\n"},
		{`eval "return redis.call('set','a','c')" 0`, "+OK\r\n"},
	}},
}

func TestFunctionScripts(t *testing.T) { runScripts(t, functionScripts) }

// TestFunctionRestoreVersion11: FUNCTION RESTORE takes the payloads Redis
// 7.2 makes (RDB version 11), and still refuses a newer version.
func TestFunctionRestoreVersion11(t *testing.T) {
	_, c := newTestServer(t)
	do(t, c, "function", "load", "#!lua name=v11lib\nredis.register_function('v11f', function(keys, args) return 11 end)")
	dump := do(t, c, "function", "dump")
	payload := []byte(dump[strings.Index(dump, "\r\n")+2 : len(dump)-2])
	withVersion := func(v uint16) string {
		p := append([]byte(nil), payload...)
		binary.LittleEndian.PutUint16(p[len(p)-10:], v)
		binary.LittleEndian.PutUint64(p[len(p)-8:], redisCRC64(p[:len(p)-8]))
		return string(p)
	}
	do(t, c, "function", "flush")
	if got := do(t, c, "function", "restore", withVersion(12)); got != "-ERR DUMP payload version or checksum are wrong\r\n" {
		t.Fatalf("version 12: %q", got)
	}
	if got := do(t, c, "function", "restore", withVersion(11)); got != "+OK\r\n" {
		t.Fatalf("version 11: %q", got)
	}
	if got := do(t, c, "fcall", "v11f", "0"); got != ":11\r\n" {
		t.Fatalf("FCALL after restoring a version-11 payload: %q", got)
	}
}

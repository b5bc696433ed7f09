package host

import (
	"errors"
	"fmt"
	"strings"

	"modis/host/internal/cmdmeta"
	"modis/host/internal/glob"
	"modis/sdk"
)

// Client information and ACL for modules.
//
// Modis has no ACL engine: one user, "default", with every permission and
// requirepass as its password (AUTH, HELLO AUTH). What Redis's module API
// needs of ACL is here, small: module users (CreateModuleUser) with a
// subset of ACL rules (on/off, commands and categories, key patterns with
// %R/%W, channel patterns), the checks against them, and clients
// authenticated as them (AuthenticateClientWithUser), whose commands the
// dispatcher then checks (modACLCheck) with Redis's NOPERM errors.

// modACL is the module users' state.
type modACL struct {
	authed map[*Client]*aclAuth // clients authenticated as a module user
}

// aclAuth is a client authenticated as a module user.
type aclAuth struct {
	u  *modUser
	cb sdk.UserChangedFunc
}

// modUser implements sdk.User.
type modUser struct {
	name string
	mod  *Module // nil for "default"
	def  bool    // the default user: everything allowed

	freed   bool
	enabled bool
	nopass  bool

	cmdRules    []cmdRule // applied in order: the last matching one decides
	allKeys     bool
	keys        []keyPattern
	allChannels bool
	channels    []string
}

// cmdRule is one +/- rule: a command (and its subcommands), a subcommand,
// a category, or everything.
type cmdRule struct {
	allow bool
	all   bool
	cat   string // "@read"
	cmd   string // "get", or "config|get"
	text  string // as written, for GetModuleUserACLString
}

// keyPattern is ~pattern, %R~pattern or %W~pattern.
type keyPattern struct {
	pat  string
	perm int // sdk.KeyPermRead|KeyPermWrite
	text string
}

// Name implements sdk.User.
func (u *modUser) Name() string { return u.name }

var defaultUser = &modUser{name: "default", def: true, enabled: true, nopass: true, allKeys: true, allChannels: true,
	cmdRules: []cmdRule{{allow: true, all: true, text: "+@all"}}}

// aclCategories are Redis 7.0's ACL categories.
var aclCategories = map[string]bool{
	"keyspace": true, "read": true, "write": true, "set": true, "sortedset": true, "list": true, "hash": true,
	"string": true, "bitmap": true, "hyperloglog": true, "geo": true, "stream": true, "pubsub": true,
	"admin": true, "fast": true, "slow": true, "blocking": true, "dangerous": true, "connection": true,
	"transaction": true, "scripting": true,
}

// userOf returns the sdk.User as a *modUser, or an error.
func userOf(u sdk.User, what string) (*modUser, error) {
	mu, ok := u.(*modUser)
	if !ok || mu == nil {
		return nil, fmt.Errorf("%s: not a user returned by CreateModuleUser or GetModuleUserFromUserName", what)
	}
	if mu.freed {
		return nil, fmt.Errorf("%s: the user %q was freed", what, mu.name)
	}
	return mu, nil
}

// CreateModuleUser implements sdk.EventAPI.
func (x *modCtx) CreateModuleUser(name string) (sdk.User, error) {
	if err := x.liveCtx("CreateModuleUser"); err != nil {
		return nil, err
	}
	if name == "" || strings.ContainsAny(name, " \t\r\n") {
		return nil, fmt.Errorf("CreateModuleUser: invalid user name %q", name)
	}
	return &modUser{name: name, mod: x.mod}, nil
}

// FreeModuleUser implements sdk.EventAPI.
func (x *modCtx) FreeModuleUser(u sdk.User) error {
	mu, err := userOf(u, "FreeModuleUser")
	if err != nil {
		return err
	}
	if mu.def {
		return errors.New("FreeModuleUser: the default user is not a module user")
	}
	mu.freed = true
	s := x.s
	for c, a := range s.mev.acl.authed {
		if a.u == mu {
			s.aclForgetClient(c)
			s.closeClient(c)
		}
	}
	return nil
}

// closeClient disconnects c: at once for another client, after this
// batch's replies for the client running the command. Lock held.
func (s *Server) closeClient(c *Client) {
	if c.conn == nil {
		return
	}
	if c.cur != nil { // running now: reply, then close (as QUIT)
		c.closing = true
		return
	}
	s.killClient(c)
}

// SetModuleUserACL implements sdk.EventAPI.
func (x *modCtx) SetModuleUserACL(u sdk.User, op string) error {
	mu, err := userOf(u, "SetModuleUserACL")
	if err != nil {
		return err
	}
	if mu.def {
		return errors.New("SetModuleUserACL: the default user's rules cannot change in Modis")
	}
	next := mu.clone()
	if err := next.apply(x.s, op); err != nil {
		return err
	}
	*mu = *next
	return nil
}

// SetModuleUserACLString implements sdk.EventAPI.
func (x *modCtx) SetModuleUserACLString(u sdk.User, acl string) error {
	mu, err := userOf(u, "SetModuleUserACLString")
	if err != nil {
		return err
	}
	if mu.def {
		return errors.New("SetModuleUserACLString: the default user's rules cannot change in Modis")
	}
	next := mu.clone()
	for _, op := range strings.Fields(acl) {
		if err := next.apply(x.s, op); err != nil {
			return err
		}
	}
	*mu = *next
	return nil
}

// GetModuleUserACLString implements sdk.EventAPI.
func (x *modCtx) GetModuleUserACLString(u sdk.User) string {
	mu, err := userOf(u, "GetModuleUserACLString")
	if err != nil {
		return ""
	}
	return mu.describe()
}

// GetModuleUserFromUserName implements sdk.EventAPI.
func (x *modCtx) GetModuleUserFromUserName(name string) (sdk.User, error) {
	if name == "default" {
		return defaultUser, nil
	}
	return nil, fmt.Errorf("GetModuleUserFromUserName: no ACL user %q (Modis has only \"default\")", name)
}

func (u *modUser) clone() *modUser {
	n := *u
	n.cmdRules = append([]cmdRule(nil), u.cmdRules...)
	n.keys = append([]keyPattern(nil), u.keys...)
	n.channels = append([]string(nil), u.channels...)
	return &n
}

// apply applies one ACL rule, as Redis's ACLSetUser (the subset Modis
// knows).
func (u *modUser) apply(s *Server, op string) error {
	lop := strings.ToLower(op)
	switch {
	case lop == "on":
		u.enabled = true
	case lop == "off":
		u.enabled = false
	case lop == "nopass":
		u.nopass = true
	case lop == "reset":
		*u = modUser{name: u.name, mod: u.mod}
	case lop == "allcommands" || lop == "+@all":
		u.cmdRules = []cmdRule{{allow: true, all: true, text: "+@all"}}
	case lop == "nocommands" || lop == "-@all":
		u.cmdRules = []cmdRule{{allow: false, all: true, text: "-@all"}}
	case lop == "allkeys" || lop == "~*":
		u.allKeys, u.keys = true, nil
	case lop == "resetkeys":
		u.allKeys, u.keys = false, nil
	case lop == "allchannels" || lop == "&*":
		u.allChannels, u.channels = true, nil
	case lop == "resetchannels":
		u.allChannels, u.channels = false, nil
	case strings.HasPrefix(op, "~"):
		if !u.allKeys {
			u.keys = append(u.keys, keyPattern{pat: op[1:], perm: sdk.KeyPermRead | sdk.KeyPermWrite, text: op})
		}
	case strings.HasPrefix(op, "%"):
		i := strings.IndexByte(op, '~')
		if i < 2 {
			return fmt.Errorf("Error in ACL SETUSER modifier '%s': Syntax error", op)
		}
		perm := 0
		for _, ch := range strings.ToUpper(op[1:i]) {
			switch ch {
			case 'R':
				perm |= sdk.KeyPermRead
			case 'W':
				perm |= sdk.KeyPermWrite
			default:
				return fmt.Errorf("Error in ACL SETUSER modifier '%s': Syntax error", op)
			}
		}
		u.keys = append(u.keys, keyPattern{pat: op[i+1:], perm: perm, text: op})
	case strings.HasPrefix(op, "&"):
		if !u.allChannels {
			u.channels = append(u.channels, op[1:])
		}
	case strings.HasPrefix(op, "+") || strings.HasPrefix(op, "-"):
		r := cmdRule{allow: op[0] == '+', text: op}
		name := strings.ToLower(op[1:])
		if strings.HasPrefix(name, "@") {
			if !aclCategories[name[1:]] {
				return fmt.Errorf("Error in ACL SETUSER modifier '%s': Unknown command or category name in ACL", op)
			}
			r.cat = name
		} else {
			base, sub, hasSub := strings.Cut(name, "|")
			cmd := s.table.Get(base)
			if cmd == nil || hasSub && (cmd.Subs == nil || cmd.Subs[sub] == nil) {
				return fmt.Errorf("Error in ACL SETUSER modifier '%s': Unknown command or category name in ACL", op)
			}
			r.cmd = name
		}
		u.cmdRules = append(u.cmdRules, r)
	default:
		return fmt.Errorf("Error in ACL SETUSER modifier '%s': Syntax error", op)
	}
	return nil
}

// describe renders the user's rules, in the spirit of ACL GETUSER/LIST.
func (u *modUser) describe() string {
	var parts []string
	if u.enabled {
		parts = append(parts, "on")
	} else {
		parts = append(parts, "off")
	}
	if u.nopass {
		parts = append(parts, "nopass")
	}
	if u.allKeys {
		parts = append(parts, "~*")
	} else {
		for _, k := range u.keys {
			parts = append(parts, k.text)
		}
	}
	if u.allChannels {
		parts = append(parts, "&*")
	} else {
		parts = append(parts, "resetchannels")
		for _, ch := range u.channels {
			parts = append(parts, "&"+ch)
		}
	}
	if len(u.cmdRules) == 0 || !u.cmdRules[0].all {
		parts = append(parts, "-@all")
	}
	for _, r := range u.cmdRules {
		parts = append(parts, r.text)
	}
	return strings.Join(parts, " ")
}

// commandAllowed evaluates the command rules for cmd.
func (u *modUser) commandAllowed(cmd *Command) bool {
	if u.def {
		return true
	}
	allowed := false
	var cats []string
	for _, r := range u.cmdRules {
		match := false
		switch {
		case r.all:
			match = true
		case r.cat != "":
			if cats == nil {
				// COMMAND INFO's categories (cmd_command.go): Redis's for
				// the built-ins, for a module command only those it set
				// with SetCommandACLCategories, as Redis 7.0.
				cats = commandACLCategories(cmd)
			}
			for _, c := range cats {
				if strings.EqualFold(c, r.cat) {
					match = true
				}
			}
		default:
			match = r.cmd == cmd.Name || strings.HasPrefix(cmd.Name, r.cmd+"|")
		}
		if match {
			allowed = r.allow
		}
	}
	return allowed
}

// keyAllowed checks key against the key patterns for perm (both when 0).
func (u *modUser) keyAllowed(key []byte, perm int) bool {
	if u.def || u.allKeys {
		return true
	}
	if perm == 0 {
		perm = sdk.KeyPermRead | sdk.KeyPermWrite
	}
	for _, k := range u.keys {
		if k.perm&perm == perm && glob.Match(k.pat, string(key), false) {
			return true
		}
	}
	return false
}

// channelAllowed checks a channel (or, with pattern, a pattern) against
// the channel patterns, as Redis's ACLCheckChannelAgainstList.
func (u *modUser) channelAllowed(ch []byte, pattern bool) bool {
	if u.def || u.allChannels {
		return true
	}
	for _, p := range u.channels {
		if pattern && p == string(ch) || !pattern && glob.Match(p, string(ch), false) {
			return true
		}
	}
	return false
}

// Redis's NOPERM errors (processCommand, 7.0).
var (
	errNoPermKey     = errors.New("NOPERM this user has no permissions to access one of the keys used as arguments")
	errNoPermChannel = errors.New("NOPERM this user has no permissions to access one of the channels used as arguments")
)

func errNoPermCmd(name string) error {
	return fmt.Errorf("NOPERM this user has no permissions to run the '%s' command", name)
}

// checkCommand is Redis's ACLCheckAllUserCommandPerm: the command, its
// keys (with the access their key specs need) and its channels.
func (u *modUser) checkCommand(cmd *Command, args [][]byte) error {
	if u.def || cmd.Flags&FlagNoAuth != 0 {
		return nil
	}
	if !u.commandAllowed(cmd) {
		return errNoPermCmd(cmd.Name)
	}
	if !u.allKeys {
		for _, k := range findKeys(cmd, args) {
			if k.Pos <= 0 || k.Pos >= len(args) {
				continue
			}
			perm := 0
			if k.Flags&cmdmeta.KeyAccess != 0 {
				perm |= sdk.KeyPermRead
			}
			if k.Flags&(cmdmeta.KeyInsert|cmdmeta.KeyDelete|cmdmeta.KeyUpdate) != 0 {
				perm |= sdk.KeyPermWrite
			}
			if perm == 0 { // no access flag: ask for both, as Redis for such specs
				perm = sdk.KeyPermRead | sdk.KeyPermWrite
			}
			if !u.keyAllowed(args[k.Pos], perm) {
				return errNoPermKey
			}
		}
	}
	if !u.allChannels {
		pattern := false
		var chans [][]byte
		switch cmd.Name {
		case "publish", "spublish":
			if len(args) > 1 {
				chans = args[1:2]
			}
		case "subscribe", "ssubscribe":
			chans = args[1:]
		case "psubscribe":
			chans, pattern = args[1:], true
		}
		for _, ch := range chans {
			if !u.channelAllowed(ch, pattern) {
				return errNoPermChannel
			}
		}
		// A module command with the getchannels-api names its channels
		// (mod_cmdinfo.go); as in Redis, only those it publishes or
		// subscribes to are checked (unsubscribing is always allowed). A
		// handler that panics when asked is denied.
		if cmd.mod != nil && cmd.mod.getChansAPI {
			refs, ok := cmd.mod.channelsViaAPI(cmd, args)
			if !ok {
				return errNoPermChannel
			}
			for _, ch := range refs {
				if ch.flags&(sdk.CmdChannelPublish|sdk.CmdChannelSubscribe) == 0 {
					continue
				}
				if !u.channelAllowed(args[ch.pos], ch.flags&sdk.CmdChannelPattern != 0) {
					return errNoPermChannel
				}
			}
		}
	}
	return nil
}

// ACLCheckCommandPermissions implements sdk.EventAPI.
func (x *modCtx) ACLCheckCommandPermissions(u sdk.User, argv []sdk.String) error {
	mu, err := userOf(u, "ACLCheckCommandPermissions")
	if err != nil {
		return err
	}
	if len(argv) == 0 {
		return errors.New("ACLCheckCommandPermissions: no command")
	}
	args := make([][]byte, len(argv))
	for i, a := range argv {
		args[i] = a.Bytes()
	}
	c := x.c
	if c == nil {
		c = x.s.modules.internal
	}
	cmd, err := c.resolve(args)
	if cmd == nil {
		return err
	}
	return mu.checkCommand(cmd, args)
}

// ACLCheckKeyPermissions implements sdk.EventAPI.
func (x *modCtx) ACLCheckKeyPermissions(u sdk.User, key sdk.String, flags int) error {
	mu, err := userOf(u, "ACLCheckKeyPermissions")
	if err != nil {
		return err
	}
	if !mu.keyAllowed(key.Bytes(), flags&(sdk.KeyPermRead|sdk.KeyPermWrite)) {
		return errNoPermKey
	}
	return nil
}

// ACLCheckChannelPermissions implements sdk.EventAPI.
func (x *modCtx) ACLCheckChannelPermissions(u sdk.User, ch sdk.String, flags int) error {
	mu, err := userOf(u, "ACLCheckChannelPermissions")
	if err != nil {
		return err
	}
	if !mu.channelAllowed(ch.Bytes(), flags&sdk.ChannelPermPattern != 0) {
		return errNoPermChannel
	}
	return nil
}

// ACLAddLogEntry implements sdk.EventAPI: Modis has no ACL LOG, so the
// entry is a warning in the server log.
func (x *modCtx) ACLAddLogEntry(u sdk.User, object sdk.String, reason sdk.ACLLogReason) error {
	mu, err := userOf(u, "ACLAddLogEntry")
	if err != nil {
		return err
	}
	reasons := map[sdk.ACLLogReason]string{sdk.ACLLogAuth: "auth", sdk.ACLLogCmd: "command", sdk.ACLLogKey: "key", sdk.ACLLogChannel: "channel"}
	r, ok := reasons[reason]
	if !ok {
		return fmt.Errorf("ACLAddLogEntry: unknown reason %d", reason)
	}
	name := ""
	if x.mod != nil {
		name = x.mod.Name
	}
	x.s.log.Warn("ACL log entry", "module", name, "username", mu.name, "object", object.String(), "reason", r)
	return nil
}

// AuthenticateClientWithUser implements sdk.EventAPI.
func (x *modCtx) AuthenticateClientWithUser(u sdk.User, cb sdk.UserChangedFunc) (uint64, error) {
	mu, err := userOf(u, "AuthenticateClientWithUser")
	if err != nil {
		return 0, err
	}
	return x.authenticate(mu, cb)
}

// AuthenticateClientWithACLUser implements sdk.EventAPI.
func (x *modCtx) AuthenticateClientWithACLUser(name string, cb sdk.UserChangedFunc) (uint64, error) {
	if name != "default" {
		return 0, fmt.Errorf("AuthenticateClientWithACLUser: no ACL user %q (Modis has only \"default\")", name)
	}
	return x.authenticate(defaultUser, cb)
}

func (x *modCtx) authenticate(mu *modUser, cb sdk.UserChangedFunc) (uint64, error) {
	c := x.c
	if c == nil || c.ID == 0 || x.phase != phaseCommand {
		return 0, errors.New("AuthenticateClientWithUser: no client to authenticate (call it in a command handler)")
	}
	if !mu.enabled {
		return 0, fmt.Errorf("AuthenticateClientWithUser: the user %q is disabled (off)", mu.name)
	}
	s := x.s
	s.aclForgetClient(c)
	c.authed = true
	if !mu.def || cb != nil {
		if s.mev.acl.authed == nil {
			s.mev.acl.authed = map[*Client]*aclAuth{}
		}
		s.mev.acl.authed[c] = &aclAuth{u: mu, cb: cb}
	}
	return uint64(c.ID), nil
}

// aclForgetClient ends c's authentication as a module user, calling its
// UserChangedFunc. Lock held.
func (s *Server) aclForgetClient(c *Client) {
	a := s.mev.acl.authed[c]
	if a == nil {
		return
	}
	delete(s.mev.acl.authed, c)
	if len(s.mev.acl.authed) == 0 {
		s.mev.acl.authed = nil
	}
	if a.cb != nil {
		id := uint64(c.ID)
		s.modCallback(a.u.mod, "user changed", func() { a.cb(id) })
	}
}

// modACLCheck is the dispatcher's check of a client authenticated as a
// module user: the command, its keys and channels against the user's
// rules. A successful AUTH or HELLO AUTH as "default" ends the module
// authentication. Lock held.
func (s *Server) modACLCheck(c *Client, cmd *Command, args [][]byte) error {
	a := s.mev.acl.authed[c]
	if a == nil {
		return nil
	}
	if (cmd.Name == "auth" || cmd.Name == "hello") && s.authWillSucceed(cmd.Name, args) {
		s.aclForgetClient(c)
		return nil
	}
	return a.u.checkCommand(cmd, args)
}

// authWillSucceed reports whether AUTH or HELLO ... AUTH will
// authenticate as "default" (checkAuth's rules).
func (s *Server) authWillSucceed(name string, args [][]byte) bool {
	var user, pass []byte
	switch {
	case name == "auth" && len(args) == 2:
		if s.cfg.RequirePass == "" {
			return false
		}
		user, pass = []byte("default"), args[1]
	case name == "auth" && len(args) == 3:
		user, pass = args[1], args[2]
	case name == "hello":
		for i := 2; i+2 < len(args); i++ {
			if strings.EqualFold(string(args[i]), "auth") {
				user, pass = args[i+1], args[i+2]
				break
			}
		}
		if user == nil {
			return false
		}
	default:
		return false
	}
	return string(user) == "default" && (s.cfg.RequirePass == "" || string(pass) == s.cfg.RequirePass)
}

// DeauthenticateAndCloseClient implements sdk.EventAPI.
func (x *modCtx) DeauthenticateAndCloseClient(id uint64) error {
	s := x.s
	c := s.clients[int64(id)]
	if c == nil || id == 0 {
		return fmt.Errorf("DeauthenticateAndCloseClient: no client with ID %d", id)
	}
	s.aclForgetClient(c)
	s.closeClient(c)
	return nil
}

// --- client information ---

// GetClientId implements sdk.EventAPI.
func (x *modCtx) GetClientId() uint64 {
	if x.c == nil || x.c.ID <= 0 {
		return 0
	}
	return uint64(x.c.ID)
}

// clientByID finds a connected client.
func (x *modCtx) clientByID(id uint64, what string) (*Client, error) {
	if c := x.s.clients[int64(id)]; c != nil && id != 0 {
		return c, nil
	}
	return nil, fmt.Errorf("%s: no client with ID %d", what, id)
}

// GetClientInfoById implements sdk.EventAPI.
func (x *modCtx) GetClientInfoById(id uint64) (sdk.ClientInfo, error) {
	c, err := x.clientByID(id, "GetClientInfoById")
	if err != nil {
		return sdk.ClientInfo{}, err
	}
	return clientInfo(c), nil
}

// GetClientNameById implements sdk.EventAPI.
func (x *modCtx) GetClientNameById(id uint64) (string, error) {
	c, err := x.clientByID(id, "GetClientNameById")
	if err != nil {
		return "", err
	}
	return c.name, nil
}

// SetClientNameById implements sdk.EventAPI.
func (x *modCtx) SetClientNameById(id uint64, name string) error {
	c, err := x.clientByID(id, "SetClientNameById")
	if err != nil {
		return err
	}
	if err := validClientName([]byte(name)); err != nil {
		return err
	}
	c.name = name
	return nil
}

// GetClientUserNameById implements sdk.EventAPI.
func (x *modCtx) GetClientUserNameById(id uint64) (string, error) {
	c, err := x.clientByID(id, "GetClientUserNameById")
	if err != nil {
		return "", err
	}
	return x.s.userName(c), nil
}

// userName is the name of the user c is authenticated as.
func (s *Server) userName(c *Client) string {
	if a := s.mev.acl.authed[c]; a != nil {
		return a.u.name
	}
	return "default"
}

// GetCurrentUserName implements sdk.EventAPI.
func (x *modCtx) GetCurrentUserName() (string, error) {
	if x.c == nil {
		return "", errors.New("GetCurrentUserName: no client")
	}
	return x.s.userName(x.c), nil
}

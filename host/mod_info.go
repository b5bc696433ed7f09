package host

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"modis/sdk"
)

// INFO for modules: the "module:" lines of INFO modules, the modules' own
// sections (RegisterInfoFunc), and GetServerInfo.

// infoModuleLine writes a module's line of INFO modules, as Redis 7.0's
// genModulesInfoString.
func (s *Server) infoModuleLine(sb *strings.Builder, m *Module) {
	ev := &s.mev
	filters := 0
	for _, f := range ev.filters {
		if f.mod == m {
			filters++
		}
	}
	fmt.Fprintf(sb, "module:name=%s,ver=%d,api=1,filters=%d,usedby=%s,using=%s,options=%s\r\n",
		m.Name, m.Version, filters, moduleNameList(ev.usedBy[m]), moduleNameList(ev.using[m]), m.infoOptions())
}

// moduleNameList renders modules as Redis does: [a|b].
func moduleNameList(ms []*Module) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(m.Name)
	}
	b.WriteByte(']')
	return b.String()
}

// infoModuleSections appends the modules' own INFO sections to an INFO
// reply, as Redis 7.0's modulesCollectInfo: every module's sections for
// "everything" and "modules"; for other names, the sections named
// "<module>_<section>" and every section of a module named "<module>",
// when some name was not a built-in section. "all" and "default" do not
// include them. Lock held.
func (s *Server) infoModuleSections(sb *strings.Builder, names [][]byte) {
	ev := &s.mev
	if len(ev.info) == 0 || ev.inInfo > 0 {
		return
	}
	everything := false
	var want map[string]bool
	for _, a := range names {
		sec := strings.ToLower(string(a))
		switch sec {
		case "everything", "modules":
			everything = true
		case "all", "default":
		default:
			if !isBuiltinInfoSection(sec) {
				if want == nil {
					want = map[string]bool{}
				}
				want[sec] = true
			}
		}
	}
	if !everything && want == nil {
		return
	}
	if everything {
		want = nil
	}
	ev.inInfo++
	defer func() { ev.inInfo-- }()
	for _, m := range s.modules.loaded {
		cb := ev.info[m]
		if cb == nil {
			continue
		}
		ic := &infoCtx{s: s, mod: m, sb: sb, want: want}
		s.modCallback(m, "INFO", func() { cb(ic, false) })
		ic.InfoEndDictField()
		ic.done = true
	}
}

// isBuiltinInfoSection reports whether INFO has a section of that name.
func isBuiltinInfoSection(name string) bool {
	if name == "module_list" {
		return true
	}
	for _, sec := range infoSections {
		if sec.name == name {
			return true
		}
	}
	return false
}

// RegisterInfoFunc implements sdk.EventAPI.
func (x *modCtx) RegisterInfoFunc(cb sdk.InfoFunc) error {
	if err := x.liveCtx("RegisterInfoFunc"); err != nil {
		return err
	}
	ev := &x.s.mev
	if cb == nil {
		delete(ev.info, x.mod)
		return nil
	}
	if ev.info == nil {
		ev.info = map[*Module]sdk.InfoFunc{}
	}
	ev.info[x.mod] = cb
	return nil
}

// GetServerInfo implements sdk.EventAPI: INFO's text for the section,
// split into fields as Redis's RM_GetServerInfo does (the first value of a
// field name wins).
func (x *modCtx) GetServerInfo(section string) *sdk.ServerInfoData {
	if section == "" {
		section = "all"
	}
	text := x.s.infoText([][]byte{[]byte(section)})
	fields := map[string]string{}
	for _, line := range strings.Split(text, "\r\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.IndexByte(line, ':')
		if i < 0 {
			continue
		}
		if _, dup := fields[line[:i]]; !dup {
			fields[line[:i]] = line[i+1:]
		}
	}
	return sdk.NewServerInfoData(fields)
}

// infoCtx implements sdk.InfoCtx for one module's INFO callback.
type infoCtx struct {
	s         *Server
	mod       *Module
	sb        *strings.Builder
	want      map[string]bool // sections asked for; nil: all of them
	inSection bool
	inDict    bool
	dict      strings.Builder // the open dict field, written out at its end
	done      bool            // the callback returned: the InfoCtx is dead
}

var (
	errInfoNoSection = errors.New("INFO: no section was started, or INFO did not ask for this one")
	errInfoDone      = errors.New("INFO: the InfoCtx is no longer valid (the callback returned)")
)

// InfoAddSection implements sdk.InfoCtx, as RM_InfoAddSection.
func (ic *infoCtx) InfoAddSection(name string) error {
	if ic.done {
		return errInfoDone
	}
	full := ic.mod.Name
	if name != "" {
		full += "_" + name
	}
	ic.InfoEndDictField()
	if ic.want != nil && !ic.want[strings.ToLower(full)] && !ic.want[strings.ToLower(ic.mod.Name)] {
		ic.inSection = false
		return fmt.Errorf("INFO did not ask for section %q", full)
	}
	if ic.sb.Len() > 0 {
		ic.sb.WriteString("\r\n")
	}
	ic.sb.WriteString("# " + full + "\r\n")
	ic.inSection = true
	return nil
}

// safeInfoString replaces the characters INFO cannot carry in a name, as
// Redis's getSafeInfoString.
func safeInfoString(s string) string {
	return strings.NewReplacer("#", "_", ":", "_", "\n", "_", "\r", "_").Replace(s)
}

// InfoBeginDictField implements sdk.InfoCtx.
func (ic *infoCtx) InfoBeginDictField(name string) error {
	if ic.done {
		return errInfoDone
	}
	if !ic.inSection {
		return errInfoNoSection
	}
	ic.InfoEndDictField()
	ic.dict.Reset()
	ic.dict.WriteString(safeInfoString(ic.mod.Name) + "_" + safeInfoString(name) + ":")
	ic.inDict = true
	return nil
}

// InfoEndDictField implements sdk.InfoCtx: a trailing comma is dropped.
func (ic *infoCtx) InfoEndDictField() error {
	if ic.done {
		return errInfoDone
	}
	if !ic.inDict {
		return errors.New("INFO: no dict field is open")
	}
	ic.sb.WriteString(strings.TrimSuffix(ic.dict.String(), ","))
	ic.sb.WriteString("\r\n")
	ic.inDict = false
	return nil
}

// addField writes one field: "name=value," inside a dict field, else
// "<module>_<name>:value".
func (ic *infoCtx) addField(field, value string) error {
	if ic.done {
		return errInfoDone
	}
	if !ic.inSection {
		return errInfoNoSection
	}
	if ic.inDict {
		ic.dict.WriteString(field + "=" + value + ",")
		return nil
	}
	ic.sb.WriteString(ic.mod.Name + "_" + field + ":" + value + "\r\n")
	return nil
}

// InfoAddFieldString implements sdk.InfoCtx.
func (ic *infoCtx) InfoAddFieldString(field string, value sdk.String) error {
	return ic.addField(field, value.String())
}

// InfoAddFieldCString implements sdk.InfoCtx.
func (ic *infoCtx) InfoAddFieldCString(field string, value string) error {
	return ic.addField(field, value)
}

// InfoAddFieldDouble implements sdk.InfoCtx: %.17g, as Redis.
func (ic *infoCtx) InfoAddFieldDouble(field string, value float64) error {
	return ic.addField(field, fmt.Sprintf("%.17g", value))
}

// InfoAddFieldLongLong implements sdk.InfoCtx.
func (ic *infoCtx) InfoAddFieldLongLong(field string, value int64) error {
	return ic.addField(field, strconv.FormatInt(value, 10))
}

// InfoAddFieldULongLong implements sdk.InfoCtx.
func (ic *infoCtx) InfoAddFieldULongLong(field string, value uint64) error {
	return ic.addField(field, strconv.FormatUint(value, 10))
}

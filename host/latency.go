package host

import (
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strings"
	"time"
)

// The latency monitor (LATENCY LATEST|HISTORY|RESET|GRAPH|DOCTOR), as
// Redis's latency.c: when latency-monitor-threshold is set (milliseconds),
// every event at least that slow is recorded in its event's time series,
// one sample per second (the worst of that second), 160 samples kept.
// Events: "command" and "fast-command" (commands by their fast flag),
// "expire-cycle" (the active expire cycle), "eviction-cycle" and
// "eviction-del" (maxmemory).
//
// And the per-command latency histograms behind INFO latencystats and
// LATENCY HISTOGRAM (latency-tracking, on by default).

const latencyTSLen = 160

type latencySample struct {
	time    int64 // Unix seconds; 0 is an empty slot
	latency int64 // milliseconds
}

type latencySeries struct {
	samples [latencyTSLen]latencySample
	idx     int
	max     int64
}

// latencyMonitor holds the time series by event name.
type latencyMonitor struct {
	events map[string]*latencySeries
}

// latencySample records an event that took d, if the monitor is on and d is
// at least the threshold. Lock held.
func (s *Server) latencySample(event string, d time.Duration) {
	thr := s.cfg.LatencyMonitorThreshold
	ms := d.Milliseconds()
	if thr <= 0 || ms < thr {
		return
	}
	s.latencyAdd(event, ms, time.Now().Unix())
}

// latencyAdd is latencyAddSample.
func (s *Server) latencyAdd(event string, ms, now int64) {
	m := &s.latency
	if m.events == nil {
		m.events = map[string]*latencySeries{}
	}
	ts := m.events[event]
	if ts == nil {
		ts = &latencySeries{}
		m.events[event] = ts
	}
	ts.max = max(ts.max, ms)
	prev := (ts.idx + latencyTSLen - 1) % latencyTSLen
	if ts.samples[prev].time == now {
		ts.samples[prev].latency = max(ts.samples[prev].latency, ms)
		return
	}
	ts.samples[ts.idx] = latencySample{time: now, latency: ms}
	ts.idx = (ts.idx + 1) % latencyTSLen
}

// eventNames lists the recorded events in a stable order.
func (m *latencyMonitor) eventNames() []string {
	names := make([]string, 0, len(m.events))
	for n := range m.events {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func latencyCommand() *Command {
	f := FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	return &Command{
		Name: "latency", Arity: -2, Group: "server", Summary: "A container for latency diagnostics commands.", Since: "2.8.13",
		Subs: map[string]*Command{
			"latest": {Arity: 2, Flags: f, Handler: cmdLatencyLatest,
				Summary: "Returns the latest latency samples for all events.", Since: "2.8.13"},
			"history": {Arity: 3, Flags: f, Handler: cmdLatencyHistory,
				Summary: "Returns timestamp-latency samples for an event.", Since: "2.8.13"},
			"reset": {Arity: -2, Flags: f, Handler: cmdLatencyReset,
				Summary: "Resets the latency data for one or more events.", Since: "2.8.13"},
			"graph": {Arity: 3, Flags: f, Handler: cmdLatencyGraph,
				Summary: "Returns a latency graph for an event.", Since: "2.8.13"},
			"doctor": {Arity: 2, Flags: f, Handler: cmdLatencyDoctor,
				Summary: "Returns a human-readable latency analysis report.", Since: "2.8.13"},
			"histogram": {Arity: -2, Flags: f, Handler: cmdLatencyHistogram,
				Summary: "Returns the cumulative distribution of latencies of a subset or all commands.", Since: "7.0.0"},
			"help": {Arity: 2, Flags: FlagLoading | FlagStale, Handler: helpHandler("LATENCY",
				"DOCTOR",
				"    Return a human readable latency analysis report.",
				"GRAPH <event>",
				"    Return an ASCII latency graph for the <event> class.",
				"HISTORY <event>",
				"    Return time-latency samples for the <event> class.",
				"LATEST",
				"    Return the latest latency samples for all events.",
				"RESET [<event> ...]",
				"    Reset latency data of one or more <event> classes.",
				"    (default: reset all data for all event classes)",
				"HISTOGRAM [COMMAND ...]",
				"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
				"    If no commands are specified then all histograms are replied.",
			), Summary: "Returns helpful text about the different subcommands.", Since: "2.8.13"},
		},
	}
}

func cmdLatencyLatest(c *Client, _ [][]byte) error {
	m := &c.srv.latency
	names := m.eventNames()
	c.out.Array(len(names))
	for _, n := range names {
		ts := m.events[n]
		last := ts.samples[(ts.idx+latencyTSLen-1)%latencyTSLen]
		c.out.Array(4)
		c.out.BulkString(n)
		c.out.Int(last.time)
		c.out.Int(last.latency)
		c.out.Int(ts.max)
	}
	return nil
}

func cmdLatencyHistory(c *Client, args [][]byte) error {
	ts := c.srv.latency.events[string(args[2])]
	if ts == nil {
		c.out.Array(0)
		return nil
	}
	var out []latencySample
	for j := 0; j < latencyTSLen; j++ {
		if s := ts.samples[(ts.idx+j)%latencyTSLen]; s.time != 0 {
			out = append(out, s)
		}
	}
	c.out.Array(len(out))
	for _, s := range out {
		c.out.Array(2)
		c.out.Int(s.time)
		c.out.Int(s.latency)
	}
	return nil
}

func cmdLatencyReset(c *Client, args [][]byte) error {
	m := &c.srv.latency
	resets := 0
	if len(args) == 2 {
		resets = len(m.events)
		m.events = nil
	} else {
		for _, a := range args[2:] {
			for n := range m.events {
				if strings.EqualFold(n, string(a)) {
					delete(m.events, n)
					resets++
				}
			}
		}
	}
	c.out.Int(int64(resets))
	return nil
}

func cmdLatencyGraph(c *Client, args [][]byte) error {
	ts := c.srv.latency.events[string(args[2])]
	if ts == nil {
		return fmt.Errorf("ERR No samples available for event '%s'", args[2])
	}
	c.out.Verbatim("txt", []byte(latencyGraph(string(args[2]), ts, time.Now().Unix())))
	return nil
}

// latencyGraph draws an event's samples as Redis's sparkline: 80 columns,
// 4 rows of "_o#|", each sample labelled with how long ago it was.
func latencyGraph(event string, ts *latencySeries, now int64) string {
	type point struct {
		v     float64
		label string
	}
	var pts []point
	var lo, hi int64
	for j := 0; j < latencyTSLen; j++ {
		smp := ts.samples[(ts.idx+j)%latencyTSLen]
		if smp.time == 0 {
			continue
		}
		if len(pts) == 0 {
			lo, hi = smp.latency, smp.latency
		} else {
			lo, hi = min(lo, smp.latency), max(hi, smp.latency)
		}
		el := now - smp.time
		var label string
		switch {
		case el < 60:
			label = fmt.Sprintf("%ds", el)
		case el < 3600:
			label = fmt.Sprintf("%dm", el/60)
		case el < 3600*24:
			label = fmt.Sprintf("%dh", el/3600)
		default:
			label = fmt.Sprintf("%dd", el/(3600*24))
		}
		pts = append(pts, point{float64(smp.latency), label})
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s - high %d ms, low %d ms (all time high %d ms)\n", event, hi, lo, ts.max)
	sb.WriteString(strings.Repeat("-", 80))
	sb.WriteByte('\n')
	// The sparkline.
	const rows, cols = 4, 80
	const charset = "_o#"
	var vmin, vmax float64
	for i, p := range pts {
		if i == 0 || p.v < vmin {
			vmin = p.v
		}
		if i == 0 || p.v > vmax {
			vmax = p.v
		}
	}
	for start := 0; start < len(pts); start += cols {
		if start != 0 {
			sb.WriteByte('\n')
		}
		part := pts[start:min(start+cols, len(pts))]
		rel := vmax - vmin
		if rel == 0 {
			rel = 1
		}
		steps := len(charset) * rows
		line := make([]byte, len(part))
		for row := 0; ; row++ {
			more := false
			for j := range line {
				line[j] = ' '
			}
			for j, p := range part {
				step := int(float64(int((p.v-vmin)*float64(steps))) / rel)
				step = max(0, min(step, steps-1))
				if row < rows {
					more = true
					idx := step - (rows-row-1)*len(charset)
					switch {
					case idx >= 0 && idx < len(charset):
						line[j] = charset[idx]
					case idx >= len(charset):
						line[j] = '|'
					}
					continue
				}
				if row-rows < 1 { // a blank row between the graph and the labels
					more = true
					break
				}
				if k := row - rows - 1; k < len(p.label) {
					more = true
					line[j] = p.label[k]
				}
			}
			if !more {
				break
			}
			sb.Write(line)
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

func cmdLatencyDoctor(c *Client, _ [][]byte) error {
	c.out.Verbatim("txt", []byte(c.srv.latencyReport(time.Now().Unix())))
	return nil
}

// latencyReport is LATENCY DOCTOR's text.
func (s *Server) latencyReport(now int64) string {
	m := &s.latency
	if len(m.events) == 0 && s.cfg.LatencyMonitorThreshold == 0 {
		return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
	}
	var sb strings.Builder
	advices := 0
	var slowlogEnabled, slowlogTuning, slowlogInspect, scheduler, hz, largeObjects, massEviction bool
	for i, n := range m.eventNames() {
		ts := m.events[n]
		if i == 0 {
			sb.WriteString("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n")
		}
		var samples, sum, oldest int64
		for _, smp := range ts.samples {
			if smp.time == 0 {
				continue
			}
			samples++
			sum += smp.latency
			if oldest == 0 || smp.time < oldest {
				oldest = smp.time
			}
		}
		var avg, mad, period int64
		if samples > 0 {
			avg = sum / samples
			period = now - oldest
			if period == 0 {
				period = 1
			}
			var dev int64
			for _, smp := range ts.samples {
				if smp.time != 0 {
					d := avg - smp.latency
					if d < 0 {
						d = -d
					}
					dev += d
				}
			}
			mad = dev / samples
		}
		perSample := 0.0
		if samples > 0 {
			perSample = float64(period) / float64(samples)
		}
		fmt.Fprintf(&sb, "%d. %s: %d latency spikes (average %dms, mean deviation %dms, period %.2f sec). Worst all time event %dms.",
			i+1, n, samples, avg, mad, perSample, ts.max)
		switch strings.ToLower(n) {
		case "command":
			if s.cfg.SlowlogLogSlowerThan < 0 {
				slowlogEnabled = true
				advices++
			} else if s.cfg.SlowlogLogSlowerThan/1000 > s.cfg.LatencyMonitorThreshold {
				slowlogTuning = true
				advices++
			}
			slowlogInspect, largeObjects = true, true
			advices += 2
		case "fast-command":
			scheduler = true
			advices++
		case "expire-cycle":
			hz, largeObjects = true, true
			advices += 2
		case "eviction-del":
			largeObjects = true
			advices++
		case "eviction-cycle":
			massEviction = true
			advices++
		}
		sb.WriteByte('\n')
	}
	events := len(m.events)
	switch {
	case events == 0 && advices == 0:
		sb.WriteString("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n")
	case events > 0 && advices == 0:
		sb.WriteString("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n")
	default:
		sb.WriteString("\nI have a few advices for you:\n\n")
		if slowlogEnabled {
			fmt.Fprintf(&sb, "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than %d'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n", s.cfg.LatencyMonitorThreshold*1000)
		}
		if slowlogTuning {
			fmt.Fprintf(&sb, "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than %d'.\n", s.cfg.LatencyMonitorThreshold*1000)
		}
		if slowlogInspect {
			sb.WriteString("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n")
		}
		if scheduler {
			sb.WriteString("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
				"  1) Lower the system load.\n" +
				"  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
				"  3) Check if you have a \"noisy neighbour\" problem.\n" +
				"  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
				"  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n")
		}
		if hz && s.cfg.Hz < 100 {
			sb.WriteString("- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n")
		}
		if largeObjects {
			sb.WriteString("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n")
		}
		if massEviction {
			sb.WriteString("- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n")
		}
	}
	return sb.String()
}

// Per-command latency histograms.

// latencyHist counts durations in log-linear buckets of nanoseconds: 16
// sub-buckets per power of two (about 6% resolution), enough for the
// percentiles INFO latencystats reports.
type latencyHist struct {
	counts [64 * histSub]int64
	total  int64
}

const histSubBits = 4
const histSub = 1 << histSubBits

func histIndex(ns int64) int {
	if ns < histSub {
		return int(max(ns, 0))
	}
	e := bits.Len64(uint64(ns)) - histSubBits // >= 1
	sub := int(ns>>uint(e-1)) & (histSub - 1)
	return e*histSub + sub
}

// histUpper is the largest value of bucket i, in nanoseconds.
func histUpper(i int) int64 {
	if i < histSub {
		return int64(i)
	}
	e := i / histSub
	sub := int64(i % histSub)
	return (int64(histSub)+sub+1)<<uint(e-1) - 1
}

func (h *latencyHist) add(d time.Duration) {
	h.counts[histIndex(int64(d))]++
	h.total++
}

// percentile is the smallest bucket bound under which p percent of the
// samples fall, in microseconds.
func (h *latencyHist) percentile(p float64) float64 {
	if h.total == 0 {
		return 0
	}
	want := int64(math.Ceil(p / 100 * float64(h.total)))
	want = max(want, 1)
	var seen int64
	for i, n := range h.counts {
		seen += n
		if seen >= want {
			return float64(histUpper(i)) / 1000
		}
	}
	return 0
}

// powerBuckets returns LATENCY HISTOGRAM's buckets: for powers of two of
// microseconds, the number of calls at most that slow, where that grew.
func (h *latencyHist) powerBuckets() (bounds []int64, cum []int64) {
	var seen int64
	i := 0
	for b := int64(1); i < len(h.counts); b *= 2 {
		limit := b * 1024 // Redis steps in powers of two from 1024ns
		before := seen
		for i < len(h.counts) && histUpper(i) < limit {
			seen += h.counts[i]
			i++
		}
		if seen > before {
			bounds = append(bounds, b)
			cum = append(cum, seen)
		}
		if seen == h.total {
			break
		}
	}
	return bounds, cum
}

func cmdLatencyHistogram(c *Client, args [][]byte) error {
	s := c.srv
	var cmds []*Command
	if len(args) == 2 {
		for _, cmd := range s.allCommands() {
			if st := s.cmdStats[cmd]; st != nil && st.hist != nil && st.hist.total > 0 {
				cmds = append(cmds, cmd)
			}
		}
	} else {
		seen := map[*Command]bool{}
		for _, a := range args[2:] {
			cmd := s.table.findCommand(string(a))
			if cmd == nil || seen[cmd] {
				continue
			}
			if cmd.Subs != nil && !strings.Contains(string(a), "|") {
				for _, sub := range sortedSubs(cmd) {
					if st := s.cmdStats[sub]; st != nil && st.hist != nil && st.hist.total > 0 && !seen[sub] {
						seen[sub] = true
						cmds = append(cmds, sub)
					}
				}
				continue
			}
			seen[cmd] = true
			if st := s.cmdStats[cmd]; st != nil && st.hist != nil && st.hist.total > 0 {
				cmds = append(cmds, cmd)
			}
		}
	}
	w := c.out
	w.Map(len(cmds))
	for _, cmd := range cmds {
		h := s.cmdStats[cmd].hist
		w.BulkString(cmd.Name)
		w.Map(2)
		w.BulkString("calls")
		w.Int(h.total)
		w.BulkString("histogram_usec")
		bounds, cum := h.powerBuckets()
		w.Map(len(bounds))
		for i := range bounds {
			w.Int(bounds[i])
			w.Int(cum[i])
		}
	}
	return nil
}

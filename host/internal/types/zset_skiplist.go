package types

import "math/rand/v2"

// The skiplist, after Redis's t_zset.c (William Pugh's skip list with
// repeated scores, ordering by member among equal scores, spans for ranks
// and a backward pointer on level 0).

const (
	zslMaxLevel = 32
	zslP        = 0xFFFF / 4 // a level goes up with probability 1/4
)

type zslLevel struct {
	forward *zslNode
	span    int
}

type zslNode struct {
	member   string
	score    float64
	backward *zslNode
	pos      int // index in zskiplist.dense
	level    []zslLevel
}

type zskiplist struct {
	header, tail *zslNode
	length       int
	level        int
	dict         map[string]*zslNode
	dense        []*zslNode // every node, in no order; zslNode.pos
	bytes        int        // total member length
	levels       int        // total levels of the nodes
}

func newZskiplist(hint int) *zskiplist {
	return &zskiplist{
		header: &zslNode{level: make([]zslLevel, zslMaxLevel)},
		level:  1,
		dict:   make(map[string]*zslNode, hint),
		dense:  make([]*zslNode, 0, hint),
	}
}

func zslRandomLevel() int {
	level := 1
	for level < zslMaxLevel && rand.Uint32()&0xFFFF <= zslP {
		level++
	}
	return level
}

// before reports whether node n sorts before (score, member).
func (n *zslNode) before(score float64, member string) bool {
	return n.score < score || n.score == score && n.member < member
}

// add inserts a new member (not already present).
func (sl *zskiplist) add(member string, score float64) *zslNode {
	n := &zslNode{member: member, score: score, level: make([]zslLevel, zslRandomLevel())}
	sl.link(n)
	n.pos = len(sl.dense)
	sl.dense = append(sl.dense, n)
	sl.dict[member] = n
	sl.bytes += len(member)
	sl.levels += len(n.level)
	return n
}

// link inserts node n (its level slice sized) at its sorted place: zslInsert.
func (sl *zskiplist) link(n *zslNode) {
	var update [zslMaxLevel]*zslNode
	var rank [zslMaxLevel]int
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		if i != sl.level-1 {
			rank[i] = rank[i+1]
		}
		for x.level[i].forward != nil && x.level[i].forward.before(n.score, n.member) {
			rank[i] += x.level[i].span
			x = x.level[i].forward
		}
		update[i] = x
	}
	level := len(n.level)
	if level > sl.level {
		for i := sl.level; i < level; i++ {
			rank[i] = 0
			update[i] = sl.header
			update[i].level[i].span = sl.length
		}
		sl.level = level
	}
	for i := 0; i < level; i++ {
		n.level[i].forward = update[i].level[i].forward
		update[i].level[i].forward = n
		n.level[i].span = update[i].level[i].span - (rank[0] - rank[i])
		update[i].level[i].span = rank[0] - rank[i] + 1
	}
	for i := level; i < sl.level; i++ {
		update[i].level[i].span++
	}
	if update[0] != sl.header {
		n.backward = update[0]
	} else {
		n.backward = nil
	}
	if n.level[0].forward != nil {
		n.level[0].forward.backward = n
	} else {
		sl.tail = n
	}
	sl.length++
}

// findUpdate fills update with the last node before (score, member) on each
// level.
func (sl *zskiplist) findUpdate(score float64, member string, update *[zslMaxLevel]*zslNode) {
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && x.level[i].forward.before(score, member) {
			x = x.level[i].forward
		}
		update[i] = x
	}
}

// unlink is zslDeleteNode.
func (sl *zskiplist) unlink(x *zslNode, update *[zslMaxLevel]*zslNode) {
	for i := 0; i < sl.level; i++ {
		if update[i].level[i].forward == x {
			update[i].level[i].span += x.level[i].span - 1
			update[i].level[i].forward = x.level[i].forward
		} else {
			update[i].level[i].span--
		}
	}
	if x.level[0].forward != nil {
		x.level[0].forward.backward = x.backward
	} else {
		sl.tail = x.backward
	}
	for sl.level > 1 && sl.header.level[sl.level-1].forward == nil {
		sl.level--
	}
	sl.length--
}

// forget drops a node unlinked for good from the map and the dense slice.
func (sl *zskiplist) forget(n *zslNode) {
	delete(sl.dict, n.member)
	last := len(sl.dense) - 1
	if n.pos != last {
		m := sl.dense[last]
		sl.dense[n.pos] = m
		m.pos = n.pos
	}
	sl.dense[last] = nil
	sl.dense = sl.dense[:last]
	sl.bytes -= len(n.member)
	sl.levels -= len(n.level)
}

// remove deletes node n.
func (sl *zskiplist) remove(n *zslNode) {
	var update [zslMaxLevel]*zslNode
	sl.findUpdate(n.score, n.member, &update)
	sl.unlink(n, &update)
	sl.forget(n)
}

// updateScore is zslUpdateScore: change n's score, in place when its
// position does not change, else by moving the node.
func (sl *zskiplist) updateScore(n *zslNode, score float64) {
	var update [zslMaxLevel]*zslNode
	sl.findUpdate(n.score, n.member, &update)
	if (n.backward == nil || n.backward.score < score) &&
		(n.level[0].forward == nil || n.level[0].forward.score > score) {
		n.score = score
		return
	}
	sl.unlink(n, &update)
	n.score = score
	for i := range n.level {
		n.level[i] = zslLevel{}
	}
	sl.link(n)
}

// rank is zslGetRank: the 1-based rank of (score, member), 0 if absent.
func (sl *zskiplist) rank(score float64, member string) int {
	rank := 0
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil &&
			(x.level[i].forward.score < score ||
				x.level[i].forward.score == score && x.level[i].forward.member <= member) {
			rank += x.level[i].span
			x = x.level[i].forward
		}
		if x != sl.header && x.member == member {
			return rank
		}
	}
	return 0
}

// byRank is zslGetElementByRank (1-based).
func (sl *zskiplist) byRank(rank int) *zslNode {
	traversed := 0
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span <= rank {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		if traversed == rank {
			return x
		}
	}
	return nil
}

func (sl *zskiplist) firstInRange(r *ScoreRange) *zslNode {
	if sl.tail == nil || !r.gteMin(sl.tail.score) || !r.lteMax(sl.header.level[0].forward.score) {
		return nil
	}
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && !r.gteMin(x.level[i].forward.score) {
			x = x.level[i].forward
		}
	}
	x = x.level[0].forward
	if x == nil || !r.lteMax(x.score) {
		return nil
	}
	return x
}

func (sl *zskiplist) lastInRange(r *ScoreRange) *zslNode {
	if sl.tail == nil || !r.gteMin(sl.tail.score) || !r.lteMax(sl.header.level[0].forward.score) {
		return nil
	}
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && r.lteMax(x.level[i].forward.score) {
			x = x.level[i].forward
		}
	}
	if x == sl.header || !r.gteMin(x.score) {
		return nil
	}
	return x
}

func (sl *zskiplist) firstInLexRange(r *LexRange) *zslNode {
	if sl.tail == nil || !r.gteMin(sl.tail.member) || !r.lteMax(sl.header.level[0].forward.member) {
		return nil
	}
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && !r.gteMin(x.level[i].forward.member) {
			x = x.level[i].forward
		}
	}
	x = x.level[0].forward
	if x == nil || !r.lteMax(x.member) {
		return nil
	}
	return x
}

func (sl *zskiplist) lastInLexRange(r *LexRange) *zslNode {
	if sl.tail == nil || !r.gteMin(sl.tail.member) || !r.lteMax(sl.header.level[0].forward.member) {
		return nil
	}
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && r.lteMax(x.level[i].forward.member) {
			x = x.level[i].forward
		}
	}
	if x == sl.header || !r.gteMin(x.member) {
		return nil
	}
	return x
}

// removeRange deletes nodes from 1-based rank start on, while keep says
// so, and returns how many it deleted (zslDeleteRangeByRank and friends).
func (sl *zskiplist) removeRange(start int, keep func(n *zslNode) bool) int {
	var update [zslMaxLevel]*zslNode
	traversed := 0
	x := sl.header
	for i := sl.level - 1; i >= 0; i-- {
		for x.level[i].forward != nil && traversed+x.level[i].span < start {
			traversed += x.level[i].span
			x = x.level[i].forward
		}
		update[i] = x
	}
	removed := 0
	x = x.level[0].forward
	for x != nil && keep(x) {
		next := x.level[0].forward
		sl.unlink(x, &update)
		sl.forget(x)
		removed++
		x = next
	}
	return removed
}

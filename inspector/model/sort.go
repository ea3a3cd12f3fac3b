package model

// SortKey is what the flows of the list are ordered by.
type SortKey int

// Sort keys, in the order the sort key cycles through them.
const (
	SortTime     SortKey = iota // when the request arrived (ID order)
	SortDuration                // slowest first
	SortSize                    // largest first
	SortStatus                  // worst first: failures, 5xx, 4xx...
	sortCount
)

func (k SortKey) String() string {
	return [...]string{"time", "duration", "size", "status"}[k]
}

// Sort returns the sort key and whether it runs high to low.
func (m *Model) Sort() (SortKey, bool) { return m.sortKey, m.desc }

// SetSort orders the flows (inside their groups, in the grouped modes).
func (m *Model) SetSort(k SortKey, desc bool) {
	if k < 0 || k >= sortCount {
		return
	}
	m.sortKey, m.desc = k, desc
	m.dirty = true
}

// CycleSort goes to the next key, in its natural direction: time oldest
// first, everything else largest (slowest, worst) first.
func (m *Model) CycleSort() {
	k := (m.sortKey + 1) % sortCount
	m.SetSort(k, k != SortTime)
}

// ReverseSort flips the direction.
func (m *Model) ReverseSort() { m.SetSort(m.sortKey, !m.desc) }

// less is the order of two rows; ties go by ID so the order is stable.
func (m *Model) less() func(a, b *Row) bool {
	var key func(r *Row) int64
	switch m.sortKey {
	case SortDuration:
		key = func(r *Row) int64 { return int64(r.Dur) }
	case SortSize:
		key = func(r *Row) int64 { return r.Size }
	case SortStatus:
		key = func(r *Row) int64 { return int64(r.Worst()) }
	default:
		key = func(r *Row) int64 {
			if r.Start.IsZero() {
				return 0
			}
			return r.Start.UnixNano()
		}
	}
	desc := m.desc
	return func(a, b *Row) bool {
		ka, kb := key(a), key(b)
		if ka != kb {
			return (ka < kb) != desc
		}
		return a.ID < b.ID
	}
}

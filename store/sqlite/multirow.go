package sqlite

import (
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

// Rows in runs. Most flows of a batch are new to the writer, so their rows
// go in with one INSERT of up to maxRun rows each, and their bodies with
// another, instead of two statements a flow: a statement's fixed cost (the
// call into C, opening a cursor on the table and on each of its indexes,
// resetting) is then paid once a run. BenchmarkWriterSmall (67-byte
// bodies), user CPU per flow in four alternating runs: 11.6-13.7 µs one
// row a statement, 9.5-10.0 µs in runs of 16; runs of 64 were no better.

// maxRun is the most flows one multi-row INSERT writes: 16 rows of flows
// bind 16 × 60 values, well under SQLite's 32,766.
const maxRun = 16

// minRun is the shortest run worth its own statement.
const minRun = 2

// runInserts is a table's INSERT with 1 to len-1 rows of values, by rows,
// built when the package is initialised (writers of several databases run
// at once, and share them).
type runInserts []string

func newRunInserts(single string, most int) runInserts {
	i := strings.Index(single, " VALUES ")
	values := single[i+len(" VALUES "):]
	r := make(runInserts, most+1)
	var b strings.Builder
	b.WriteString(single)
	r[1] = b.String()
	for n := 2; n <= most; n++ {
		b.WriteString(", ")
		b.WriteString(values)
		r[n] = b.String()
	}
	return r
}

var (
	flowRuns = newRunInserts(flowTable.insert, maxRun)
	bodyRuns = newRunInserts(bodyTable.insert, 2*maxRun) // up to two bodies a flow
)

// freshRun is how many items from the start of batch are flows this writer
// has not recorded before, each once, up to maxRun.
func (s *stmts) freshRun(batch []item) int {
	n := 0
	for n < len(batch) && n < maxRun {
		f := batch[n].flow
		if f == nil || f.ID <= 0 || s.seen.test(f.ID) {
			break
		}
		for _, it := range batch[:n] {
			if it.flow.ID == f.ID {
				return n
			}
		}
		n++
	}
	return n
}

// flowRun writes a run of new flows (freshRun) and their bodies with a
// statement or two. A constraint failure (rows already in the file, from
// another writer of the session) undoes only that statement: the run is
// then written flow by flow, which replaces them.
func (s *stmts) flowRun(session int64, run []item) error {
	s.args = s.args[:0]
	for _, it := range run {
		it.flow.Rev = s.nextRev()
		s.args = flowTable.args(s.args, session, it.flow)
	}
	err := s.exec(flowRuns[len(run)], s.args...)
	if isConstraint(err) {
		for _, it := range run {
			if err := s.flow(session, it.flow); err != nil {
				return err
			}
		}
		return nil
	}
	if err != nil {
		return err
	}
	for _, it := range run {
		s.seen.testAndSet(it.flow.ID)
	}
	if err := s.bodyRun(session, run); err != nil {
		return err
	}
	s.w.runRows.Add(int64(len(run)))
	return nil
}

// bodyRun inserts the bodies of a run of new flows, up to 2×maxRun rows a
// statement (two bodies a flow at most).
func (s *stmts) bodyRun(session int64, run []item) error {
	s.args = s.args[:0]
	n := 0
	for _, it := range run {
		for which, b := range [2]*store.Body{&it.flow.ReqBody, &it.flow.RespBody} {
			if len(b.Data) == 0 {
				continue
			}
			if err := s.bodyArgs(session, it.flow.ID, which, b.Data); err != nil {
				return err
			}
			if n++; n == maxRun*2 {
				if err := s.exec(bodyRuns[n], s.args...); err != nil {
					return err
				}
				s.args, n = s.args[:0], 0
			}
		}
	}
	if n == 0 {
		return nil
	}
	return s.exec(bodyRuns[n], s.args...)
}

package store

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"
)

// Recorder is how the proxy writes. Every Record call returns at once: the
// value is queued for a writer goroutine and must not be modified afterwards.
// Recording the same (session, id) again replaces the earlier row, so a flow
// may be recorded when it starts and again when it ends.
//
// When the queue is full the value is dropped and counted in Stats: the
// proxy never waits on the disk.
type Recorder interface {
	RecordFlow(f *Flow)
	RecordConn(c *Conn)
	RecordLookup(l *Lookup)
	RecordPage(p *Page)
	Stats() RecorderStats
}

// RecorderStats counts what happened to recorded values.
type RecorderStats struct {
	Queued  int64 // accepted into the queue
	Written int64 // committed to the database
	Dropped int64 // refused because the queue was full
	Failed  int64 // lost because the database refused to write
	// BodiesShed counts flows stored without their body copies because the
	// queue already held more body bytes than it may (the flow itself is
	// kept; its Body says Truncated with no Data), including bodies the
	// proxy did not copy at all because AdmitBody said no.
	BodiesShed int64
	// LastError is the most recent write error, empty when none.
	LastError string
}

// BodyAdmitter is implemented by a Recorder that bounds the body bytes
// waiting to be stored. The proxy asks before copying a body: when bodies
// arrive faster than the disk takes them, a copy that would be shed is
// never made (a 1 MiB copy costs an allocation and a pass over the bytes).
type BodyAdmitter interface {
	// AdmitBody reports whether a body copy of about n bytes recorded now
	// would be stored. A refusal counts in RecorderStats.BodiesShed.
	AdmitBody(n int64) bool
}

// FlowQuery selects flows of one session, in ID order, paged by key.
type FlowQuery struct {
	SessionID int64
	AfterID   int64 // return flows with ID > AfterID
	PageID    int64 // when > 0, only the flows of that page load
	Limit     int   // 0 means no limit
	// WithBodies loads body data; without it Body.Data is nil but Size and
	// Truncated are set.
	WithBodies bool
	// Changed reads by change instead of by ID: flows written after the
	// change number AfterRev (Flow.Rev), in the order they were written,
	// each as it is now. A flow written again since appears again. A
	// live view that keeps AfterRev at the highest Rev it has seen never
	// misses a flow, however long it was in flight.
	Changed  bool
	AfterRev int64
	// Summary skips the header blocks (ReqHeaders, RespHeaders and
	// RespTrailers stay nil) except the response's Content-Type, kept in
	// RespHeaders: enough for lists of 100,000 flows.
	Summary bool
}

// SessionDeleter is implemented by stores that can delete a session; the
// inspector offers the action when its store has it.
type SessionDeleter interface {
	DeleteSession(ctx context.Context, id int64) error
}

// Annotation is what a person wrote on a flow or on a page load: a mark
// (flows) and a comment. It is kept apart from the recording, which never
// changes it, and goes out with every export (HAR's comment, the reports).
type Annotation struct {
	FlowID  int64 // the flow annotated; 0 for a page load's annotation
	PageID  int64 // the page load annotated, when FlowID is 0
	Marked  bool
	Comment string
}

// Empty reports whether the annotation says nothing (storing it removes it).
func (a Annotation) Empty() bool { return !a.Marked && strings.TrimSpace(a.Comment) == "" }

// Annotator is implemented by stores that keep marks and comments and can
// delete one flow; the inspector offers those keys when its store has it.
type Annotator interface {
	// Annotate stores a flow's or a page load's annotation, replacing the
	// one it had; an Empty one removes it.
	Annotate(ctx context.Context, sessionID int64, a Annotation) error
	// DeleteFlow removes one flow, its bodies and its annotation.
	DeleteFlow(ctx context.Context, sessionID, id int64) error
}

// AnnotationReader is implemented by stores that keep annotations: viewers
// and exports read them when their Reader has it.
type AnnotationReader interface {
	// Annotations returns every annotation of a session, flows' first.
	Annotations(ctx context.Context, sessionID int64) ([]Annotation, error)
}

// Annotations reads a session's annotations when r keeps them, else none.
func Annotations(ctx context.Context, r Reader, sessionID int64) ([]Annotation, error) {
	if ar, ok := r.(AnnotationReader); ok {
		return ar.Annotations(ctx, sessionID)
	}
	return nil, nil
}

// ResendIndex is implemented by stores that can say which flows of a
// session glassbox resend sent again, without reading the flows: an export
// names, on the original, the flows that repeat it (Flow.ResendOf is the
// other direction).
type ResendIndex interface {
	// Resends maps a flow ID to the IDs of the flows that resent it, in ID
	// order; flows never resent are absent.
	Resends(ctx context.Context, sessionID int64) (map[int64][]int64, error)
}

// Reader is how viewers (the inspector, exporters, the CLI) read.
type Reader interface {
	// Sessions lists every session, newest first.
	Sessions(ctx context.Context) ([]Session, error)
	// Session returns one session; id 0 means the latest.
	Session(ctx context.Context, id int64) (Session, error)
	// Flows returns flows in ID order; see FlowQuery.
	Flows(ctx context.Context, q FlowQuery) ([]Flow, error)
	// Flow returns one flow with its bodies.
	Flow(ctx context.Context, sessionID, id int64) (Flow, error)
	// Conns returns every connection of a session, in ID order.
	Conns(ctx context.Context, sessionID int64) ([]Conn, error)
	// Lookups returns every DNS lookup of a session, in ID order.
	Lookups(ctx context.Context, sessionID int64) ([]Lookup, error)
	// Pages returns every page load of a session, in ID order.
	Pages(ctx context.Context, sessionID int64) ([]Page, error)
}

// EachFlow calls fn for every flow of a session matching q, reading pages of
// batch flows at a time so memory stays bounded however large the session.
func EachFlow(ctx context.Context, r Reader, q FlowQuery, batch int, fn func(*Flow) error) error {
	if batch <= 0 {
		batch = 500
	}
	limit := q.Limit
	seen := 0
	for {
		page := q
		page.Limit = batch
		if limit > 0 && limit-seen < batch {
			page.Limit = limit - seen
		}
		flows, err := r.Flows(ctx, page)
		if err != nil {
			return err
		}
		for i := range flows {
			if err := fn(&flows[i]); err != nil {
				return err
			}
		}
		seen += len(flows)
		if len(flows) < page.Limit || (limit > 0 && seen >= limit) {
			return nil
		}
		q.AfterID, q.AfterRev = flows[len(flows)-1].ID, flows[len(flows)-1].Rev
	}
}

// sortHeaders orders fields by name, ignoring case, keeping the order of
// a name's values. Comparing without strings.ToLower matters: canonical
// names ("Content-Type") made it allocate at every comparison of every
// request's and response's headers.
func sortHeaders(h Headers) {
	slices.SortStableFunc(h, func(a, b Header) int { return compareFold(a.Name, b.Name) })
}

// compareFold compares as strings.Compare(strings.ToLower(a),
// strings.ToLower(b)) does, without allocating for ASCII (field names are
// ASCII tokens, RFC 9110 §5.1; anything else takes the slow way).
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca >= utf8.RuneSelf || cb >= utf8.RuneSelf {
			return strings.Compare(strings.ToLower(a), strings.ToLower(b))
		}
		if ca, cb = lowerASCII(ca), lowerASCII(cb); ca != cb {
			return int(ca) - int(cb)
		}
	}
	return len(a) - len(b)
}

// lowerASCII is c with an ASCII capital letter made small; any other byte
// as it is.
func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

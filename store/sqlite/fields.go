package sqlite

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// field binds a column to a place in the model T: get returns the value an
// INSERT binds, set the destination a Scan fills. A column the database
// fills itself (sessions.id) has no get; one glassbox never reads back
// (flows.host) has no set; a session_id column is bound to the writer's
// session rather than to T's field.
type field[T any] struct {
	get     func(*T) any
	set     func(*T) any
	session bool
	stored  string // INTEGER, TEXT or BLOB: the type the column must be declared with
	docTail string // appended to the column's doc: the values it can hold
}

// of binds a column to the field whose address addr returns, stored as the
// field's type asks:
//
//	int64, int, time.Duration, bool  INTEGER (a bool as 0 or 1)
//	time.Time                        INTEGER, Unix nanoseconds; NULL for the zero time
//	string                           TEXT
//	[]byte                           BLOB
//	store.Headers                    TEXT, JSON pairs (headersJSON); NULL when empty
//	any other type                   TEXT, JSON (encoding/json); NULL when empty or nil
//
// The choice is made once, here; per row a binding costs a few calls and a
// type assertion, no reflection. NULL reads back as the field's zero value.
func of[T any](addr func(*T) any) field[T] {
	var zero T
	switch addr(&zero).(type) {
	case *int64:
		return bind(addr, int64Codec)
	case *int:
		return bind(addr, intCodec)
	case *uint32:
		return bind(addr, uint32Codec)
	case *time.Duration:
		return bind(addr, durationCodec)
	case *bool:
		return bind(addr, boolCodec)
	case *string:
		return bind(addr, textCodec)
	case *[]byte:
		return bind(addr, blobCodec)
	case *time.Time:
		return bind(addr, timeCodec)
	case *store.Headers:
		return bind(addr, headersCodec)
	}
	return jsonOf(addr)
}

// sessionKey is a session_id column: written from the writer's session,
// read into the field.
func sessionKey[T any](addr func(*T) any) field[T] {
	f := bind(addr, int64Codec)
	f.get, f.session = nil, true
	return f
}

// autoID is a key the database assigns (INTEGER PRIMARY KEY AUTOINCREMENT).
func autoID[T any](addr func(*T) any) field[T] {
	f := bind(addr, int64Codec)
	f.get = nil
	return f
}

// computed is a column written from a value derived from T, never read back.
func computed[T any](get func(*T) any) field[T] { return field[T]{get: get} }

// codec stores values of type V: encode gives what an INSERT binds, decode
// reads what go-sqlite3 returns (int64 for INTEGER, string for TEXT, []byte
// for BLOB, nil for NULL).
type codec[V any] struct {
	stored string
	encode func(V) any
	decode func(src any) (V, error)
}

var (
	int64Codec    = codec[int64]{"INTEGER", func(n int64) any { return n }, intFrom[int64]}
	intCodec      = codec[int]{"INTEGER", func(n int) any { return int64(n) }, intFrom[int]}
	uint32Codec   = codec[uint32]{"INTEGER", func(n uint32) any { return int64(n) }, intFrom[uint32]}
	durationCodec = codec[time.Duration]{"INTEGER", func(d time.Duration) any { return int64(d) }, intFrom[time.Duration]}
	boolCodec     = codec[bool]{"INTEGER", func(b bool) any { return b }, boolFrom}
	textCodec     = codec[string]{"TEXT", func(s string) any { return s }, textFrom}
	blobCodec     = codec[[]byte]{"BLOB", func(b []byte) any { return b }, blobFrom}
	timeCodec     = codec[time.Time]{"INTEGER", nanos, timeFrom}
	headersCodec  = codec[store.Headers]{"TEXT", headersJSON, headersFrom}
)

func bind[T, V any](addr func(*T) any, c codec[V]) field[T] {
	return field[T]{
		stored: c.stored,
		get:    func(v *T) any { return c.encode(*addr(v).(*V)) },
		set:    func(v *T) any { return dest[V]{addr(v).(*V), c.decode} },
	}
}

// dest is a Scan destination that decodes straight into the model's field,
// without the temporaries and the reflection database/sql would use.
type dest[V any] struct {
	p      *V
	decode func(any) (V, error)
}

func (d dest[V]) Scan(src any) error {
	v, err := d.decode(src)
	*d.p = v
	return err
}

// jsonOf stores the field as JSON text; its doc says the keys.
func jsonOf[T any](addr func(*T) any) field[T] {
	var zero T
	p := reflect.TypeOf(addr(&zero))
	if p == nil || p.Kind() != reflect.Pointer || !slices.Contains([]reflect.Kind{reflect.Slice, reflect.Pointer, reflect.Struct}, p.Elem().Kind()) {
		panic(fmt.Sprintf("sqlite schema: no way to store a %v (does the function return the field's address?)", p))
	}
	return field[T]{
		stored:  "TEXT",
		docTail: ": JSON `" + shapeOf(p.Elem()) + "`",
		get: func(v *T) any {
			b, err := json.Marshal(addr(v))
			if err != nil || string(b) == "null" || string(b) == "[]" {
				return nil
			}
			return string(b)
		},
		set: func(v *T) any { return jsonDest{addr(v)} },
	}
}

// sharedJSON is jsonOf for a pointer field whose value many rows share
// and nobody changes once it is recorded (store.Flow.ClientTLS: one per
// browser connection, on each of its flows): each value's JSON is kept by
// its pointer, so a connection's flows encode it once. The flows of many
// connections interleave (a browser keeps six to a site, a benchmark
// dozens), so up to sharedMax values are kept, then forgotten together.
// Keeping a pointer keeps its value alive, so another value never takes
// its address while the memo holds it.
func sharedJSON[T, V any](addr func(*T) any) field[T] {
	f := jsonOf[T](addr)
	encode := f.get
	var mu sync.Mutex // writers of several sessions share the schema
	seen := map[*V]any{}
	f.get = func(v *T) any {
		p := *addr(v).(**V)
		if p == nil {
			return encode(v)
		}
		mu.Lock()
		j, ok := seen[p]
		mu.Unlock()
		if ok {
			return j
		}
		j = encode(v)
		mu.Lock()
		if len(seen) >= sharedMax {
			clear(seen)
		}
		seen[p] = j
		mu.Unlock()
		return j
	}
	return f
}

// sharedMax bounds sharedJSON's memo: more browser connections than are
// open at once, a few hundred KiB of JSON at most.
const sharedMax = 1024

// jsonDest decodes JSON into the field; text that does not decode leaves it
// empty rather than fail the whole read.
type jsonDest struct{ p any }

func (d jsonDest) Scan(src any) error {
	s, err := textFrom(src)
	if s != "" {
		_ = json.Unmarshal([]byte(s), d.p)
	}
	return err
}

// errPhase, errKind and errMessage store the parts of a *store.FlowError
// (the field addr returns) in three columns: all NULL when there is no
// error; reading any part that is not NULL creates the error.
func errPhase[T any](addr func(*T) any) field[T] {
	return errorPart(addr, func(e *store.FlowError) *string { return &e.Phase }, phaseWords)
}

func errKind[T any](addr func(*T) any) field[T] {
	return errorPart(addr, func(e *store.FlowError) *string { return &e.Kind }, kindWords)
}

func errMessage[T any](addr func(*T) any) field[T] {
	return errorPart(addr, func(e *store.FlowError) *string { return &e.Message }, "")
}

func errorPart[T any](addr func(*T) any, part func(*store.FlowError) *string, docTail string) field[T] {
	return field[T]{
		stored:  "TEXT",
		docTail: docTail,
		get: func(v *T) any {
			if e := *addr(v).(**store.FlowError); e != nil {
				return *part(e)
			}
			return nil
		},
		set: func(v *T) any { return errorDest{addr(v).(**store.FlowError), part} },
	}
}

type errorDest struct {
	p    **store.FlowError
	part func(*store.FlowError) *string
}

func (d errorDest) Scan(src any) error {
	if src == nil {
		return nil
	}
	s, err := textFrom(src)
	if *d.p == nil {
		*d.p = &store.FlowError{}
	}
	*d.part(*d.p) = s
	return err
}

func intFrom[I ~int | ~int64 | ~uint32](src any) (I, error) {
	switch v := src.(type) {
	case int64:
		return I(v), nil
	case nil:
		return 0, nil
	}
	return 0, fmt.Errorf("want an integer, found %T", src)
}

func boolFrom(src any) (bool, error) {
	n, err := intFrom[int64](src)
	return n != 0, err
}

func timeFrom(src any) (time.Time, error) {
	n, err := intFrom[int64](src)
	if src == nil || err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, n), nil
}

func textFrom(src any) (string, error) {
	switch v := src.(type) {
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("want text, found %T", src)
}

// blobFrom copies: the driver's bytes are valid only until the next Scan.
func blobFrom(src any) ([]byte, error) {
	if b, ok := src.([]byte); ok {
		return bytes.Clone(b), nil
	}
	s, err := textFrom(src)
	if src == nil || err != nil {
		return nil, err
	}
	return []byte(s), nil
}

func headersFrom(src any) (store.Headers, error) {
	s, err := textFrom(src)
	return parseHeaders(s), err
}

// phaseWords and kindWords list, for README.md, the error phases and kinds
// glassbox records (store.Failures).
var phaseWords, kindWords = failureWords()

func failureWords() (phases, kinds string) {
	var ps, ks []string
	for _, f := range store.Failures {
		if w := "`" + f.Phase + "`"; !slices.Contains(ps, w) {
			ps = append(ps, w)
		}
		if w := "`" + f.Kind + "`"; !slices.Contains(ks, w) {
			ks = append(ks, w)
		}
	}
	return ": one of " + strings.Join(ps, ", "), ": one of " + strings.Join(ks, ", ")
}

// shapeOf describes, for README.md, the JSON encoding/json writes for a t:
// its keys, nested (times are RFC 3339 text).
func shapeOf(t reflect.Type) string {
	switch {
	case t.Kind() == reflect.Pointer:
		return shapeOf(t.Elem())
	case t.Kind() == reflect.Slice:
		return "[" + shapeOf(t.Elem()) + "]"
	case t.Kind() != reflect.Struct || t == reflect.TypeFor[time.Time]():
		return t.Kind().String()
	}
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		k := f.Name
		if s := shapeOf(f.Type); strings.ContainsAny(s, "[{") {
			k += ": " + s
		}
		keys = append(keys, k)
	}
	return "{" + strings.Join(keys, ", ") + "}"
}

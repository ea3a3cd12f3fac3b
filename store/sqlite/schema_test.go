package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/store"
)

// testdata/v2 keeps, word for word, the SQL with which glassbox built its
// databases up to schema version 2, when the schema was written by hand:
// the statement that made schema_migrations, the two migration files, and
// rows.sql, one row of every table as that glassbox wrote them.

// oldDatabase builds a database at schema version upTo (1 or 2) the way
// that glassbox did, holding rows.sql, and returns its path.
func oldDatabase(t *testing.T, upTo int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), fmt.Sprintf("v%d.db", upTo))
	raw, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	run := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	run(`PRAGMA page_size = 16384; PRAGMA journal_mode = WAL`) // as glassbox made every file
	run(readTestdata(t, "v2/0000_schema_migrations.sql"))
	for v, name := range []string{"0001_init.sql", "0002_body_decoded.sql"}[:upTo] {
		run(readTestdata(t, "v2/"+name))
		run(`INSERT INTO schema_migrations(version, name, applied) VALUES (?, ?, ?)`, v+1, name, time.Now().UnixNano())
	}
	run(readTestdata(t, "v2/rows.sql"))
	if upTo >= 2 {
		run(`UPDATE flows SET resp_body_decoded = 1`)
	}
	return path
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// oldRows is what rows.sql holds, as the model.
func oldRows() (store.Session, store.Flow, store.Conn, store.Lookup, store.Page) {
	ns := func(n int64) time.Time { return time.Unix(0, n) }
	utc := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	s := store.Session{ID: 7, Started: ns(1700000000000000001), Ended: ns(1700000600000000002), Source: "proxy",
		Listen: "127.0.0.1:8080 [::1]:8080", Interrupted: true, Network: "--network 3g: 300 ms added to every round trip", Flows: 1, Pages: 1}
	f := store.Flow{SessionID: 7, ID: 1, PageID: 2, ConnID: 3, ConnReused: true, Kind: store.KindHTTP,
		Initiator: store.Initiator{Type: store.InitParser, FlowID: 1, URL: "https://shop.test/", Heuristic: true}, ResendOf: 1, Rev: 1,
		ResourceType: "document", ClientAddr: "127.0.0.1:50000", MITM: true, Method: "POST",
		URL: "https://shop.test/cart?x=1", Proto: "HTTP/1.1", OriginProto: "HTTP/2.0",
		ReqHeaders: store.Headers{{Name: "Host", Value: "shop.test"}, {Name: "Content-Type", Value: "application/json"}}, ReqHeadersAsSent: true,
		ReqBody: store.Body{Data: []byte(`{"a":1}`), Size: 9, Truncated: true, Shed: true},
		ClientTLS: &store.TLSInfo{Version: "TLS 1.3", Cipher: "TLS_AES_256_GCM_SHA384", ALPN: "h2", SNI: "shop.test", Resumed: true,
			Chain: []store.CertSummary{{Subject: "CN=shop.test", Issuer: "CN=glassbox CA", DNSNames: []string{"shop.test"}, NotBefore: utc("2023-01-01T00:00:00Z"), NotAfter: utc("2024-01-01T00:00:00Z")}}},
		Status: 200, StatusText: "OK", RespProto: "HTTP/2.0",
		RespHeaders:  store.Headers{{Name: "Content-Type", Value: "text/html"}, {Name: "Set-Cookie", Value: "a=1"}, {Name: "Set-Cookie", Value: "b=2"}},
		RespBody:     store.Body{Data: []byte("<html>"), Size: 4096, Truncated: true, Shed: true},
		RespTrailers: store.Headers{{Name: "Grpc-Status", Value: "0"}}, RespHeadersAsSent: true, ServerAddr: "127.0.0.1:443",
		Start: ns(1700000001000000000), GotConn: ns(1700000001001000000), WroteRequest: ns(1700000001002000000),
		FirstByte: ns(1700000001010000000), End: ns(1700000001012000000),
		ReqHeaderSize: 81, RespHeaderSize: 120, BytesUp: 11, BytesDown: 22, Messages: 3,
		Error: &store.FlowError{Phase: store.PhaseReceive, Kind: store.FailTruncated, Message: "unexpected EOF"}}
	c := store.Conn{SessionID: 7, ID: 3, Host: "shop.test", Port: "443", RemoteAddr: "127.0.0.1:443", LocalAddr: "127.0.0.1:50001",
		LookupID: 4, DNSStart: ns(1700000000100000000), DNSEnd: ns(1700000000200000000),
		ConnectStart: ns(1700000000300000000), ConnectEnd: ns(1700000000400000000),
		TLSStart: ns(1700000000500000000), TLSEnd: ns(1700000000600000000), Closed: ns(1700000009000000000),
		Attempts: []store.DialAttempt{
			{Addr: "[::1]:443", Start: utc("2023-11-14T22:13:20.3Z"), End: utc("2023-11-14T22:13:20.35Z"), Outcome: "refused", Error: "connection refused"},
			{Addr: "127.0.0.1:443", Start: utc("2023-11-14T22:13:20.35Z"), End: utc("2023-11-14T22:13:20.4Z"), Outcome: "ok"}},
		TLS: &store.TLSInfo{Version: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", ALPN: "h2", SNI: "shop.test", Resumed: true,
			Chain: []store.CertSummary{{Subject: "CN=shop.test", Issuer: "CN=glassbox test CA", DNSNames: []string{"shop.test"},
				NotBefore: utc("2023-01-01T00:00:00Z"), NotAfter: utc("2024-01-01T00:00:00Z")}}},
		Error: &store.FlowError{Phase: store.PhaseTLS, Kind: store.FailHandshake, Message: "remote error: tls: bad certificate"}}
	l := store.Lookup{SessionID: 7, ID: 4, Name: "www.shop.test", Source: "trace", Server: "127.0.0.2:53", Rcode: "NOERROR",
		CNAMEs:  []string{"shop.test"},
		Answers: []store.DNSAnswer{{Type: "A", Addr: "127.0.0.1", TTL: 60}, {Type: "AAAA", Addr: "::1", TTL: 30}}, TTL: 20,
		Start: ns(1700000000100000000), End: ns(1700000000200000000), RTT: 50 * time.Millisecond,
		Hops: []store.DNSHop{{Server: "127.0.0.2:53", Zone: ".", Referral: []string{"ns.test."}, Glue: []string{"127.0.0.3"},
			Rcode: "NOERROR", Start: utc("2023-11-14T22:13:20.1Z"), End: utc("2023-11-14T22:13:20.15Z")}},
		Error: "none"}
	p := store.Page{SessionID: 7, ID: 2, ParentID: 1, FlowID: 1, URL: "https://shop.test/cart", Title: "Cart", Start: ns(1700000001000000000), MergedInto: 1}
	return s, f, c, l, p
}

// checkRows reads session sid back through r and compares every value
// with the wants (their SessionID is taken as sid).
func checkRows(t *testing.T, r store.Reader, sid int64, s store.Session, f store.Flow, c store.Conn, l store.Lookup, p store.Page) {
	t.Helper()
	ctx := context.Background()
	s.ID, f.SessionID, c.SessionID, l.SessionID, p.SessionID = sid, sid, sid, sid, sid
	gotS, err := r.Session(ctx, sid)
	same(t, "session", gotS, err, s)
	gotF, err := r.Flow(ctx, sid, f.ID)
	same(t, "flow", gotF, err, f)
	gotC, err := r.Conns(ctx, sid)
	same(t, "conns", gotC, err, []store.Conn{c})
	gotL, err := r.Lookups(ctx, sid)
	same(t, "lookups", gotL, err, []store.Lookup{l})
	gotP, err := r.Pages(ctx, sid)
	same(t, "pages", gotP, err, []store.Page{p})
}

func same(t *testing.T, what string, got any, err error, want any) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
	} else if !reflect.DeepEqual(got, want) {
		t.Errorf("%s read back as\n%+v\nwant\n%+v", what, got, want)
	}
}

// Databases written by glassbox before the schema was derived from the
// tables open read-only and read-write, keep every value, move up to the
// latest version, and take new writes.
func TestOldDatabases(t *testing.T) {
	for _, version := range []int{1, 2} {
		t.Run(fmt.Sprintf("version-%d", version), func(t *testing.T) {
			path := oldDatabase(t, version)
			s, f, c, l, p := oldRows()
			f.RespBody.Decoded = version >= 2                // set by 0002's column only
			f.Initiator, p.MergedInto = store.Initiator{}, 0 // version 3's columns
			f.ReqBody.Shed, f.RespBody.Shed, f.ClientTLS, l.TTL, f.ResendOf = false, false, nil, 0, 0
			f.OriginProto, f.ReqHeadersAsSent, f.RespHeadersAsSent, f.Messages = "", false, false, 0
			s.Interrupted, s.Network, f.Rev = false, "", f.ID // the migration gives an old row its ID as change number

			ro, err := OpenReadOnly(path) // brings a version 1 file up to date first
			if err != nil {
				t.Fatal(err)
			}
			checkRows(t, ro, 7, s, f, c, l, p)
			ro.Close()

			db, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			checkRows(t, db, 7, s, f, c, l, p)

			// The writer replaces the old row and adds new ones beside it.
			f.Status, f.RespBody.Decoded = 404, false
			g := f
			g.ID, g.RespBody.Data = 2, []byte("new")
			w := db.NewWriter(7, WriterOptions{Block: true})
			w.RecordFlow(&f)
			w.RecordFlow(&g)
			if err := w.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			s.Flows = 2
			checkRows(t, db, 7, s, f, c, l, p)
			got, err := db.Flow(context.Background(), 7, 2)
			same(t, "new flow", got, err, g)
		})
	}
}

// Every field of the model goes into its column and comes back out.
func TestEveryFieldRoundTrips(t *testing.T) {
	s, f, c, l, p := oldRows()
	f.ReqBody.Decoded, f.RespBody.Decoded = true, true
	for _, v := range []any{s, f, c, l, p} {
		if zero := zeroFields(reflect.ValueOf(v), ""); len(zero) > 0 {
			t.Fatalf("%T: the fixture leaves %v unset, so the test cannot see them lost", v, zero)
		}
	}
	db, err := Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	sess, err := db.StartSession(ctx, store.Session{Started: s.Started, Source: s.Source, Listen: s.Listen, Interrupted: s.Interrupted, Network: s.Network})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.EndSession(ctx, sess.ID, s.Ended); err != nil {
		t.Fatal(err)
	}
	w := db.NewWriter(sess.ID, WriterOptions{Block: true})
	w.RecordFlow(&f)
	w.RecordConn(&c)
	w.RecordLookup(&l)
	w.RecordPage(&p)
	m := store.Message{FlowID: f.ID, Seq: 1, At: time.Unix(0, 1700000001011000000), Dir: store.MessageReceive, Opcode: store.OpText,
		Size: 2048, WireSize: 300, Compressed: true, Data: []byte("data: hello"), Event: "tick", EventID: "7", Note: "cut"}
	if zero := zeroFields(reflect.ValueOf(m), ""); len(zero) > 0 {
		t.Fatalf("%T: the fixture leaves %v unset, so the test cannot see them lost", m, zero)
	}
	w.RecordMessages([]store.Message{m})
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	checkRows(t, db, sess.ID, s, f, c, l, p)
	got, err := db.Messages(ctx, sess.ID, f.ID)
	same(t, "messages", got, err, []store.Message{m})
}

// zeroFields lists the fields of v, a struct, left at their zero value,
// looking inside nested structs and pointers (a list need only be there:
// encoding/json, not a column each, stores its elements).
func zeroFields(v reflect.Value, prefix string) []string {
	var out []string
	for i := range v.NumField() {
		fv, name := v.Field(i), prefix+v.Type().Field(i).Name
		switch {
		case (v.Type().Field(i).Name == "Missing" || v.Type().Field(i).Name == "Buffer") && v.Type() == reflect.TypeFor[store.Body]():
			// Missing is set by the reader when the body file lost a
			// body (TestBodyFileCutShort); Buffer is the capturer's
			// memory (TestLentBodies). Neither is stored.
		case fv.IsZero():
			out = append(out, name)
		case fv.Kind() == reflect.Pointer:
			out = append(out, zeroFields(fv.Elem(), name+".")...)
		case fv.Kind() == reflect.Struct && fv.Type() != reflect.TypeFor[time.Time]():
			out = append(out, zeroFields(fv, name+".")...)
		}
	}
	return out
}

// schemaOf describes a database's schema as text: sqlite_master (with the
// CREATE text SQLite keeps), every table's columns, indexes and foreign
// keys, and the versions recorded.
func schemaOf(t *testing.T, path string) string {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var b strings.Builder
	dump := func(query string) {
		t.Helper()
		rows, err := raw.Query(query)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s: %q\n", query, vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	dump(`SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name`)
	dump(`SELECT version FROM schema_migrations ORDER BY version`)
	var names []string
	rows, err := raw.Query(`SELECT name FROM sqlite_master WHERE type IN ('table', 'index') ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	rows.Close()
	for _, n := range names {
		for _, pragma := range []string{"table_xinfo", "index_xinfo", "index_list", "foreign_key_list"} {
			dump(fmt.Sprintf(`SELECT * FROM pragma_%s('%s')`, pragma, n))
		}
	}
	return b.String()
}

// A new database ends with the same schema as one built by the old SQL
// files and migrated, from either old version, to the CREATE text SQLite
// keeps.
func TestFreshSchemaMatchesMigrated(t *testing.T) {
	fresh := filepath.Join(t.TempDir(), "fresh.db")
	db, err := Open(fresh)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	want := schemaOf(t, fresh)
	if !strings.Contains(want, "flows_by_page") || !strings.Contains(want, "resp_body_decoded") {
		t.Fatalf("the schema dump lacks what it should show:\n%s", want)
	}
	for _, version := range []int{1, 2} {
		path := oldDatabase(t, version)
		db, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if got := schemaOf(t, path); got != want {
			t.Errorf("a version %d database migrated differs from a new one:\n%s", version, lineDiff(got, want, "migrated", "new"))
		}
	}
}

// lineDiff lists the lines only one of a and b has, marked with their names.
func lineDiff(a, b, aName, bName string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ina, inb := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !inb[l] {
			out = append(out, "- "+aName+": "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ina[l] {
			out = append(out, "+ "+bName+": "+l)
		}
	}
	return strings.Join(out, "\n")
}

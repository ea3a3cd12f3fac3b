package sqlite

import "github.com/glassbox-dev/glassbox/store"

var connTable = newEntity(table{name: "conns", row: "upstream connection", since: 1, key: "session_id, id", doc: `
One row per connection glassbox opened to an origin: how its address was
found, how it was connected and secured. Flows point at it by conn_id; the
first flow to use it paid for the lookup and the handshakes, the later ones
(conn_reused = 1) did not.`}, []column[store.Conn]{
	{"session_id", "INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE", 1, "the session", sessionKey(func(c *store.Conn) any { return &c.SessionID })},
	{"id", "INTEGER NOT NULL", 1, "the connection's number in its session (`flows.conn_id`)", of(func(c *store.Conn) any { return &c.ID })},
	{"host", "TEXT NOT NULL DEFAULT ''", 1, "the name dialed, as in the request (no port)", of(func(c *store.Conn) any { return &c.Host })},
	{"port", "TEXT NOT NULL DEFAULT ''", 1, "the port dialed", of(func(c *store.Conn) any { return &c.Port })},
	{"remote_addr", "TEXT NOT NULL DEFAULT ''", 1, "IP:port finally connected to; empty when the connection failed", of(func(c *store.Conn) any { return &c.RemoteAddr })},
	{"local_addr", "TEXT NOT NULL DEFAULT ''", 1, "glassbox's end of the connection", of(func(c *store.Conn) any { return &c.LocalAddr })},
	{"lookup_id", "INTEGER NOT NULL DEFAULT 0", 1, "the DNS lookup the dial used (`lookups.id`); 0 when the host was an IP address", of(func(c *store.Conn) any { return &c.LookupID })},
	{"t_dns_start", "INTEGER", 1, "the name lookup began", of(func(c *store.Conn) any { return &c.DNSStart })},
	{"t_dns_end", "INTEGER", 1, "the name lookup ended", of(func(c *store.Conn) any { return &c.DNSEnd })},
	{"t_connect_start", "INTEGER", 1, "the first TCP attempt began", of(func(c *store.Conn) any { return &c.ConnectStart })},
	{"t_connect_end", "INTEGER", 1, "a TCP attempt succeeded, or the last one failed", of(func(c *store.Conn) any { return &c.ConnectEnd })},
	{"t_tls_start", "INTEGER", 1, "the TLS handshake began", of(func(c *store.Conn) any { return &c.TLSStart })},
	{"t_tls_end", "INTEGER", 1, "the TLS handshake ended", of(func(c *store.Conn) any { return &c.TLSEnd })},
	{"t_closed", "INTEGER", 1, "the connection was closed", of(func(c *store.Conn) any { return &c.Closed })},
	{"attempts", "TEXT", 1, "the TCP attempts in start order, several when addresses were tried one after another (RFC 8305)", of(func(c *store.Conn) any { return &c.Attempts })},
	{"tls", "TEXT", 1, "the TLS session; NULL for plain HTTP", of(func(c *store.Conn) any { return &c.TLS })},
	{"error_phase", "TEXT", 1, "where the connection failed, when it could not be made", errPhase(func(c *store.Conn) any { return &c.Error })},
	{"error_kind", "TEXT", 1, "the cause inside the phase", errKind(func(c *store.Conn) any { return &c.Error })},
	{"error_message", "TEXT", 1, "the error as Go reported it", errMessage(func(c *store.Conn) any { return &c.Error })},
})

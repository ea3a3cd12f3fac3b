package sqlite

import "github.com/glassbox-dev/glassbox/store"

var lookupTable = newEntity(table{name: "lookups", row: "DNS resolution", since: 1, key: "session_id, id", doc: `
One row per name resolution made for a connection (conns.lookup_id): from
the hosts file, from glassbox's own cache, by asking the resolvers of
/etc/resolv.conf or --dns, or, in trace mode, by walking down from the root
servers, each step a hop.`}, []column[store.Lookup]{
	{"session_id", "INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE", 1, "the session", sessionKey(func(l *store.Lookup) any { return &l.SessionID })},
	{"id", "INTEGER NOT NULL", 1, "the lookup's number in its session (`conns.lookup_id`)", of(func(l *store.Lookup) any { return &l.ID })},
	{"name", "TEXT NOT NULL", 1, "the name asked for", of(func(l *store.Lookup) any { return &l.Name })},
	{"source", "TEXT NOT NULL", 1, "where the answer came from: `hosts`, `cache`, `network` or `trace`", of(func(l *store.Lookup) any { return &l.Source })},
	{"server", "TEXT NOT NULL DEFAULT ''", 1, "the server asked (network), or the hosts file's path", of(func(l *store.Lookup) any { return &l.Server })},
	{"rcode", "TEXT NOT NULL DEFAULT ''", 1, "the answer's code: `NOERROR`, `NXDOMAIN`, `SERVFAIL`...; empty for hosts", of(func(l *store.Lookup) any { return &l.Rcode })},
	{"cnames", "TEXT", 1, "the CNAME chain followed", of(func(l *store.Lookup) any { return &l.CNAMEs })},
	{"answers", "TEXT", 1, "the addresses found, with their TTLs", of(func(l *store.Lookup) any { return &l.Answers })},
	{"hops", "TEXT", 1, "trace mode: the resolution path, root, TLD, authoritative", of(func(l *store.Lookup) any { return &l.Hops })},
	{"t_start", "INTEGER", 1, "the lookup began", of(func(l *store.Lookup) any { return &l.Start })},
	{"t_end", "INTEGER", 1, "the lookup ended", of(func(l *store.Lookup) any { return &l.End })},
	{"rtt_ns", "INTEGER NOT NULL DEFAULT 0", 1, "the network round trip as the DNS client measured it, in nanoseconds", of(func(l *store.Lookup) any { return &l.RTT })},
	{"error", "TEXT NOT NULL DEFAULT ''", 1, "why the lookup failed; empty when it did not", of(func(l *store.Lookup) any { return &l.Error })},
	{"ttl", "INTEGER NOT NULL DEFAULT 0", 3, "seconds the answer may be kept, as glassbox's cache keeps it: the smallest TTL along the chain; 0 for a hosts-file answer, which has none", of(func(l *store.Lookup) any { return &l.TTL })},
})

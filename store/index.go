package store

import "context"

// ConnsAndLookups reads every connection and DNS lookup of a session,
// keyed by ID: what a view needs to tell a flow's timing (Flow.ConnID
// names its connection, Conn.LookupID that connection's lookup). The
// inspector, the HAR export and the report all read them this one way.
func ConnsAndLookups(ctx context.Context, r Reader, sessionID int64) (map[int64]*Conn, map[int64]*Lookup, error) {
	cs, err := r.Conns(ctx, sessionID)
	if err != nil {
		return nil, nil, err
	}
	ls, err := r.Lookups(ctx, sessionID)
	if err != nil {
		return nil, nil, err
	}
	conns := make(map[int64]*Conn, len(cs))
	for i := range cs {
		conns[cs[i].ID] = &cs[i]
	}
	lookups := make(map[int64]*Lookup, len(ls))
	for i := range ls {
		lookups[ls[i].ID] = &ls[i]
	}
	return conns, lookups, nil
}

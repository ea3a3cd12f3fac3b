package sqlite

import "github.com/glassbox-dev/glassbox/store"

var pageTable = newEntity(table{name: "pages", row: "page load", since: 1, key: "session_id, id", doc: `
One row per page load: a navigation and everything it pulled in, the flows
whose page_id it is. A page shown in an iframe names the page around it as
its parent.`}, []column[store.Page]{
	{"session_id", "INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE", 1, "the session", sessionKey(func(p *store.Page) any { return &p.SessionID })},
	{"id", "INTEGER NOT NULL", 1, "the page load's number in its session (`flows.page_id`)", of(func(p *store.Page) any { return &p.ID })},
	{"parent_id", "INTEGER NOT NULL DEFAULT 0", 1, "for an iframe, the page that contains it; 0 otherwise", of(func(p *store.Page) any { return &p.ParentID })},
	{"flow_id", "INTEGER NOT NULL DEFAULT 0", 1, "the navigation request that opened it (`flows.id`)", of(func(p *store.Page) any { return &p.FlowID })},
	{"url", "TEXT NOT NULL DEFAULT ''", 1, "the page's URL", of(func(p *store.Page) any { return &p.URL })},
	{"title", "TEXT NOT NULL DEFAULT ''", 1, "the document's `<title>`; empty when unknown", of(func(p *store.Page) any { return &p.Title })},
	{"t_start", "INTEGER", 1, "the navigation request arrived", of(func(p *store.Page) any { return &p.Start })},
	{"merged_into", "INTEGER NOT NULL DEFAULT 0", 3, "set when the navigation was a download after which the browser stayed on that page (`pages.id`), where its flow now is; such a page holds no flows", of(func(p *store.Page) any { return &p.MergedInto })},
})

package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/glassbox-dev/glassbox/store"
)

// annotationRow is a row of annotations: a store.Annotation and its session.
type annotationRow struct {
	sessionID int64
	store.Annotation
}

var annotationTable = newEntity(table{name: "annotations", row: "mark or comment a person wrote", since: 3, key: "session_id, flow_id, page_id", doc: `
What people wrote in the inspector: a flow marked, a comment on a flow or on
a page load. The recording never touches these rows (a flow recorded again
keeps its mark); deleting a flow deletes its row. Exports carry the comments
(HAR's comment, the reports).`}, []column[annotationRow]{
	{"session_id", "INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE", 3, "the session", sessionKey(func(a *annotationRow) any { return &a.sessionID })},
	{"flow_id", "INTEGER NOT NULL DEFAULT 0", 3, "the flow annotated (`flows.id`); 0 for a page load's", of(func(a *annotationRow) any { return &a.FlowID })},
	{"page_id", "INTEGER NOT NULL DEFAULT 0", 3, "the page load annotated (`pages.id`) when `flow_id` is 0; 0 otherwise", of(func(a *annotationRow) any { return &a.PageID })},
	{"marked", "INTEGER NOT NULL DEFAULT 0", 3, "1 when the flow is marked", of(func(a *annotationRow) any { return &a.Marked })},
	{"comment", "TEXT NOT NULL DEFAULT ''", 3, "the comment, as typed", of(func(a *annotationRow) any { return &a.Comment })},
})

// Annotate implements store.Annotator.
func (db *DB) Annotate(ctx context.Context, sessionID int64, a store.Annotation) error {
	if db.rw == nil {
		return errors.New("database opened read-only")
	}
	if a.FlowID != 0 {
		a.PageID = 0
	}
	if a.FlowID <= 0 && a.PageID <= 0 {
		return errors.New("annotate: no flow or page load named")
	}
	var err error
	if a.Empty() {
		_, err = db.rw.ExecContext(ctx, `DELETE FROM annotations WHERE session_id = ? AND flow_id = ? AND page_id = ?`, sessionID, a.FlowID, a.PageID)
	} else {
		row := annotationRow{Annotation: a}
		_, err = db.rw.ExecContext(ctx, annotationTable.replace, annotationTable.args(nil, sessionID, &row)...)
	}
	if err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	return nil
}

// DeleteFlow implements store.Annotator: the flow, its bodies and its
// annotation, in one transaction.
func (db *DB) DeleteFlow(ctx context.Context, sessionID, id int64) error {
	if db.rw == nil {
		return errors.New("database opened read-only")
	}
	tx, err := db.rw.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete flow %d: %w", id, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `DELETE FROM flows WHERE session_id = ? AND id = ?`, sessionID, id)
	if err == nil {
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("flow %d of session %d: %w", id, sessionID, store.ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM bodies WHERE session_id = ? AND flow_id = ?`, sessionID, id)
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM annotations WHERE session_id = ? AND flow_id = ?`, sessionID, id)
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, `DELETE FROM messages WHERE session_id = ? AND flow_id = ?`, sessionID, id)
	}
	if err == nil {
		err = tx.Commit()
	}
	if err != nil {
		return fmt.Errorf("delete flow %d: %w", id, err)
	}
	return nil
}

// Annotations implements store.AnnotationReader. A database from before
// schema version 3, opened read-only and so not migrated, has none.
func (db *DB) Annotations(ctx context.Context, sessionID int64) ([]store.Annotation, error) {
	rows, err := queryAll(ctx, db.ro, annotationTable.dests, `SELECT `+annotationTable.selectList+
		` FROM annotations WHERE session_id = ? ORDER BY flow_id = 0, flow_id, page_id`, sessionID)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read annotations: %w", err)
	}
	out := make([]store.Annotation, len(rows))
	for i := range rows {
		out[i] = rows[i].Annotation
	}
	return out, nil
}

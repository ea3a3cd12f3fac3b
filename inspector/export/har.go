package export

import (
	"context"
	"io"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/har"
)

// writeHAR writes HAR 1.2 through store/har, with each entry's _notes from
// inspector/explain: the same notes the inspector shows for the flow.
func writeHAR(ctx context.Context, r store.Reader, w io.Writer, j *job) error {
	return har.Export(ctx, r, j.sess.ID, w, har.Options{
		NoRedact:     j.NoRedact,
		RedactParams: j.RedactParams,
		Version:      j.Version,
		PageID:       j.PageID,
		Filter:       j.keep,
		Notes:        notes,
		Comment:      j.comment,
		Progress:     j.Progress,
	})
}

func notes(c har.NoteContext) []string {
	return explain.Notes(explain.NoteInput{Flow: c.Flow, Conn: c.Conn, Lookup: c.Lookup, Prev: c.Prev, Next: c.Next, Budget: c.Budget})
}

// Package export is every way a session leaves glassbox: HAR 1.2 with
// glassbox's plain-language _notes, the Markdown and HTML report that tells
// each page load as a numbered story with its waterfall, and curl commands
// that repeat requests. `glassbox export` and the inspector's keys (e/E,
// r/R, c/C) both call Write, so the same session, scope, filter and
// redaction give the same bytes from either (cmd/glassbox tests that).
//
// It lives apart from store/har because HAR is the interchange format:
// store/har reads and writes HAR and knows nothing of the explanations,
// while an export joins them in (inspector/explain's notes and story).
// It lives under inspector/ because it speaks the inspector's languages
// (explain, and model's filter, so `export --filter` and the `/` line are
// one code), but it never links the terminal library: the CLI's export
// does not carry tcell, and .ci/check-imports keeps it so. Like the rest of
// inspector/, it reads through store.Reader only.
package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/glassbox-dev/glassbox/inspector/model"
	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/textsafe"
)

// Format is a kind of export.
type Format string

const (
	FormatHAR      Format = "har"  // HAR 1.2 with _notes, for other tools
	FormatMarkdown Format = "md"   // the report as Markdown, for notes and issue trackers
	FormatHTML     Format = "html" // the report as one self-contained HTML file
	FormatCurl     Format = "curl" // a shell script: one curl command per request
)

// Valid reports whether f is one of the formats above.
func (f Format) Valid() bool {
	switch f {
	case FormatHAR, FormatMarkdown, FormatHTML, FormatCurl:
		return true
	}
	return false
}

// Options say what an export writes. The zero value of every field but
// Format means "all of it, redacted".
type Options struct {
	Format Format
	// SessionID is the session to export; 0 is the latest.
	SessionID int64
	// PageID, when > 0, exports that top-level page load and its frames
	// (curl: the flows of that page load itself).
	PageID int64
	// Flows, when not nil, exports only these flows (none when empty): a
	// group of the inspector that is not a page load, or one flow for curl.
	Flows []int64
	// Filter keeps the flows it matches: the inspector's filter language
	// (model.ParseFilter), the same for `export --filter` and the `/` line.
	Filter model.Filter
	// NoRedact keeps cookies and credentials; by default they are replaced
	// with har.Redacted in every format.
	NoRedact bool
	// RedactParams names query parameters whose values are redacted too
	// (HAR).
	RedactParams []string
	// Version is glassbox's version, for HAR's creator and the report's
	// footer ("dev" when empty).
	Version string
	// Progress, when set, is called every 1,000 HAR entries with the count.
	Progress func(done int)
}

// Result says what an export wrote.
type Result struct {
	Session store.Session // the session exported (the latest resolved)
	Flows   int           // the flows the scope and the filter kept
}

// Write writes one export of a session to w. Nothing in the output depends
// on the clock or the machine but the time zone the report's times are
// shown in, so two calls with the same options write the same bytes.
func Write(ctx context.Context, r store.Reader, w io.Writer, opt Options) (Result, error) {
	if !opt.Format.Valid() {
		return Result{}, fmt.Errorf("export: unknown format %q (har, md, html or curl)", opt.Format)
	}
	sess, err := r.Session(ctx, opt.SessionID)
	if err != nil {
		return Result{}, err
	}
	j := newJob(ctx, r, opt, sess)
	if err := j.readNotes(); err != nil {
		return Result{Session: sess}, err
	}
	if opt.Format == FormatHAR {
		// JSON for tools: store/har escapes what a terminal would act on,
		// losslessly (textsafe.JSON).
		err = writeHAR(ctx, r, w, j)
		return j.result(err)
	}
	// Reports and scripts are read in terminals as often as in files:
	// nothing captured reaches either as a control character. Each writer
	// makes its own lines (a title or URL never spans two); this is the
	// guard under all of them.
	tw := textsafe.NewWriter(w)
	switch opt.Format {
	case FormatMarkdown:
		err = writeMarkdown(ctx, r, tw, j)
	case FormatHTML:
		err = writeHTML(ctx, r, tw, j)
	case FormatCurl:
		err = writeCurl(ctx, r, tw, j)
	}
	if cerr := tw.Close(); err == nil {
		err = cerr
	}
	return j.result(err)
}

// WriteFile writes one export to path: next to it first, then renamed, so
// a failed export never leaves half a file under the name asked for. The
// file is 0600: captures hold cookies and tokens.
func WriteFile(ctx context.Context, r store.Reader, path string, opt Options) (Result, error) {
	var res Result
	tmp, err := writeTemp(filepath.Dir(path), func(w io.Writer) (err error) {
		res, err = Write(ctx, r, w, opt)
		return err
	})
	if err != nil {
		return res, err
	}
	defer os.Remove(tmp)
	if err := os.Rename(tmp, path); err != nil {
		return res, fmt.Errorf("cannot write %s: %w", path, err)
	}
	return res, nil
}

// maxNameTries bounds the names WriteNew tries: name.ext, name-2.ext, ...
const maxNameTries = 10000

// WriteNew writes one export into dir as name.ext, or name-2.ext,
// name-3.ext... when that exists (CreateNew). It returns the path written.
func WriteNew(ctx context.Context, r store.Reader, dir, name, ext string, opt Options) (string, Result, error) {
	var res Result
	path, err := CreateNew(dir, name, ext, func(w io.Writer) (err error) {
		res, err = Write(ctx, r, w, opt)
		return err
	})
	return path, res, err
}

// CreateNew writes a file into dir as name.ext, or name-2.ext,
// name-3.ext... when that exists: it never replaces a file (the
// inspector's keys write the same names again and again). write fills a
// hidden file first (0600: captures hold cookies and tokens), so a failed
// write never leaves half a file under a name. The directory is created
// (0700) when missing. It returns the path written.
func CreateNew(dir, name, ext string, write func(io.Writer) error) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("cannot create the export folder: %w", err)
	}
	tmp, err := writeTemp(dir, write)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	for n := 1; n <= maxNameTries; n++ {
		path := filepath.Join(dir, name+"."+ext)
		if n > 1 {
			path = filepath.Join(dir, fmt.Sprintf("%s-%d.%s", name, n, ext))
		}
		// A hard link fails when the name exists: no other writer can
		// slip in between a check and the rename.
		err := os.Link(tmp, path)
		if err == nil {
			return path, nil
		}
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		// No hard links here (some file systems): check, then rename.
		if _, serr := os.Lstat(path); serr == nil {
			continue
		}
		if rerr := os.Rename(tmp, path); rerr != nil {
			return "", fmt.Errorf("cannot write %s: %w", path, rerr)
		}
		return path, nil
	}
	return "", fmt.Errorf("%s holds %d files named %s: move some away", dir, maxNameTries, name)
}

// writeTemp writes a new hidden file in dir (0600) with write and
// returns its name; the caller renames or links it, and removes it.
func writeTemp(dir string, write func(io.Writer) error) (string, error) {
	tmp, err := os.CreateTemp(dir, ".glassbox-export-*")
	if err != nil {
		return "", fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	err = write(tmp)
	if err == nil {
		if err = tmp.Chmod(0o600); err != nil {
			err = fmt.Errorf("cannot write in %s: %w", dir, err)
		}
	}
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("cannot write in %s: %w", dir, cerr)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// job is one Write: its options, the session, and the scope (flows and
// filter) as one predicate that counts what it keeps. Only the goroutine
// running Write calls keep.
type job struct {
	Options
	ctx  context.Context
	r    store.Reader
	sess store.Session
	only map[int64]bool // Options.Flows as a set; nil: every flow
	kept int
	err  error // the first failure to read a flow's bodies for the filter
	// notes are what people wrote on flows, pageNotes on page loads
	// (store.Annotation): in HAR's comment and in the reports.
	notes     map[int64]store.Annotation
	pageNotes map[int64]string
}

// readNotes reads the session's annotations, when the store keeps them.
func (j *job) readNotes() error {
	list, err := store.Annotations(j.ctx, j.r, j.sess.ID)
	if err != nil {
		return err
	}
	j.notes, j.pageNotes = map[int64]store.Annotation{}, map[int64]string{}
	for _, a := range list {
		if a.FlowID != 0 {
			j.notes[a.FlowID] = a
		} else {
			j.pageNotes[a.PageID] = a.Comment
		}
	}
	return nil
}

// comment is what an export says a person wrote on a flow (pageID 0) or a
// page load (flowID 0): HAR's comment, the reports' notes.
func (j *job) comment(flowID, pageID int64) string {
	if flowID == 0 {
		return textsafe.Line(j.pageNotes[pageID])
	}
	n := j.notes[flowID]
	c := textsafe.Line(n.Comment)
	if n.Marked {
		if c == "" {
			return "marked in glassbox"
		}
		return "marked in glassbox: " + c
	}
	return c
}

func newJob(ctx context.Context, r store.Reader, opt Options, sess store.Session) *job {
	j := &job{Options: opt, ctx: ctx, r: r, sess: sess}
	if opt.Flows != nil {
		j.only = make(map[int64]bool, len(opt.Flows))
		for _, id := range opt.Flows {
			j.only[id] = true
		}
	}
	return j
}

// keep reports whether a flow is in the export, and counts it if so:
// every writer calls it once for each flow it writes, and only for those,
// so Result.Flows is what the file holds.
func (j *job) keep(f *store.Flow) bool {
	if (j.only != nil && !j.only[f.ID]) || !j.match(f) {
		return false
	}
	j.kept++
	return true
}

// match is the filter on f. Body terms (body:TEXT) need the flow's
// bodies: a flow read without them (the report's lists) is read again
// whole, one at a time, so memory stays bounded.
func (j *job) match(f *store.Flow) bool {
	if !j.Filter.HasBody() || bodiesRead(&f.ReqBody) && bodiesRead(&f.RespBody) {
		return j.Filter.MatchAnnotated(f, j.notes[f.ID])
	}
	full, err := j.r.Flow(j.ctx, j.sess.ID, f.ID)
	if err != nil {
		if j.err == nil {
			j.err = fmt.Errorf("read the bodies of flow %d for the filter: %w", f.ID, err)
		}
		return false
	}
	return j.Filter.MatchAnnotated(&full, j.notes[f.ID])
}

// bodiesRead reports whether a body's stored copy is in b, or none exists.
func bodiesRead(b *store.Body) bool { return b.Size == 0 || b.Shed || b.Missing || len(b.Data) > 0 }

// result is what Write returns: the flows kept, and the first error.
func (j *job) result(err error) (Result, error) {
	if err == nil {
		err = j.err
	}
	return Result{Session: j.sess, Flows: j.kept}, err
}

// version is glassbox's version as the files say it.
func (j *job) version() string {
	if j.Version == "" {
		return "dev"
	}
	return j.Version
}

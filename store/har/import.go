package har

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/glassbox-dev/glassbox/store"
)

// ImportStats says what an import did.
type ImportStats struct {
	Entries int
	Pages   int
	Conns   int
	Skipped int      // entries that could not be read (see Warnings)
	Grouped bool     // the file had no pages: glassbox grouped the entries itself
	Warn    []string // one line per skipped entry or oddity, at most 20
	// Network is the log's _network: how the glassbox that recorded the
	// file shaped its traffic (store.Session.Network); "" for none.
	Network string
}

// ImportOptions tune an import. The zero value keeps every body whole.
type ImportOptions struct {
	// MaxBody cuts each body stored to its first MaxBody bytes, marked
	// truncated with its true size, as --max-body does when recording.
	// 0 keeps bodies whole; negative stores none.
	MaxBody int64
	// Progress, when set, is called every 10,000 entries with the count.
	Progress func(entries int)
}

// Import reads a HAR file (from Chrome, Firefox, mitmproxy, glassbox...)
// and records it through rec as flows, pages and connections. Entries keep
// their pages when the file has them; otherwise glassbox's own page-load
// grouping places them.
//
// The file is read as a stream, one entry at a time, so memory stays flat
// whatever the number of entries (bounded by the largest entry), and the
// entries are recorded in the file's order (HAR producers write them by
// start). Pages are read when they come before the entries, as every
// producer writes them; pages listed after the entries are not used (the
// entries were grouped by then). An entry that cannot be read (a bad date,
// a date outside the years glassbox stores, a bad body) is skipped with a
// warning naming its number. Import stops when ctx ends, between two
// entries, and when rec reports that it could not store what it was given
// (a full disk): the error says so, and what was recorded until then is
// the caller's to remove.
//
// HAR keeps relative timings; each entry's phases are laid out from its
// startedDateTime in HAR's order (blocked, dns, connect incl. ssl, send,
// wait, receive). glassbox's own exports also carry the absolute timestamps
// and whether each header block is as it crossed the wire (_glassbox), and
// the trailers (response._trailers), which are used when present so a
// round trip loses nothing.
func Import(ctx context.Context, r io.Reader, rec store.Recorder, opt ImportOptions) (ImportStats, error) {
	dec := json.NewDecoder(r)
	im := newImporter(rec, opt)
	if err := expectDelim(dec, '{'); err != nil {
		return im.st, err
	}
	sawLog := false
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return im.st, err
		}
		if key != "log" {
			if err := skipValue(dec); err != nil {
				return im.st, err
			}
			continue
		}
		sawLog = true
		if err := im.readLog(ctx, dec); err != nil {
			return im.st, err
		}
	}
	if !sawLog {
		return im.st, errors.New(`not a HAR file: no "log" with entries`)
	}
	return im.st, nil
}

// readLog reads the log object: its version, its pages, and its entries
// one by one.
func (im *importer) readLog(ctx context.Context, dec *json.Decoder) error {
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	version, entries := "", false
	for dec.More() {
		key, err := objectKey(dec)
		if err != nil {
			return err
		}
		switch key {
		case "version":
			err = decodeValue(dec, &version)
		case "_network":
			err = decodeValue(dec, &im.st.Network)
		case "pages":
			var pages []Page
			if err = decodeValue(dec, &pages); err == nil {
				im.filePages(pages)
			}
		case "entries":
			entries = true
			err = im.readEntries(ctx, dec)
		default:
			err = skipValue(dec)
		}
		if err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the log's closing brace
		return syntaxErr(err)
	}
	if version == "" && !entries {
		return errors.New(`not a HAR file: no "log" with entries`)
	}
	return nil
}

// readEntries records the entries array one entry at a time.
func (im *importer) readEntries(ctx context.Context, dec *json.Decoder) error {
	if err := expectDelim(dec, '['); err != nil {
		return err
	}
	for n := 1; dec.More(); n++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped after %d entries: %w", n-1, err)
		}
		if n%100 == 0 {
			if st := im.rec.Stats(); st.Failed > 0 {
				return fmt.Errorf("stopped after %d entries: they cannot be stored (%s)", n-1, st.LastError)
			}
		}
		var e importing
		err := dec.Decode(&e)
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te): // the decoder read past the entry: the next can be read
			im.skip(n, fmt.Errorf("%s is not a %s", te.Field, te.Type))
		case err != nil:
			return syntaxErr(err)
		default:
			im.entry(n, &e)
		}
		if im.opt.Progress != nil && n%10000 == 0 {
			im.opt.Progress(n)
		}
	}
	_, err := dec.Token() // the closing bracket
	return syntaxErr(err)
}

// expectDelim reads the next token and fails unless it is delim.
func expectDelim(dec *json.Decoder, delim json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxErr(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != delim {
		return fmt.Errorf("not a HAR file: %q where %q should be, at byte %d", fmt.Sprint(tok), string(delim), dec.InputOffset())
	}
	return nil
}

// objectKey reads the key of an object's next member.
func objectKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", syntaxErr(err)
	}
	key, _ := tok.(string)
	return key, nil
}

// decodeValue reads the next value into v.
func decodeValue(dec *json.Decoder, v any) error {
	if err := dec.Decode(v); err != nil {
		return syntaxErr(err)
	}
	return nil
}

// skipValue reads past the next value, whatever it is, a token at a time.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return syntaxErr(err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// syntaxErr says what is wrong with a file that does not read as JSON (or
// not as HAR's shapes).
func syntaxErr(err error) error {
	var se *json.SyntaxError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return fmt.Errorf("not a HAR file: invalid JSON at byte %d: %v", se.Offset, err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("not a HAR file: it ends before its JSON does (a cut-off download?)")
	}
	return fmt.Errorf("not a HAR file: %w", err)
}

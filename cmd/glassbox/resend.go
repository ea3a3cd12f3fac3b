package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/glassbox-dev/glassbox/store"
	"github.com/glassbox-dev/glassbox/store/sqlite"
	"github.com/glassbox-dev/glassbox/store/textsafe"
)

// resendArgs are resend's flags and operand, checked.
type resendArgs struct {
	proxy     proxyConfig
	session   int64
	flow      int64 // the flow to send again, or 0 with page
	page      int64 // a page load to send again as a whole
	withCreds bool  // send Cookie and Authorization again
	edit      bool  // let the user edit the request in $EDITOR first
}

// runResend sends recorded requests again through glassbox's own resolver
// and dialer and records each as a new flow of the same session, linked to
// the one it repeats (Flow.ResendOf). A session still recording gets it
// through its own running proxy; an older one through a proxy started for
// the moment and attached to it.
func runResend(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	ra, err := resendFlags(args, stderr)
	if err != nil {
		return err
	}
	db, err := sqlite.OpenReadOnly(ra.proxy.dbPath)
	if err != nil {
		return err
	}
	s, err := findSession(ctx, db, ra.proxy.dbPath, ra.session)
	if err != nil {
		db.Close()
		return err
	}
	flows, err := resendFlows(ctx, db, s.ID, ra)
	db.Close()
	if err != nil {
		return err
	}
	if ra.edit {
		if flows[0], err = editRequest(flows[0], ra.withCreds); err != nil {
			return err
		}
		ra.withCreds = true // the headers are what the user left in the file

	}
	before, err := lastFlowID(ctx, ra.proxy.dbPath, s.ID)
	if err != nil {
		return err
	}
	target, stop, err := resendTarget(ctx, ra, s, stderr)
	if err != nil {
		return err
	}
	sent, err := sendAll(ctx, target, flows, ra.withCreds)
	stop()
	if err != nil {
		return err
	}
	return reportResent(ctx, stdout, ra.proxy.dbPath, s.ID, before, flows, sent)
}

func resendFlags(args []string, stderr io.Writer) (resendArgs, error) {
	var ra resendArgs
	var pf proxyFlags
	fs := newFlagSet("resend", "resend [--db PATH] [--session ID|latest] [--with-credentials] [--edit] [proxy flags] FLOW\n       glassbox resend [--db PATH] [--session ID|latest] --page N [proxy flags]", stderr)
	pf.register(fs)
	pf.listen = "127.0.0.1:0" // the proxy resend starts for a session that no longer records
	sess := fs.String("session", "latest", "the session the flow is in (see glassbox sessions), or latest")
	fs.Int64Var(&ra.page, "page", 0, "send a whole page load again: its requests in their recorded order and spacing")
	fs.BoolVar(&ra.withCreds, "with-credentials", false, "send the recorded Cookie and Authorization headers again (without it they are left out)")
	fs.BoolVar(&ra.edit, "edit", false, "edit the request (method, URL, headers, body) in $EDITOR before it is sent; what the file says is sent (Cookie and Authorization are in it only with --with-credentials)")
	operands, err := parseOperands(fs, args)
	if err != nil {
		return ra, err
	}
	if ra.session, err = parseSessionID(*sess); err != nil {
		return ra, err
	}
	switch {
	case ra.page > 0 && len(operands) == 0 && !ra.edit:
	case ra.page == 0 && len(operands) == 1:
		if ra.flow, err = strconv.ParseInt(operands[0], 10, 64); err != nil || ra.flow <= 0 {
			return ra, fmt.Errorf("%q: want a flow number (the inspector shows them: #12)", operands[0])
		}
	case ra.page > 0 && ra.edit:
		return ra, errors.New("--edit works on one flow, not on a page load")
	default:
		return ra, errors.New("resend takes one flow number, or --page N: e.g. glassbox resend 12")
	}
	if ra.proxy, err = pf.config(); err != nil {
		return ra, err
	}
	if ra.proxy.dbPath, err = dbPathOrDefault(pf.db); err != nil {
		return ra, err
	}
	return ra, nil
}

// resendFlows reads the flow, or the page load's flows, with their bodies.
func resendFlows(ctx context.Context, r store.Reader, session int64, ra resendArgs) ([]store.Flow, error) {
	if ra.flow != 0 {
		f, err := r.Flow(ctx, session, ra.flow)
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("flow %d is not in session %d (glassbox inspect shows its flows)", ra.flow, session)
		}
		if err == nil {
			err = resendable(&f)
		}
		return []store.Flow{f}, err
	}
	var out []store.Flow
	err := store.EachFlow(ctx, r, store.FlowQuery{SessionID: session, PageID: ra.page, WithBodies: true}, 500, func(f *store.Flow) error {
		if resendable(f) == nil {
			out = append(out, *f)
		}
		return nil
	})
	if err == nil && len(out) == 0 {
		err = fmt.Errorf("page load %d of session %d has no request that can be sent again", ra.page, session)
	}
	return out, err
}

// resendable says why a recorded request cannot be sent again as it was.
func resendable(f *store.Flow) error {
	switch {
	case f.Kind != store.KindHTTP:
		return fmt.Errorf("flow %d is a %s: there is no request to send again", f.ID, f.Kind)
	case f.ReqBody.Truncated:
		return fmt.Errorf("flow %d's request body was not stored whole (%s of %s): sending it again would send another request",
			f.ID, strconv.Itoa(len(f.ReqBody.Data)), strconv.FormatInt(f.ReqBody.Size, 10))
	case !strings.HasPrefix(f.URL, "http://") && !strings.HasPrefix(f.URL, "https://"):
		return fmt.Errorf("flow %d's URL %s is not http(s)", f.ID, textsafe.Line(f.URL))
	}
	return nil
}

// resendTarget is the proxy to send through: the session's own while it
// records (glassbox sends through it, so its flows stay one numbering),
// else one started now and attached to the session. stop ends it.
func resendTarget(ctx context.Context, ra resendArgs, s store.Session, stderr io.Writer) (addr string, stop func(), err error) {
	if s.Ended.IsZero() && s.Source == "proxy" && s.Listen != "" {
		if a := strings.Fields(s.Listen)[0]; reachable(a) {
			return a, func() {}, nil
		}
	}
	cfg := ra.proxy
	cfg.attach = s.ID
	logger := log.New(stderr, "", log.Ltime)
	rp, err := startProxy(ctx, cfg, logger, nil)
	if err != nil {
		return "", nil, err
	}
	return rp.Listen[0], rp.Stop, nil
}

// lastFlowID is the session's highest flow number: the resends of this
// run are above it.
func lastFlowID(ctx context.Context, dbPath string, session int64) (int64, error) {
	db, err := sqlite.OpenReadOnly(dbPath)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var last int64
	err = store.EachFlow(ctx, db, store.FlowQuery{SessionID: session, Summary: true}, 5000, func(f *store.Flow) error {
		last = max(last, f.ID)
		return nil
	})
	return last, err
}

// reportResent prints each request beside what it was sent again as.
func reportResent(ctx context.Context, w io.Writer, dbPath string, session, before int64, was []store.Flow, sent []int) error {
	db, err := sqlite.OpenReadOnly(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	now := map[int64]store.Flow{}
	deadline := time.Now().Add(10 * time.Second) // a running proxy records a flow within its writer's linger
	for len(now) < len(was) && time.Now().Before(deadline) {
		err := store.EachFlow(ctx, db, store.FlowQuery{SessionID: session, Summary: true}, 5000, func(f *store.Flow) error {
			if f.ResendOf != 0 && f.ID > before {
				now[f.ResendOf] = *f // this run's resend of each
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(now) < len(was) {
			time.Sleep(100 * time.Millisecond)
		}
	}
	for i, f := range was {
		fmt.Fprintln(w, textsafe.Line(resentLine(f, now[f.ID], sent[i])))
	}
	return nil
}

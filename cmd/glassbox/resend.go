package main

import (
	"context"
	"errors"
	"flag"
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
	now, sent, err := resend(ctx, ra.proxy, s, flows, ra.withCreds, log.New(stderr, "", log.Ltime))
	if err != nil {
		return err
	}
	for i, f := range flows {
		fmt.Fprintln(stdout, textsafe.Line(resentLine(f, now[f.ID], sent[i])))
	}
	return nil
}

// resend sends flows of session s again (sendAll) through the session's
// proxy or one started for it (resendTarget), and returns the flows
// recorded for them, by the ID of the flow each repeats, with each one's
// status (0: it failed).
func resend(ctx context.Context, cfg proxyConfig, s store.Session, flows []store.Flow, withCreds bool, logger *log.Logger) (map[int64]store.Flow, []int, error) {
	before, err := lastFlowID(ctx, cfg.dbPath, s.ID)
	if err != nil {
		return nil, nil, err
	}
	target, stop, err := resendTarget(ctx, cfg, s, logger)
	if err != nil {
		return nil, nil, err
	}
	sent, err := sendAll(ctx, target, cfg.auth, flows, withCreds)
	stop()
	if err != nil {
		return nil, nil, err
	}
	now, err := recordedResends(ctx, cfg.dbPath, s.ID, before, len(flows))
	return now, sent, err
}

// inspectorResend is the inspector's resend key (inspector.Options.Resend):
// flow id of a session sent again as glassbox resend sends it, with cfg's
// proxy settings when a proxy has to be started for it.
func inspectorResend(cfg proxyConfig) func(ctx context.Context, session, id int64, withCreds bool) (int64, string, error) {
	return func(ctx context.Context, session, id int64, withCreds bool) (int64, string, error) {
		db, err := sqlite.OpenReadOnly(cfg.dbPath)
		if err != nil {
			return 0, "", err
		}
		s, err := db.Session(ctx, session)
		var flows []store.Flow
		if err == nil {
			flows, err = resendFlows(ctx, db, s.ID, resendArgs{flow: id})
		}
		db.Close()
		if err != nil {
			return 0, "", err
		}
		now, sent, err := resend(ctx, cfg, s, flows, withCreds, log.New(io.Discard, "", 0))
		if err != nil {
			return 0, "", err
		}
		nf := now[id]
		if nf.ID == 0 {
			return 0, fmt.Sprintf("#%d sent again (status %d); its record is not in the database yet", id, sent[0]), nil
		}
		return nf.ID, fmt.Sprintf("#%d sent again as #%d: %s (was %s)", id, nf.ID, phaseLine(&nf), phaseLine(&flows[0])), nil
	}
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
func resendTarget(ctx context.Context, cfg proxyConfig, s store.Session, logger *log.Logger) (addr string, stop func(), err error) {
	want := cfg.shape.String()
	if s.Ended.IsZero() && s.Source == "proxy" && s.Listen != "" {
		if a := strings.Fields(s.Listen)[0]; reachable(a) {
			if cfg.shape.On() && want != s.Network {
				return "", nil, fmt.Errorf("session %d is recording through its own glassbox (%s), which the resend goes through: "+
					"--latency, --bandwidth and --network cannot change its network; leave them out", s.ID, networkOf(s.Network))
			}
			return a, func() {}, nil
		}
	}
	if want != s.Network {
		// The session's views say once for all its flows whether the
		// network was shaped: a resend on another network would make
		// them say something untrue of it, or of the rest.
		return "", nil, fmt.Errorf("session %d was recorded with %s and this resend would run with %s: "+
			"pass the session's own shaping flags (or none), so its times compare with the original's", s.ID, networkOf(s.Network), networkOf(want))
	}
	cfg.attach = s.ID
	rp, err := startProxy(ctx, cfg, logger, nil)
	if err != nil {
		return "", nil, err
	}
	return rp.Listen[0], rp.Stop, nil
}

// networkOf names a session's shaping for a message.
func networkOf(network string) string {
	if network == "" {
		return "no shaping"
	}
	return network
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

// recordedResends waits (within a running proxy's writer linger) for the
// n flows above before that repeat others, and returns them by the ID of
// the flow each repeats.
func recordedResends(ctx context.Context, dbPath string, session, before int64, n int) (map[int64]store.Flow, error) {
	db, err := sqlite.OpenReadOnly(dbPath)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	now := map[int64]store.Flow{}
	deadline := time.Now().Add(10 * time.Second)
	for len(now) < n && time.Now().Before(deadline) {
		err := store.EachFlow(ctx, db, store.FlowQuery{SessionID: session, AfterID: before, Summary: true}, 5000, func(f *store.Flow) error {
			if f.ResendOf != 0 && !f.End.IsZero() { // ended: not a record of it in flight
				now[f.ResendOf] = *f // this run's resend of each
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if len(now) < n {
			time.Sleep(100 * time.Millisecond)
		}
	}
	return now, nil
}

// resendProxyConfig is the proxy a resend from `glassbox inspect` starts
// when the session no longer records: the defaults of glassbox proxy on
// an address of its own, asking dns (or the system's servers when "").
func resendProxyConfig(dbPath, dns string) (proxyConfig, error) {
	var pf proxyFlags
	pf.register(flag.NewFlagSet("resend", flag.ContinueOnError))
	pf.listen, pf.dns = "127.0.0.1:0", dns
	cfg, err := pf.config()
	cfg.dbPath = dbPath
	return cfg, err
}

// resendVia is cfg writing to dbPath on an address of its own: the proxy
// a resend from the live inspector starts for an older session (the
// session being recorded goes through the running proxy).
func resendVia(cfg proxyConfig, dbPath string) proxyConfig {
	cfg.dbPath, cfg.listen, cfg.pprof = dbPath, []string{"127.0.0.1:0"}, ""
	return cfg
}

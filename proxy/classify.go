package proxy

import (
	"context"
	"errors"
	"io"
	"strings"
	"syscall"

	"github.com/glassbox-dev/glassbox/proxy/dialer"
	"github.com/glassbox-dev/glassbox/store"
)

// Where failures are classified: the resolver names DNS failures
// (resolver.Error.Kind), the dialer names every failed dial (DNS, TCP, TLS:
// dialer.DialError), and this file names the rest: what happens once a
// connection exists (send, wait, receive) and a browser that went away
// (client). Every kind is one of store's Fail constants, and every pair is
// listed in store.Failures.

// classify turns a round-trip error into the phase it happened in and a
// short kind. ctx is the browser's request: when it has ended, the browser
// went away, and whatever the Transport reports after that is the
// consequence, not the cause.
func classify(ctx context.Context, err error, f *store.Flow) *store.FlowError {
	if fe := dialFailure(ctx, err); fe != nil {
		return fe
	}
	fe := &store.FlowError{Message: err.Error(), Kind: store.FailError}
	switch {
	case f.WroteRequest.IsZero():
		// Not written: the Transport could not use the connection it got
		// (or, before one, refused the request: an unsupported scheme).
		fe.Phase = store.PhaseSend
		if isTimeout(err) {
			fe.Kind = store.FailTimeout
		}
	default:
		fe.Phase = store.PhaseWait
		fe.Kind = waitKind(err)
	}
	return fe
}

// dialFailure is the failure of a request whose browser went away
// (client/aborted), or of a dial as the dialer classified it; nil for any
// other error.
func dialFailure(ctx context.Context, err error) *store.FlowError {
	if ctx.Err() != nil {
		return &store.FlowError{Phase: store.PhaseClient, Kind: store.FailAborted,
			Message: "the browser went away before the response arrived (" + err.Error() + ")"}
	}
	var de *dialer.DialError
	if errors.As(err, &de) {
		return &store.FlowError{Phase: de.Phase, Kind: de.Kind, Message: err.Error()}
	}
	return nil
}

// waitKind classifies an error that ended the wait for a response head.
func waitKind(err error) string {
	msg := err.Error()
	switch {
	case isTimeout(err):
		return store.FailTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET),
		strings.Contains(msg, "server closed"):
		return store.FailEOF
	case strings.Contains(msg, "malformed"), strings.Contains(msg, "invalid"), strings.Contains(msg, "headers exceeded"):
		return store.FailMalformed
	}
	return store.FailError
}

// classifyBodyErr classifies an error that ended a response body.
func classifyBodyErr(err error) *store.FlowError {
	// The request's context ends when the browser goes away mid-body.
	if errors.Is(err, errClosedEarly) || errors.Is(err, context.Canceled) {
		return &store.FlowError{Phase: store.PhaseClient, Kind: store.FailAborted, Message: "the browser closed the response before its end"}
	}
	fe := &store.FlowError{Phase: store.PhaseReceive, Kind: store.FailError, Message: err.Error()}
	switch {
	case isTimeout(err):
		fe.Kind = store.FailTimeout
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF):
		fe.Kind = store.FailTruncated
	}
	return fe
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

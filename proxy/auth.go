package proxy

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"io"
	"net/http"
	"strings"

	"github.com/elazarl/goproxy"

	"github.com/glassbox-dev/glassbox/store"
)

// authorized checks the Proxy-Authorization of a request against
// Config.Auth ("user:pass"), Basic scheme (RFC 9110 §11.7.1, RFC 7617).
// Comparison is on hashes in constant time, so timing does not leak the
// password's length or prefix.
func (p *Proxy) authorized(r *http.Request) bool {
	if p.cfg.Auth == "" {
		return true
	}
	scheme, cred, ok := strings.Cut(r.Header.Get("Proxy-Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return false
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return false
	}
	a, b := sha256.Sum256(got), sha256.Sum256([]byte(p.cfg.Auth))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// authRequired answers 407 (RFC 9110 §15.5.8) and records the refusal, so
// a user sees who tried.
func (p *Proxy) authRequired(r *http.Request) *http.Response {
	f := &store.Flow{
		ID: p.nextFlowID(), Kind: store.KindHTTP, Start: p.now(), ClientAddr: r.RemoteAddr,
		Method: r.Method, URL: r.URL.String(), Proto: r.Proto, ReqHeaderSize: -1, RespHeaderSize: -1,
		Status: http.StatusProxyAuthRequired, StatusText: "Proxy Authentication Required",
		Error: &store.FlowError{Phase: store.PhaseProxy, Kind: store.FailAuth, Message: "missing or wrong proxy credentials"},
	}
	if r.Method == http.MethodConnect {
		f.Kind, f.URL = store.KindTunnel, r.Host
	}
	// The credentials offered are never recorded (store.Field).
	f.ReqHeaders, f.ReqHeaderSize, f.ReqHeadersAsSent = requestHead(r)
	f.End = p.now()
	p.cfg.Recorder.RecordFlow(f)
	if p.cfg.OnFlow != nil {
		p.cfg.OnFlow(f, nil)
	}
	body := "glassbox: this proxy needs a user name and password (--auth).\n"
	resp := &http.Response{
		Status: "407 Proxy Authentication Required", StatusCode: http.StatusProxyAuthRequired,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Request: r,
		Header: http.Header{
			"Proxy-Authenticate": {`Basic realm="glassbox", charset="UTF-8"`},
			"Content-Type":       {"text/plain; charset=utf-8"},
		},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)),
	}
	return resp
}

// rejectConnect refuses a CONNECT with resp; goproxy writes it and closes.
func rejectConnect(ctx *goproxy.ProxyCtx, resp *http.Response) *goproxy.ConnectAction {
	ctx.Resp = resp
	return &goproxy.ConnectAction{Action: goproxy.ConnectReject}
}

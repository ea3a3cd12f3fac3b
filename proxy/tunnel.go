package proxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/elazarl/goproxy"

	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/store"
)

// tunnel passes a CONNECT through untouched (--no-mitm): the bytes are
// encrypted end to end, so glassbox records only where it went, how long the
// connection took, and how many bytes crossed each way.
func (p *Proxy) tunnel(req *http.Request, client net.Conn, _ *goproxy.ProxyCtx) {
	defer client.Close()
	f := &store.Flow{
		ID: p.nextFlowID(), Kind: store.KindTunnel, Start: p.now(), ClientAddr: req.RemoteAddr,
		Method: http.MethodConnect, URL: req.Host, Proto: req.Proto,
		ReqHeaders: store.HeadersFrom(req.Header), ReqHeaderSize: -1, RespHeaderSize: -1,
	}
	record := func() {
		f.End = p.now()
		p.cfg.Recorder.RecordFlow(f)
		if p.cfg.OnFlow != nil {
			p.cfg.OnFlow(f)
		}
	}
	upstream, err := p.dial(req.Context(), "tcp", req.Host)
	if err != nil {
		f.Error = &store.FlowError{Message: err.Error()}
		var pe PhasedError
		if errors.As(err, &pe) {
			f.Error.Phase, f.Error.Kind = pe.ErrorPhase(), pe.ErrorKind()
		} else {
			f.Error.Phase, f.Error.Kind = dialPhase(err)
		}
		prob := explain.Error(f.Error)
		msg := fmt.Sprintf("glassbox: %s\n%s\n%s\n", prob.Title, prob.What, err)
		fmt.Fprintf(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\n%s: %s/%s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
			ErrorHeader, f.Error.Phase, f.Error.Kind, len(msg), msg)
		record()
		return
	}
	defer upstream.Close()
	f.GotConn = p.now()
	f.ServerAddr = upstream.RemoteAddr().String()
	if p.cfg.ConnInfo != nil {
		if c := p.cfg.ConnInfo(upstream); c != nil {
			f.ConnID = c.ID
		}
	}
	f.Status, f.StatusText = http.StatusOK, "Connection established"
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		f.Error = &store.FlowError{Phase: store.PhaseClient, Kind: "aborted", Message: err.Error()}
		record()
		return
	}
	var up, down atomic.Int64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		pipe(upstream, client, &up)
	}()
	go func() {
		defer wg.Done()
		pipe(client, upstream, &down)
	}()
	wg.Wait()
	f.BytesUp, f.BytesDown = up.Load(), down.Load()
	record()
}

// pipe copies src to dst, counting, then half-closes dst so the other side
// sees the end; a failure closes both.
func pipe(dst, src net.Conn, n *atomic.Int64) {
	buf := make([]byte, 32<<10)
	for {
		k, err := src.Read(buf)
		if k > 0 {
			n.Add(int64(k))
			if _, werr := dst.Write(buf[:k]); werr != nil {
				src.Close()
				dst.Close()
				return
			}
		}
		if err != nil {
			if cw, ok := dst.(interface{ CloseWrite() error }); ok && err == io.EOF {
				cw.CloseWrite()
			} else {
				dst.Close()
				src.Close()
			}
			return
		}
	}
}

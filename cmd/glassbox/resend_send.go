package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/glassbox-dev/glassbox/certs"
	"github.com/glassbox-dev/glassbox/inspector/explain"
	"github.com/glassbox-dev/glassbox/proxy"
	"github.com/glassbox-dev/glassbox/store"
)

// credentials are the fields resend leaves out unless asked: what lets a
// request act as the user (RFC 9110 §11.6.2, RFC 6265 §5.4).
var credentials = map[string]bool{"cookie": true, "authorization": true}

// sendAll sends the flows through the proxy at addr: one at once, or a
// page load's requests with the spacing they had (so those that ran side
// by side do so again). It returns each response's status (0: failed).
func sendAll(ctx context.Context, addr, auth string, flows []store.Flow, withCreds bool) ([]int, error) {
	client, err := resendClient(addr, auth)
	if err != nil {
		return nil, err
	}
	defer client.CloseIdleConnections()
	statuses := make([]int, len(flows))
	var wg sync.WaitGroup
	start := time.Now()
	for i := range flows {
		if wait := time.Until(start.Add(flows[i].Start.Sub(flows[0].Start))); wait > 0 {
			select {
			case <-time.After(min(wait, 10*time.Second)): // a page load's spacing, capped
			case <-ctx.Done():
				wg.Wait()
				return statuses, ctx.Err()
			}
		}
		wg.Go(func() { statuses[i] = sendOne(ctx, client, &flows[i], withCreds) })
	}
	wg.Wait()
	return statuses, nil
}

// resendClient goes through the proxy at addr (with the proxy credentials
// USER:PASS of --auth, when set), and trusts glassbox's own CA, as a
// browser set up for glassbox does.
func resendClient(addr, auth string) (*http.Client, error) {
	dir, err := certs.DefaultDir()
	if err != nil {
		return nil, err
	}
	ca, err := certs.LoadOrCreate(dir)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	proxyURL := &url.URL{Scheme: "http", Host: addr}
	if user, pass, ok := strings.Cut(auth, ":"); ok {
		proxyURL.User = url.UserPassword(user, pass)
	}
	tr := &http.Transport{Proxy: http.ProxyURL(proxyURL), ForceAttemptHTTP2: true,
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}
	return &http.Client{Transport: tr, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, nil
}

// sendOne sends one recorded request again, marked with the flow it
// repeats (the proxy takes the mark out).
func sendOne(ctx context.Context, c *http.Client, f *store.Flow, withCreds bool) int {
	req, err := http.NewRequestWithContext(ctx, f.Method, f.URL, bytes.NewReader(f.ReqBody.Data))
	if err != nil {
		return 0
	}
	roles := f.ReqHeaders.Roles()
	for i, h := range f.ReqHeaders {
		name := strings.ToLower(h.Name)
		switch {
		case roles[i] != "", name == "host":
			// The next hop's framing and connection are its own; Host is
			// the URL's.
		case credentials[name] && !withCreds:
		default:
			req.Header.Add(h.Name, h.Value)
		}
	}
	req.ContentLength = int64(len(f.ReqBody.Data))
	req.Header.Set(proxy.ResendHeader, fmt.Sprint(f.ID))
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// reachable reports whether something listens at addr.
func reachable(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
	}
	return err == nil
}

// resentLine sets a request beside its resend: status and phases.
func resentLine(was, now store.Flow, status int) string {
	head := fmt.Sprintf("#%d %s %s", was.ID, was.Method, was.URL)
	if now.ID == 0 {
		return fmt.Sprintf("%s: sent again (status %d), but its record is not in the database yet", head, status)
	}
	return fmt.Sprintf("%s\n  was:  %s\n  now:  #%d %s", head, phaseLine(&was), now.ID, phaseLine(&now))
}

// phaseLine is a flow's status and where its time went.
func phaseLine(f *store.Flow) string {
	t := store.ComputeTimings(f, nil)
	s := fmt.Sprintf("%d in %s", f.Status, explain.FormatDuration(f.Duration()))
	if f.Error != nil {
		s = "failed (" + explain.Summary(f.Error) + ")"
	}
	for _, p := range store.TimingPhases {
		if d := t.Of(p.Name); d > 0 {
			s += " · " + p.Label + " " + explain.FormatDuration(d)
		}
	}
	if f.ConnReused {
		s += " · reused connection"
	}
	return s
}

// editRequest writes the request to a file, lets the user change it in
// $EDITOR, and reads it back: the request line, the headers, a blank line,
// the body. The recorded Cookie and Authorization are in the file only
// with --with-credentials; what the file says when the editor closes is
// what is sent, credentials the user typed included.
func editRequest(f store.Flow, withCreds bool) (store.Flow, error) {
	editor := os.Getenv("EDITOR")
	if editor == "" {
		return f, errors.New("--edit: set $EDITOR to the editor to use (e.g. EDITOR=nano)")
	}
	tmp, err := os.CreateTemp("", "glassbox-resend-*.http") // 0600: it may hold credentials
	if err != nil {
		return f, err
	}
	defer os.Remove(tmp.Name())
	fmt.Fprintf(tmp, "%s %s\n", f.Method, f.URL)
	for _, h := range f.ReqHeaders {
		if withCreds || !credentials[strings.ToLower(h.Name)] {
			fmt.Fprintf(tmp, "%s: %s\n", h.Name, h.Value)
		}
	}
	fmt.Fprintf(tmp, "\n%s", f.ReqBody.Data)
	tmp.Close()
	cmd := exec.Command("sh", "-c", editor+` "$1"`, "sh", tmp.Name())
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return f, fmt.Errorf("--edit: %s: %w", editor, err)
	}
	raw, err := os.ReadFile(tmp.Name())
	if err != nil {
		return f, err
	}
	return parseEdited(f, raw)
}

// parseEdited reads an edited request back into f. Lines may end in CRLF
// (an editor on Windows' habits); the one newline most editors add at the
// end of a file is not taken as part of a body that did not end in one.
func parseEdited(f store.Flow, raw []byte) (store.Flow, error) {
	lines := bytes.SplitAfter(raw, []byte("\n"))
	var head []string
	i := 0
	for ; i < len(lines); i++ {
		l := strings.TrimRight(string(lines[i]), "\r\n")
		if l == "" && len(head) > 0 {
			i++
			break
		}
		if l != "" {
			head = append(head, l)
		}
	}
	if len(head) == 0 {
		return f, errors.New("--edit: the file is empty: nothing sent")
	}
	method, target, ok := strings.Cut(strings.TrimSpace(head[0]), " ")
	if !ok || method == "" {
		return f, fmt.Errorf("--edit: the first line should be METHOD URL, found %q", head[0])
	}
	f.Method, f.URL, f.ReqHeaders = method, strings.TrimSpace(target), nil
	for _, l := range head[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return f, fmt.Errorf("--edit: a header line should be Name: value, found %q", l)
		}
		f.ReqHeaders = append(f.ReqHeaders, store.Header{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)})
	}
	body := bytes.Join(lines[min(i, len(lines)):], nil)
	if was := f.ReqBody.Data; !bytes.HasSuffix(was, []byte("\n")) {
		body = bytes.TrimSuffix(bytes.TrimSuffix(body, []byte("\n")), []byte("\r"))
	}
	f.ReqBody = store.Body{Data: body, Size: int64(len(body))}
	return f, resendable(&f)
}

package proxy

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
)

// A tunnel passed through untouched (--no-mitm) is still TLS: its first
// messages, ClientHello and ServerHello, travel in the clear (RFC 8446
// §4.1.2, §4.1.3) and tell a learner the server name asked for, the TLS
// version and the cipher suite agreed. Everything after is encrypted.

// maxHello bounds what is kept of each direction while looking for the
// hello: a ClientHello with post-quantum key shares is a few KB; the
// handshake layer allows messages up to 2^24 bytes, which we do not wait for.
const maxHello = 64 << 10

var errIncomplete = errors.New("incomplete")

// ClientHello is what glassbox reads from a browser's first TLS message.
type ClientHello struct {
	SNI  string
	ALPN []string
}

// ServerHello is what glassbox reads from the server's answer.
type ServerHello struct {
	Version uint16 // the negotiated version (supported_versions in TLS 1.3)
	Cipher  uint16
	ALPN    string // only visible before TLS 1.3 (then it is encrypted)
}

// handshakeMessage reassembles the first handshake message of type want from
// TLS records in b. It returns errIncomplete when more bytes are needed.
func handshakeMessage(b []byte, want byte) ([]byte, error) {
	var payload []byte
	for len(b) > 0 {
		if len(b) < 5 {
			return nil, errIncomplete
		}
		if b[0] != 22 { // handshake record (RFC 8446 §5.1)
			return nil, errors.New("not a TLS handshake record")
		}
		n := int(binary.BigEndian.Uint16(b[3:5]))
		if n > 1<<14+2048 {
			return nil, errors.New("TLS record too long")
		}
		if len(b) < 5+n {
			return nil, errIncomplete
		}
		payload = append(payload, b[5:5+n]...)
		b = b[5+n:]
		if len(payload) >= 4 {
			if payload[0] != want {
				return nil, errors.New("unexpected handshake message")
			}
			mlen := int(payload[1])<<16 | int(payload[2])<<8 | int(payload[3])
			if len(payload) >= 4+mlen {
				return payload[4 : 4+mlen], nil
			}
			if mlen > maxHello {
				return nil, errors.New("hello too long")
			}
		}
	}
	return nil, errIncomplete
}

// reader walks a message with bounds checks.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) take(n int) []byte {
	if r.bad || n < 0 || len(r.b) < n {
		r.bad = true
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u8() int {
	b := r.take(1)
	if b == nil {
		return 0
	}
	return int(b[0])
}

func (r *reader) u16() int {
	b := r.take(2)
	if b == nil {
		return 0
	}
	return int(binary.BigEndian.Uint16(b))
}

// ParseClientHello reads the SNI and ALPN offer from the start of a client's
// TLS stream.
func ParseClientHello(b []byte) (ClientHello, error) {
	var ch ClientHello
	msg, err := handshakeMessage(b, 1)
	if err != nil {
		return ch, err
	}
	r := &reader{b: msg}
	r.take(2 + 32)  // legacy_version, random
	r.take(r.u8())  // legacy_session_id
	r.take(r.u16()) // cipher_suites
	r.take(r.u8())  // legacy_compression_methods
	exts := r.take(r.u16())
	if r.bad {
		return ch, errors.New("malformed ClientHello")
	}
	err = eachExtension(exts, func(typ int, data []byte) {
		d := &reader{b: data}
		switch typ {
		case 0: // server_name (RFC 6066 §3)
			list := &reader{b: d.take(d.u16())}
			for len(list.b) > 0 && !list.bad {
				kind := list.u8()
				name := list.take(list.u16())
				if kind == 0 && ch.SNI == "" && !list.bad {
					ch.SNI = string(name)
				}
			}
		case 16: // application_layer_protocol_negotiation (RFC 7301 §3.1)
			list := &reader{b: d.take(d.u16())}
			for len(list.b) > 0 && !list.bad {
				if p := list.take(list.u8()); !list.bad {
					ch.ALPN = append(ch.ALPN, string(p))
				}
			}
		}
	})
	return ch, err
}

// ParseServerHello reads the version, cipher suite and (before TLS 1.3)
// ALPN choice from the start of a server's TLS stream.
func ParseServerHello(b []byte) (ServerHello, error) {
	var sh ServerHello
	msg, err := handshakeMessage(b, 2)
	if err != nil {
		return sh, err
	}
	r := &reader{b: msg}
	sh.Version = uint16(r.u16())
	r.take(32)     // random
	r.take(r.u8()) // legacy_session_id_echo
	sh.Cipher = uint16(r.u16())
	r.take(1) // legacy_compression_method
	if r.bad {
		return sh, errors.New("malformed ServerHello")
	}
	if len(r.b) == 0 {
		return sh, nil // no extensions (TLS 1.2 may omit them)
	}
	exts := r.take(r.u16())
	if r.bad {
		return sh, errors.New("malformed ServerHello")
	}
	err = eachExtension(exts, func(typ int, data []byte) {
		d := &reader{b: data}
		switch typ {
		case 43: // supported_versions (RFC 8446 §4.2.1)
			if v := d.u16(); !d.bad {
				sh.Version = uint16(v)
			}
		case 16:
			list := &reader{b: d.take(d.u16())}
			if p := list.take(list.u8()); !list.bad {
				sh.ALPN = string(p)
			}
		}
	})
	return sh, err
}

func eachExtension(b []byte, fn func(typ int, data []byte)) error {
	r := &reader{b: b}
	for len(r.b) > 0 {
		typ := r.u16()
		data := r.take(r.u16())
		if r.bad {
			return errors.New("malformed TLS extensions")
		}
		fn(typ, data)
	}
	return nil
}

// helloSniffer keeps the first bytes of one direction of a tunnel until the
// hello in them can be parsed (or is known not to be there).
type helloSniffer struct {
	buf  []byte
	done bool
}

// feed adds bytes; it reports whether sniffing is over.
func (s *helloSniffer) feed(p []byte, parse func([]byte) error) bool {
	if s.done {
		return true
	}
	s.buf = append(s.buf, p[:min(len(p), maxHello-len(s.buf))]...)
	err := parse(s.buf)
	if err == errIncomplete && len(s.buf) < maxHello {
		return false
	}
	s.done, s.buf = true, nil
	return true
}

// versionName names a TLS version the way the inspector shows it
// ("TLS 1.3", as crypto/tls names it); "" when none was seen.
func versionName(v uint16) string {
	if v == 0 {
		return ""
	}
	return tls.VersionName(v)
}

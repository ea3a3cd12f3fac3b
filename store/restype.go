package store

import (
	"path"
	"strings"
)

// Resource types, as DESIGN.md names them (and HAR's _resourceType).
const (
	TypeDocument   = "document"
	TypeStylesheet = "stylesheet"
	TypeScript     = "script"
	TypeImage      = "image"
	TypeFont       = "font"
	TypeFetch      = "fetch"
	TypeMedia      = "media"
	TypeWebSocket  = "websocket"
	TypeOther      = "other"
)

// RequestType guesses a resource type from the request alone: first
// Sec-Fetch-Dest (Fetch standard, "request destination"), then Accept, then
// the URL's extension. It returns "" when nothing says.
func RequestType(method, rawURL string, h Headers) string {
	if strings.EqualFold(h.Get("Upgrade"), "websocket") {
		return TypeWebSocket
	}
	if t := destType(h); t != "" {
		return t
	}
	if t := acceptType(h); t != "" {
		return t
	}
	return extensionType(rawURL)
}

// destType is the type Sec-Fetch-Dest names, "" without one.
func destType(h Headers) string {
	switch strings.ToLower(h.Get("Sec-Fetch-Dest")) {
	case "document", "iframe", "frame", "fencedframe", "embed", "object":
		return TypeDocument
	case "style":
		return TypeStylesheet
	case "script", "worker", "sharedworker", "serviceworker", "audioworklet", "paintworklet", "xslt":
		return TypeScript
	case "image":
		return TypeImage
	case "font":
		return TypeFont
	case "audio", "video", "track":
		return TypeMedia
	case "empty":
		// fetch(), XMLHttpRequest, sendBeacon, EventSource...
		return TypeFetch
	case "websocket":
		return TypeWebSocket
	case "manifest", "report":
		return TypeOther
	}
	return ""
}

// acceptType is the type an Accept header asks for first, "" when it says
// nothing particular (*/*).
func acceptType(h Headers) string {
	accept := strings.ToLower(h.Get("Accept"))
	switch {
	case strings.HasPrefix(accept, "text/html"):
		return TypeDocument
	case strings.HasPrefix(accept, "text/css"):
		return TypeStylesheet
	case strings.HasPrefix(accept, "image/"):
		return TypeImage
	case strings.HasPrefix(accept, "application/json"):
		return TypeFetch
	}
	return ""
}

// ResponseType refines a type with the response's Content-Type when the
// request did not say.
func ResponseType(reqType, contentType, rawURL string) string {
	if reqType != "" && reqType != TypeOther {
		return reqType
	}
	// The media type alone (RFC 9110 §8.3.1), as mime.ParseMediaType
	// finds it, without the map of parameters it builds: this runs for
	// every response.
	base, _, _ := strings.Cut(contentType, ";")
	mt := strings.ToLower(strings.TrimSpace(base))
	switch {
	case mt == "text/html" || mt == "application/xhtml+xml":
		return TypeDocument
	case mt == "text/css":
		return TypeStylesheet
	case strings.Contains(mt, "javascript") || mt == "application/ecmascript" || mt == "application/wasm":
		return TypeScript
	case strings.HasPrefix(mt, "image/"):
		return TypeImage
	case strings.HasPrefix(mt, "font/") || strings.Contains(mt, "font-"):
		return TypeFont
	case strings.HasPrefix(mt, "video/") || strings.HasPrefix(mt, "audio/"):
		return TypeMedia
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/event-stream":
		return TypeFetch
	}
	if t := extensionType(rawURL); t != "" {
		return t
	}
	if reqType != "" {
		return reqType
	}
	return TypeOther
}

func extensionType(rawURL string) string {
	p := rawURL
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	switch strings.ToLower(path.Ext(p)) {
	case ".html", ".htm":
		return TypeDocument
	case ".css":
		return TypeStylesheet
	case ".js", ".mjs":
		return TypeScript
	case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico", ".bmp":
		return TypeImage
	case ".woff", ".woff2", ".ttf", ".otf", ".eot":
		return TypeFont
	case ".mp4", ".webm", ".mp3", ".ogg", ".wav", ".m4a", ".m3u8", ".vtt":
		return TypeMedia
	case ".json":
		return TypeFetch
	}
	return ""
}

// TypeOf is a flow's resource type: the one the proxy recorded, or, for a
// flow recorded without one (an imported capture), the same judgement made
// from its request and response.
func TypeOf(f *Flow) string {
	if f.ResourceType != "" {
		return f.ResourceType
	}
	return ResponseType(RequestType(f.Method, f.URL, f.ReqHeaders), f.RespHeaders.Get("Content-Type"), f.URL)
}

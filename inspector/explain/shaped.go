package explain

// Shaped says that a session's times include delays glassbox added on
// purpose (--latency, --bandwidth, --network): network is the session's
// record of them (store.Session.Network). "" when the session was not
// shaped.
func Shaped(network string) string {
	if network == "" {
		return ""
	}
	return "Shaped network: " + network + ". glassbox added these delays to its own traffic upstream, to show what each step costs on a slower network: every time here includes them, and a round trip counted in the story took at least that long."
}

// ShapedShort is the header's word for a shaped session: the preset's
// name, or the numbers.
func ShapedShort(network string) string {
	if network == "" {
		return ""
	}
	if name, _, ok := cutPrefix(network, "--network "); ok {
		return "shaped: " + name
	}
	return "shaped: " + network
}

// cutPrefix returns what follows prefix in s up to the first ':' (the
// preset's name) and the rest.
func cutPrefix(s, prefix string) (name, rest string, ok bool) {
	if len(s) <= len(prefix) || s[:len(prefix)] != prefix {
		return "", s, false
	}
	s = s[len(prefix):]
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", true
}

//go:build !unix

package proxy

import "net"

// idleState cannot look at a socket here: a kept connection found closed
// is retried (h1Client.RoundTrip), and bytes no request asked for are not
// seen before they are read.
func idleState(net.Conn) connIdle { return idleUnknown }

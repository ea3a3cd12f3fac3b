package proxy

// IntakeServed is how many requests in answered itself (not through
// net/http's server), for tests that must know which of the two did.
func IntakeServed(in *Intake) int64 { return in.served.Load() }

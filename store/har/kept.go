package har

import (
	"fmt"

	"github.com/glassbox-dev/glassbox/store"
)

// keptNote says why a stored body is not the whole body: shed under load
// or cut by --max-body. "" for a whole copy.
func keptNote(b store.Body) string {
	switch {
	case b.Missing:
		return fmt.Sprintf("not readable: glassbox stored this body (%d bytes) in the body file beside its database, which no longer holds it", b.Size)
	case b.Shed:
		return fmt.Sprintf("not stored: glassbox shed the copy because bodies came faster than its database took them; the body itself (%d bytes) was forwarded whole", b.Size)
	case b.Truncated && len(b.Data) == 0:
		return fmt.Sprintf("not stored (--max-body none): the body was %d bytes", b.Size)
	case b.Truncated:
		return fmt.Sprintf("truncated: glassbox stored the first %d of %d bytes (--max-body)", len(b.Data), b.Size)
	}
	return ""
}

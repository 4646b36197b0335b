package fleet

import (
	"testing"

	"go.uber.org/goleak"
)

// Every goroutine of the workers, the submitters and the embedded servers
// is joined by the end of the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

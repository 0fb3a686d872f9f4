package api_test

import (
	"testing"

	"github.com/cordon/cordon/internal/app/apptest"
)

// The API tests run the wired application (internal/app/apptest) on
// SQLite and PostgreSQL with the demo world.

func TestMain(m *testing.M) { apptest.Main(m) }

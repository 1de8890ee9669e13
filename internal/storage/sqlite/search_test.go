package sqlite_test

import (
	"testing"

	"github.com/hookgate/hookgate/internal/storage/storetest"
)

func TestSearchConformance(t *testing.T) {
	storetest.RunSearch(t, func(t *testing.T) storetest.Store { return open(t) })
}

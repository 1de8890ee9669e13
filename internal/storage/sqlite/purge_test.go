package sqlite_test

import (
	"testing"

	"github.com/hookgate/hookgate/internal/storage/storetest"
)

func TestPurgeConformance(t *testing.T) {
	storetest.RunPurge(t, func(t *testing.T) storetest.PurgeStore { return open(t).(storetest.PurgeStore) })
}

package sqlite_test

import (
	"testing"

	"github.com/hookgate/hookgate/internal/storage/storetest"
)

func TestStatsConformance(t *testing.T) {
	storetest.RunStats(t, func(t *testing.T) storetest.StatsStore { return open(t).(storetest.StatsStore) })
}
